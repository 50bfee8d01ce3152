package runtime

import (
	"cmp"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export"
)

// Defaults of the runtime's own settings; those of the pipeline, the
// destinations and the breaker are their components' (export.Default*,
// breaker.Default*).
const (
	// DefaultInstanaEndpoint is the host agent's OTLP/HTTP port.
	DefaultInstanaEndpoint = "http://localhost:4318"
	// DefaultLangfuseEndpoint is Langfuse Cloud (EU).
	DefaultLangfuseEndpoint = "https://cloud.langfuse.com"
	// defaultDiagnosticsMaxBytes bounds the store of recent traces: a few
	// thousand spans (Go's collector multiplies what is live several times
	// over in the heap of a busy process).
	defaultDiagnosticsMaxBytes = 4 << 20
	// defaultMetricsInterval is the time between metric collections.
	defaultMetricsInterval = 30 * time.Second
	// defaultReplayChecks is how many requests a minute may ask Langfuse
	// which spans it stores before a replay: a third of Langfuse Cloud's
	// public-API budget on the hobby plan (30 a minute for the whole
	// organization, shared with scores and LANGFUSE_VERIFY).
	defaultReplayChecks = 10
)

// defaultConfig holds the defaults a zero value cannot express: a zero
// sample rate keeps no trace, and a zero SetGlobal leaves the global
// provider alone.
func defaultConfig() config {
	return config{SampleRate: 1, SampleKeep: defaultSampleKeep, ContentSampleRate: 1, SetGlobal: true}
}

// resolve fills every setting left at zero with its default, once, so
// that the pipeline, Manager.Config and /config read the same effective
// values. It runs after the environment and the options are merged.
func (c *config) resolve() {
	c.ServiceName = cmp.Or(c.ServiceName, "unknown_service:"+filepath.Base(os.Args[0]))
	c.Instana.Endpoint = cmp.Or(c.Instana.Endpoint, DefaultInstanaEndpoint)
	c.Langfuse.Endpoint = cmp.Or(c.Langfuse.Endpoint, DefaultLangfuseEndpoint)
	if !c.Langfuse.replayChecksSet {
		c.Langfuse.ReplayChecks, c.Langfuse.replayChecksSet = defaultReplayChecks, true
	}
	// A query may carry a key: it is kept as a Secret, apart from the
	// endpoint, which is then printable; the transport puts it back.
	c.Instana.Endpoint, c.Instana.query = splitQuery(c.Instana.Endpoint)
	c.Langfuse.Endpoint, c.Langfuse.query = splitQuery(c.Langfuse.Endpoint)
	c.OTLP.Endpoint, c.OTLP.query = splitQuery(c.OTLP.Endpoint)
	c.OTLP.MetricsEndpoint, c.OTLP.metricsQuery = splitQuery(c.OTLP.MetricsEndpoint)
	c.Instana.Compression = compressionFor(c.Instana.Compression, c.Instana.Endpoint)
	c.Langfuse.Compression = compressionFor(c.Langfuse.Compression, c.Langfuse.Endpoint)
	c.OTLP.Compression = compressionFor(c.OTLP.Compression, c.OTLP.Endpoint)
	if c.OTLP.Enabled && c.OTLP.MetricsEndpoint == "" {
		c.OTLP.MetricsEndpoint = strings.TrimSuffix(c.OTLP.Endpoint, "/v1/traces") + "/v1/metrics"
		c.OTLP.metricsQuery = c.OTLP.query
	}
	c.resolveScores()
	if c.ContentSampleRate == 0 {
		// No trace's content is sent: none is recorded.
		off := false
		c.CaptureContent = &off
	}
	if c.CaptureContent == nil {
		// Content is captured when a destination that wants it is on.
		on := false
		for _, k := range destinationKinds {
			on = on || (k.on(c) && k.content(c))
		}
		c.CaptureContent = &on
	}
	if !*c.CaptureContent {
		// Capture off: no content leaves the process, whatever made the
		// span (other instrumentation records its own), for any
		// destination or the diagnostics page.
		c.Instana.Content, c.OTLP.Content, c.Diagnostics.Content = false, false, false
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}

	e := &c.Export
	e.MemoryMaxBytes = cmp.Or(e.MemoryMaxBytes, export.DefaultMemoryMaxBytes)
	e.QueueMaxBytes = cmp.Or(e.QueueMaxBytes, export.DestinationShare(e.MemoryMaxBytes, c.destinations()))
	e.MaxInFlight = cmp.Or(e.MaxInFlight, export.DefaultMaxInFlight)
	e.BatchTimeout = cmp.Or(e.BatchTimeout, export.DefaultBatchTimeout)
	e.MaxBatch = cmp.Or(e.MaxBatch, export.DefaultMaxBatch)
	e.AttemptTimeout = cmp.Or(e.AttemptTimeout, export.DefaultAttemptTimeout)
	e.PollInterval = cmp.Or(e.PollInterval, export.DefaultPollInterval)
	r, d := &e.Retry, export.DefaultRetryPolicy
	r.MaxAttempts = cmp.Or(r.MaxAttempts, d.MaxAttempts)
	r.Initial = cmp.Or(r.Initial, d.Initial)
	r.Max = max(cmp.Or(r.Max, d.Max), r.Initial)
	r.MaxRetryAfter = cmp.Or(r.MaxRetryAfter, d.MaxRetryAfter)

	b := &c.Breaker
	b.FailureThreshold = cmp.Or(b.FailureThreshold, breaker.DefaultFailureThreshold)
	b.OpenTimeout = cmp.Or(b.OpenTimeout, breaker.DefaultOpenTimeout)
	if b.MaxOpenTimeout < b.OpenTimeout {
		b.MaxOpenTimeout = max(breaker.DefaultMaxOpenTimeout, b.OpenTimeout)
	}

	c.Spool.MaxBytes = cmp.Or(c.Spool.MaxBytes, export.DefaultSpoolMaxBytes)
	if c.Spool.Dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		c.Spool.Dir = filepath.Join(base, "genaitrace", sanitize(c.ServiceName))
	}
	c.Diagnostics.MaxBytes = cmp.Or(c.Diagnostics.MaxBytes, defaultDiagnosticsMaxBytes)
	c.Metrics.Interval = cmp.Or(c.Metrics.Interval, defaultMetricsInterval)
}

// compressionFor is a destination's compression: as set, else none for an
// endpoint on this machine (a host agent: gzip would cost CPU and save
// nothing that matters), gzip across a network.
func compressionFor(set, endpoint string) string {
	if set != "" {
		return set
	}
	if u, err := url.Parse(endpoint); err == nil && isLoopback(u.Hostname()) {
		return "none"
	}
	return "gzip"
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
