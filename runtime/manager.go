package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/console"
	"github.com/genaitrace/genaitrace/runtime/internal/diag"
	"github.com/genaitrace/genaitrace/runtime/internal/hooks"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// Version is genaitrace's version, sent as the User-Agent.
const Version = "0.1.0"

// Manager owns genaitrace's TracerProvider and export pipeline.
type Manager struct {
	cfg      config
	tp       *sdktrace.TracerProvider
	proc     *processor
	pipe     *export.Pipeline
	dests    []runningDestination
	console  *console.Console
	resource *resource.Resource
	// readBack confirms that traces delivered to Langfuse appear there
	// (LANGFUSE_VERIFY); nil when off.
	readBack *readBack

	// Metrics.
	meters      *sdkmetric.MeterProvider
	metricStats []func() export.MetricExportStats

	// Diagnostics.
	started     time.Time
	store       *diag.Store
	ledger      *diag.Ledger
	diag        http.Handler
	diagOnce    sync.Once
	rates       rateSampler
	stopSampler chan struct{}
	stopOnce    sync.Once
}

// Configure reads the environment, applies opts over it, and starts the
// export pipeline. It fails only on invalid configuration; a destination
// that is down or unreachable is not an error: the app starts, the spans
// are kept for it, and one warning is logged.
func Configure(ctx context.Context, opts ...Option) (*Manager, error) {
	cfg := defaultConfig()
	envErr := fromEnv(&cfg, os.LookupEnv)
	for _, o := range opts {
		o(&cfg)
	}
	numErr := cfg.validateNumbers()
	cfg.resolve()
	if err := errors.Join(envErr, numErr, cfg.validate()); err != nil {
		return nil, fmt.Errorf("genaitrace: invalid configuration: %w", err)
	}
	return start(ctx, cfg)
}

func start(ctx context.Context, cfg config) (*Manager, error) {
	if cfg.CaptureContent != nil {
		genai.SetCaptureContent(*cfg.CaptureContent)
	}
	res, err := buildResource(ctx, cfg)
	if err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg, resource: res, started: time.Now(), stopSampler: make(chan struct{}),
		store: diag.NewStore(cfg.Diagnostics.MaxBytes, cfg.Diagnostics.Content), ledger: diag.NewLedger()}
	prices := pricing.Default()
	if len(cfg.Prices) > 0 {
		prices = prices.With(cfg.Prices)
	}
	destinations, err := m.buildDestinations(res)
	if err != nil {
		return nil, err
	}
	genaiMetrics, err := m.startMetrics(res)
	if err != nil {
		return nil, fmt.Errorf("genaitrace: metrics: %w", err)
	}
	// The diagnostics store sees each batch before the destinations encode
	// it, so their translated attributes find the spans.
	observers := []export.Consumer{m.store, m.ledger}
	if len(m.metricStats) > 0 {
		// Without a reader the SDK still resolves every measurement's
		// attributes: a microsecond per model call for nothing.
		observers = append(observers, genaiMetrics)
	}
	m.proc = &processor{traces: newTraceTable()}
	pc := export.PipelineConfig{
		MaxBatch:       cfg.Export.MaxBatch,
		MemoryMaxBytes: cfg.Export.MemoryMaxBytes,
		BatchTimeout:   cfg.Export.BatchTimeout,
		Prices:         prices,
		Resolve:        m.proc.resolve,
		Sampling:       sampling(cfg.SampleKeep),
		OnDecision:     m.store.Decided,
		ContentRate:    cfg.ContentSampleRate,
		Observers:      observers,
		Logger:         cfg.Logger,
	}
	pc.Scores = true // genai.Score's sink
	m.pipe = export.NewPipeline(pc, destinations...)
	m.proc.pipe = m.pipe
	if err := m.registerPipelineMetrics(m.meter()); err != nil {
		_ = m.pipe.Shutdown(ctx)
		return nil, fmt.Errorf("genaitrace: metrics: %w", err)
	}
	m.tp = sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithSampler(newRecordAll(cfg.SampleRate)),
		sdktrace.WithSpanProcessor(m.proc),
	)
	go m.sampleRates()
	if cfg.SetGlobal {
		otel.SetTracerProvider(m.tp)
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	}
	m.logConfigured()
	return m, nil
}

func buildResource(ctx context.Context, cfg config) (*resource.Resource, error) {
	attrs := []attribute.KeyValue{semconv.ServiceName(cfg.ServiceName)}
	if cfg.ServiceVersion != "" {
		attrs = append(attrs, semconv.ServiceVersion(cfg.ServiceVersion))
	}
	if cfg.Environment != "" {
		attrs = append(attrs, semconv.DeploymentEnvironmentNameKey.String(cfg.Environment))
	}
	attrs = append(attrs, semconv.ServiceInstanceID(instanceID()))
	attrs = append(attrs, cfg.ResourceAttributes...)
	res, err := resource.New(ctx,
		resource.WithHost(),
		resource.WithHostID(),
		resource.WithProcessPID(),
		resource.WithProcessRuntimeVersion(),
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attrs...),
	)
	if res == nil {
		return nil, fmt.Errorf("genaitrace: resource: %w", err)
	}
	// Partial detection errors (no machine-id in a container) are not fatal.
	return res, nil
}

