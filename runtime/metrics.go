package runtime

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// Bucket boundaries of the GenAI client metrics (semconv v1.41).
var (
	tokenBuckets    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
	durationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
)

// genaiMetrics records gen_ai.client.token.usage and
// gen_ai.client.operation.duration (semconv's genaiconv instruments) from
// finished model-call spans, in the pipeline's goroutine: the wrappers pay
// nothing for them. Attribute sets are built once per combination of
// operation, provider, models and error type, not per span.
type genaiMetrics struct {
	tokens   genaiconv.ClientTokenUsage
	duration genaiconv.ClientOperationDuration
	mu       sync.Mutex // Account runs on callers' goroutines too
	sets     map[metricKey]*metricSets
}

type metricKey struct{ op, provider, reqModel, respModel, errType string }

type metricSets struct {
	duration, input, output attribute.Set
}

func newGenAIMetrics(meter metric.Meter) (*genaiMetrics, error) {
	tokens, err := genaiconv.NewClientTokenUsage(meter, metric.WithExplicitBucketBoundaries(tokenBuckets...))
	if err != nil {
		return nil, err
	}
	duration, err := genaiconv.NewClientOperationDuration(meter, metric.WithExplicitBucketBoundaries(durationBuckets...))
	if err != nil {
		return nil, err
	}
	return &genaiMetrics{tokens: tokens, duration: duration, sets: map[metricKey]*metricSets{}}, nil
}

func (g *genaiMetrics) Name() string                   { return "genai-metrics" }
func (g *genaiMetrics) Flush(context.Context) error    { return nil }
func (g *genaiMetrics) Shutdown(context.Context) error { return nil }

// Consume records the metrics of the batch's model calls.
func (g *genaiMetrics) Consume(spans []*export.Span) {
	for _, sp := range spans {
		g.Account(sp.Facts, sp.StartTime(), sp.EndTime())
	}
}

// Account records one model call: the pipeline's spans through Consume,
// and the calls of spans shed for memory, from the callers' goroutines.
func (g *genaiMetrics) Account(f *export.Facts, start, end time.Time) {
	if f == nil || !f.IsModelCall() {
		return
	}
	k := metricKey{f.Operation, f.Provider, f.RequestModel, f.ResponseModel, ""}
	if f.Error {
		k.errType = cmp.Or(f.ErrorType, genai.ErrorTypeOther)
	}
	sets := g.setsOf(k)
	ctx := context.Background()
	g.duration.RecordSet(ctx, end.Sub(start).Seconds(), sets.duration)
	if f.HasUsage {
		g.tokens.RecordSet(ctx, f.Usage.Input, sets.input)
		g.tokens.RecordSet(ctx, f.Usage.Output, sets.output)
	}
}

// setsOf returns the attribute sets of a call's metrics, cached.
func (g *genaiMetrics) setsOf(k metricKey) *metricSets {
	g.mu.Lock()
	defer g.mu.Unlock()
	sets := g.sets[k]
	if sets == nil {
		sets = newMetricSets(k)
		if len(g.sets) < 4096 { // model names come from responses: bound the cache
			g.sets[k] = sets
		}
	}
	return sets
}

func newMetricSets(k metricKey) *metricSets {
	attrs := []attribute.KeyValue{genai.OperationName.String(k.op)}
	if k.provider != "" {
		// gen_ai.system too: Instana's GenAI metrics were read by it.
		attrs = append(attrs, genai.ProviderName.String(k.provider), vocab.LegacySystem.String(k.provider))
	}
	if k.reqModel != "" {
		attrs = append(attrs, genai.RequestModel.String(k.reqModel))
	}
	if k.respModel != "" {
		attrs = append(attrs, genai.ResponseModel.String(k.respModel))
	}
	withErr := attrs
	if k.errType != "" {
		withErr = append(slices.Clone(attrs), genai.ErrorType.String(k.errType))
	}
	token := func(kind genaiconv.TokenTypeAttr) attribute.Set {
		return attribute.NewSet(append(slices.Clone(attrs), semconv.GenAITokenTypeKey.String(string(kind)))...)
	}
	return &metricSets{
		duration: attribute.NewSet(withErr...),
		input:    token(genaiconv.TokenTypeInput),
		output:   token(genaiconv.TokenTypeOutput),
	}
}