// buildDestinations creates the enabled destinations, in the order of
// destinationKinds, and the console when it is on.
func (m *Manager) buildDestinations(res *resource.Resource) ([]export.Consumer, error) {
	if m.cfg.Instana.Enabled && m.cfg.Instana.Host == "" {
		m.cfg.Instana.Host = hostID(res) // the effective value, for Config and /config
	}
	var consumers []export.Consumer
	for _, k := range destinationKinds {
		if !k.on(&m.cfg) {
			continue
		}
		d, err := m.newDestination(k)
		if err != nil {
			return nil, err
		}
		m.dests = append(m.dests, d)
		consumers = append(consumers, d)
	}
	if m.cfg.Console == ConsoleOn || (m.cfg.Console == ConsoleAuto && len(m.dests) == 0) {
		w := m.cfg.ConsoleWriter
		if w == nil {
			w = os.Stderr
		}
		m.console = console.New(w)
		consumers = append(consumers, m.console)
	}
	return consumers, nil
}

// runningDestination is one running runningDestination and its kind.
type runningDestination struct {
	*export.Destination
	kind destinationKind
	// breaker and client are the ones the destination was given: the
	// breaker the diagnostics reset, the client whose idle connections
	// shutdown closes.
	breaker *breaker.Breaker
	client  *http.Client
	// replayCheck asks the destination which spans it stores before a
	// replay; nil when it cannot be asked.
	replayCheck *replayCheck
}

func (m *Manager) newDestination(k destinationKind) (runningDestination, error) {
	cfg := m.cfg
	ep := newEndpoint(k, &cfg)
	log := cfg.Logger.With("destination", k.name)
	var dest atomic.Pointer[export.Destination] // set once the breakers' callback can find it
	newBreaker := func(name string, log *slog.Logger) *breaker.Breaker {
		return breaker.New(breaker.Settings{
			Name:             name,
			FailureThreshold: cfg.Breaker.FailureThreshold,
			OpenTimeout:      cfg.Breaker.OpenTimeout,
			MaxOpenTimeout:   cfg.Breaker.MaxOpenTimeout,
			OnStateChange: func(_ string, from, to breaker.State) {
				log.Warn("genaitrace: circuit breaker "+to.String(), "from", from.String())
				if d := dest.Load(); to == breaker.Closed && d != nil {
					go d.Kick() // replay the spool now; never call back under the breaker's lock
				}
			},
		})
	}
	br := newBreaker(k.name, log)
	if k.readBack(&cfg) {
		m.readBack = newReadBack(cfg.Langfuse.Endpoint, ep.client, log, readBackTimingNow)
	}
	dc := export.DestinationConfig{
		Name: k.name, URL: ep.url, Client: ep.client, UserAgent: "genaitrace/" + Version,
		Identity: ep.identity, Translator: k.translator(&cfg), Conventions: cfg.Conventions, Breaker: br, Compression: compressionOf(*k.compression(&cfg)),
		Mask: cfg.maskFor(k.name), MaskKeys: cfg.MaskKeys,
		Settings: export.DestinationSettings{
			QueueMaxBytes:  cfg.Export.QueueMaxBytes,
			MaxInFlight:    cfg.Export.MaxInFlight,
			AttemptTimeout: cfg.Export.AttemptTimeout,
			PollInterval:   cfg.Export.PollInterval,
			Retry:          cfg.Export.Retry,
			SpoolMaxBytes:  cfg.Spool.MaxBytes,
			Durable:        cfg.Durability == DurabilityDisk,
			Credentials:    k.credentials(&cfg),
			EndpointFrom:   k.endpoint(&cfg),
		},
		SpoolSync:       cfg.Spool.Sync,
		OnlyGenAITraces: k.onlyGenAI(&cfg),
		Logger:          cfg.Logger,
	}
	if ep.scoresFormat != scores.NoFormat && cfg.Scores.takes(k.name) {
		// The scores' own breaker: a scores API that refuses or
		// rate-limits does not hold back the spans, nor they it.
		m.wireScores(&dc, k, ep, newBreaker(scoresName(k.name), log.With("channel", "scores")))
	}
	if k.readBack(&cfg) {
		dc.OnDelivered = m.readBack.delivered
	}
	var rc *replayCheck
	if n := k.replayChecks(&cfg); n > 0 {
		rc = newReplayCheck(cfg.Langfuse.Endpoint, ep.client, log, n)
		dc.StoredCheck = rc.check()
	}
	dc.OnOutcome = func(tids []trace.TraceID, o hooks.Outcome, reason string) { m.store.Outcome(k.name, tids, o, reason) }
	if !cfg.Spool.Disabled {
		dc.Settings.SpoolDir = filepath.Join(cfg.Spool.Dir, k.name)
	}
	d, err := export.NewDestination(dc)
	if err != nil {
		// A read-only or full volume must not keep the application from
		// starting: the destination runs on memory alone, and what that
		// cannot hold is counted (no_spool).
		log.Warn("genaitrace: spool directory not writable; this destination keeps undelivered spans in memory only",
			"variable", envSpoolDir, "error", err)
		dc.Settings.SpoolDir, dc.Scores.SpoolDir, dc.Settings.Durable = "", "", false
		if d, err = export.NewDestination(dc); err != nil {
			return runningDestination{}, fmt.Errorf("genaitrace: %s: %w", k.name, err)
		}
	}
	dest.Store(d)
	return runningDestination{Destination: d, kind: k, breaker: br, client: ep.client, replayCheck: rc}, nil
}