// registerPipelineMetrics exposes the export pipeline's counters as
// observable instruments, read at each collection. It is called once the
// pipeline exists: the periodic readers may collect at any moment after.
func (m *Manager) registerPipelineMetrics(meter metric.Meter) error {
	accepted, err := meter.Int64ObservableCounter("genaitrace.spans.accepted", metric.WithUnit("{span}"),
		metric.WithDescription("Spans handed to genaitrace's export by span.End."))
	if err != nil {
		return err
	}
	exported, err := meter.Int64ObservableCounter("genaitrace.export.spans", metric.WithUnit("{span}"),
		metric.WithDescription("Spans per destination and result: exported, spooled, replayed, retried, set_aside, possible_duplicate, dropped."))
	if err != nil {
		return err
	}
	queue, err := meter.Int64ObservableGauge("genaitrace.export.queue.size", metric.WithUnit("By"),
		metric.WithDescription("Bytes of encoded batches in a destination's memory queue."))
	if err != nil {
		return err
	}
	spool, err := meter.Int64ObservableGauge("genaitrace.export.spool.size", metric.WithUnit("By"),
		metric.WithDescription("Bytes in a destination's disk spool."))
	if err != nil {
		return err
	}
	state, err := meter.Int64ObservableGauge("genaitrace.export.breaker.state",
		metric.WithDescription("A destination's circuit breaker: 0 closed, 1 half-open, 2 open."))
	if err != nil {
		return err
	}
	_, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		p := m.pipe.Stats()
		o.ObserveInt64(accepted, p.Accepted)
		for reason, n := range p.Shed {
			o.ObserveInt64(exported, n, metric.WithAttributes(attribute.String("result", "dropped"), attribute.String("reason", reason)))
		}
		for _, d := range m.dests {
			st := d.Stats()
			dest := attribute.String("destination", st.Name)
			for result, n := range map[string]int64{"exported": st.Exported, "spooled": st.Spooled, "replayed": st.Replayed, "retried": st.Retried,
				"set_aside": st.SetAside, "possible_duplicate": st.PossibleDuplicates} {
				o.ObserveInt64(exported, n, metric.WithAttributes(dest, attribute.String("result", result)))
			}
			for reason, n := range st.Dropped {
				o.ObserveInt64(exported, n, metric.WithAttributes(dest, attribute.String("result", "dropped"), attribute.String("reason", reason)))
			}
			o.ObserveInt64(queue, st.QueueBytes, metric.WithAttributes(dest))
			if st.Spool != nil {
				o.ObserveInt64(spool, st.Spool.Bytes, metric.WithAttributes(dest))
			}
			o.ObserveInt64(state, int64(st.Breaker.State), metric.WithAttributes(dest))
		}
		return nil
	}, accepted, exported, queue, spool, state)
	return err
}

// startMetrics builds the MeterProvider with a periodic reader per
// metrics-capable destination (Instana and the generic OTLP destination;
// Langfuse discards metrics).
func (m *Manager) startMetrics(res *resource.Resource) (*genaiMetrics, error) {
	var opts []sdkmetric.Option
	opts = append(opts, sdkmetric.WithResource(res))
	for _, d := range m.dests {
		exp := m.metricExporter(d)
		if exp == nil {
			continue
		}
		m.metricExporters = append(m.metricExporters, exp)
		opts = append(opts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(m.cfg.Metrics.Interval))))
	}
	m.meters = sdkmetric.NewMeterProvider(opts...)
	return newGenAIMetrics(m.meter())
}

func (m *Manager) meter() metric.Meter {
	return m.meters.Meter(genai.ScopeName, metric.WithInstrumentationVersion(Version))
}

// metricExporter returns the exporter of a destination's metrics, or nil
// when the destination takes no metrics.
func (m *Manager) metricExporter(d runningDestination) *export.MetricExporter {
	url := d.kind.metricsURL(&m.cfg)
	if url == "" || m.cfg.Metrics.Disabled {
		return nil
	}
	return d.MetricExporter(url) // the destination's transport adds the query
}

// MeterProvider returns genaitrace's MeterProvider: its own metrics (the
// GenAI client metrics and the export pipeline's counters) go through it,
// and an application may add its own.
func (m *Manager) MeterProvider() *sdkmetric.MeterProvider { return m.meters }

// metricsConfig configures genaitrace's metrics.
type metricsConfig struct {
	// Disabled turns metric export off (TELEMETRY_METRICS=false).
	Disabled bool
	// Interval between collections (TELEMETRY_METRICS_INTERVAL, default 30s).
	Interval time.Duration
}

// metricStats counts each metrics-capable destination's metric exports.
func (m *Manager) metricStats() []export.MetricExportStats {
	out := []export.MetricExportStats{}
	for _, x := range m.metricExporters {
		out = append(out, x.Stats())
	}
	return out
}