// sanitize makes a service name usable as a directory name.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// TracerProvider returns genaitrace's TracerProvider.
func (m *Manager) TracerProvider() *sdktrace.TracerProvider { return m.tp }

// Tracer returns a tracer from genaitrace's TracerProvider.
func (m *Manager) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return m.tp.Tracer(name, opts...)
}

// SpanProcessor returns genaitrace's export as a SpanProcessor, for an
// application that already has its own TracerProvider:
//
//	tp.RegisterSpanProcessor(m.SpanProcessor())
//
// Spans then carry that provider's resource.
func (m *Manager) SpanProcessor() sdktrace.SpanProcessor { return m.proc }

// Resource returns the resource genaitrace's spans carry.
func (m *Manager) Resource() *resource.Resource { return m.resource }

// Format prints the service and its destinations for every verb: the
// manager's fields are live state, which printing by reflection would read
// while its goroutines write it.
func (m *Manager) Format(f fmt.State, _ rune) {
	names := make([]string, len(m.dests))
	for i, d := range m.dests {
		names[i] = d.Name()
	}
	fmt.Fprintf(f, "genaitrace manager of %s: %s", m.cfg.ServiceName, strings.Join(names, ", "))
}

// Config returns the effective configuration: every default resolved, no
// secret in it.
func (m *Manager) Config() ConfigView { return m.cfg.view() }

// Destinations returns a snapshot of each OTLP destination, in the order
// Instana, Langfuse, OTLP: its name, its endpoint without user info or
// query, its breaker and its counters. Nothing in it holds a credential.
func (m *Manager) Destinations() []export.DestinationStats {
	out := make([]export.DestinationStats, len(m.dests))
	for i, d := range m.dests {
		out[i] = d.Stats()
		if d.kind.readBack(&m.cfg) && m.readBack != nil {
			out[i].ReadBack = m.readBack.snapshot()
		}
		if d.replayCheck != nil {
			out[i].ReplayCheck = d.replayCheck.snapshot()
		}
	}
	return out
}

// PipelineStats returns the counters of the span hand-off.
func (m *Manager) PipelineStats() export.PipelineStats { return m.pipe.Stats() }

// Flush exports every span ended so far to every destination, in parallel,
// and waits until they are sent or ctx ends.
func (m *Manager) Flush(ctx context.Context) error { return m.tp.ForceFlush(ctx) }

// Shutdown flushes every destination in parallel and returns by ctx's
// deadline. What cannot be sent by then is spooled to disk and sent by the
// next process. It leaves no goroutine or connection behind; the
// diagnostics handler keeps answering afterwards.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.stopOnce.Do(func() { close(m.stopSampler) })
	if m.readBack != nil {
		m.readBack.close()
	}
	metricsDone := make(chan error, 1)
	go func() { metricsDone <- m.meters.Shutdown(ctx) }() // in parallel with the traces
	err := m.tp.Shutdown(ctx)
	select {
	case <-metricsDone:
	case <-ctx.Done():
	}
	// The last metric export may have left a connection idle after the
	// destinations closed theirs: nothing of ours stays open.
	for _, d := range m.dests {
		d.client.CloseIdleConnections()
	}
	return err
}

// sample reads the counters /stats turns into rates.
func (m *Manager) sample() rateSample {
	s := rateSample{at: time.Now(), accepted: m.pipe.Stats().Accepted, exported: map[string]int64{}}
	for _, d := range m.dests {
		s.exported[d.Name()] = d.Stats().Exported
	}
	return s
}

func (m *Manager) sampleRates() {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	m.rates.add(m.sample())
	for {
		select {
		case <-m.stopSampler:
			return
		case <-t.C:
			m.rates.add(m.sample())
		}
	}
}

// compressionOf is the export form of a resolved compression setting.
func compressionOf(s string) export.Compression {
	if s == "none" {
		return export.NoCompression
	}
	return export.Gzip
}
