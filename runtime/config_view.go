package runtime

import (
	"maps"
	"slices"
	"time"

	"github.com/genaitrace/genaitrace/runtime/internal/units"
)

// ConfigView is the effective configuration as Manager.Config and the
// diagnostics' /config show it: every default resolved, every duration in
// milliseconds (the _ms fields), every secret as "***" ("" when unset),
// every endpoint without user info or query. It is a value: changing it
// changes nothing.
type ConfigView struct {
	Service struct {
		Name               string            `json:"name"`
		Version            string            `json:"version"`
		Environment        string            `json:"environment"`
		ResourceAttributes map[string]string `json:"resource_attributes"`
	} `json:"service"`
	// SampleRate is the share of plain traces kept (TELEMETRY_SAMPLE_RATE);
	// SampleKeep the traces kept whole whatever it says
	// (TELEMETRY_SAMPLE_KEEP).
	SampleRate float64  `json:"sample_rate"`
	SampleKeep []string `json:"sample_keep"`
	// ContentSampleRate is the share of traces sent with their content
	// (TELEMETRY_CONTENT_SAMPLE_RATE).
	ContentSampleRate float64 `json:"content_sample_rate"`
	// GenAIConventions is "v1.41" or "genai-v0.1.0"
	// (OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental): the
	// release whose names the destinations get.
	GenAIConventions string `json:"genai_conventions"`
	Instana          struct {
		Enabled  bool    `json:"enabled"`
		Endpoint string  `json:"endpoint"`
		Query    string  `json:"query"`
		APIKey   string  `json:"api_key"`
		Host     string  `json:"host"`
		TLS      TLSView `json:"tls"`
		Content  bool    `json:"content"`
		// Compression is gzip or none.
		Compression string `json:"compression"`
		// TokenNames is "conventions", "legacy" or "both"
		// (INSTANA_TOKEN_NAMES).
		TokenNames string `json:"token_names"`
	} `json:"instana"`
	Langfuse struct {
		Enabled   bool    `json:"enabled"`
		Endpoint  string  `json:"endpoint"`
		Query     string  `json:"query"`
		PublicKey string  `json:"public_key"`
		SecretKey string  `json:"secret_key"`
		TLS       TLSView `json:"tls"`
		// Cost is "langfuse" or "genaitrace" (LANGFUSE_COST).
		Cost string `json:"cost"`
		// Export is "llm" or "all" (LANGFUSE_EXPORT).
		Export string `json:"export"`
		// Verify reads delivered traces back (LANGFUSE_VERIFY).
		Verify      bool   `json:"verify"`
		Compression string `json:"compression"`
		// ScoresPerMinute paces its scores API's requests, 0 when they
		// are not paced (LANGFUSE_SCORES_PER_MINUTE).
		ScoresPerMinute int `json:"scores_per_minute"`
		// KeepRemoteParent sends a local root with its remote parent
		// (LANGFUSE_KEEP_REMOTE_PARENT).
		KeepRemoteParent bool `json:"keep_remote_parent"`
		// ReplayChecksPerMinute bounds the questions about stored spans
		// before a replay (LANGFUSE_REPLAY_CHECKS_PER_MINUTE; 0: none).
		ReplayChecksPerMinute int `json:"replay_checks_per_minute"`
	} `json:"langfuse"`
	OTLP struct {
		Enabled         bool              `json:"enabled"`
		Endpoint        string            `json:"endpoint"`
		Query           string            `json:"query"`
		MetricsEndpoint string            `json:"metrics_endpoint"`
		MetricsQuery    string            `json:"metrics_query"`
		LogsEndpoint    string            `json:"logs_endpoint"`
		LogsQuery       string            `json:"logs_query"`
		Headers         map[string]string `json:"headers"`
		TLS             TLSView           `json:"tls"`
		Content         bool              `json:"content"`
		Compression     string            `json:"compression"`
	} `json:"otlp"`
	// Scores names the destinations that take genai.Score's evaluations,
	// as TELEMETRY_SCORES does: "all" (every enabled destination), "none",
	// or a comma list.
	Scores string `json:"scores"`
	// Console is "auto", "on" or "off"; ConsoleWriter "stderr" or
	// "custom" (WithConsole).
	Console       string `json:"console"`
	ConsoleWriter string `json:"console_writer"`
	// CaptureContent is "on" or "off": whether the wrappers record
	// prompts and completions.
	CaptureContent string `json:"capture_content"`
	Mask           struct {
		// Custom is set when WithMask gave a mask function.
		Custom  bool     `json:"custom"`
		Keys    []string `json:"keys"`
		Secrets bool     `json:"secrets"`
	} `json:"mask"`
	Spool struct {
		Enabled  bool   `json:"enabled"`
		Dir      string `json:"dir"`
		MaxBytes int64  `json:"max_bytes"`
		Sync     bool   `json:"sync"`
		// Durability is "memory" or "disk" (TELEMETRY_DURABILITY).
		Durability string `json:"durability"`
	} `json:"spool"`
	Export struct {
		MemoryMaxBytes   int64   `json:"memory_max_bytes"`
		QueueMaxBytes    int64   `json:"queue_max_bytes"`
		MaxInFlight      int     `json:"max_in_flight"`
		MaxBatch         int     `json:"max_batch"`
		BatchTimeoutMS   float64 `json:"batch_timeout_ms"`
		AttemptTimeoutMS float64 `json:"attempt_timeout_ms"`
		PollIntervalMS   float64 `json:"poll_interval_ms"`
		Retry            struct {
			MaxAttempts     int     `json:"max_attempts"`
			InitialMS       float64 `json:"initial_ms"`
			MaxMS           float64 `json:"max_ms"`
			MaxRetryAfterMS float64 `json:"max_retry_after_ms"`
		} `json:"retry"`
	} `json:"export"`
	Metrics struct {
		Enabled    bool    `json:"enabled"`
		IntervalMS float64 `json:"interval_ms"`
	} `json:"metrics"`
	Breaker struct {
		FailureThreshold uint32  `json:"failure_threshold"`
		OpenTimeoutMS    float64 `json:"open_timeout_ms"`
		MaxOpenTimeoutMS float64 `json:"max_open_timeout_ms"`
	} `json:"breaker"`
	Diagnostics struct {
		Token    string `json:"token"`
		Content  bool   `json:"content"`
		MaxBytes int64  `json:"max_bytes"`
	} `json:"diagnostics"`
	// PricesOverridden counts the model prices given by
	// TELEMETRY_PRICES_FILE or WithPrices.
	PricesOverridden int `json:"prices_overridden"`
	// SetGlobal is false after WithoutGlobal.
	SetGlobal bool `json:"set_global"`
}

// TLSView is a destination's TLS verification as ConfigView shows it.
type TLSView struct {
	Verify   bool   `json:"verify"`
	CABundle string `json:"ca_bundle"`
}

// view is the configuration as ConfigView shows it.
func (c *config) view() ConfigView {
	var v ConfigView
	v.Service.Name, v.Service.Version, v.Service.Environment = c.ServiceName, c.ServiceVersion, c.Environment
	v.Service.ResourceAttributes = map[string]string{}
	for _, kv := range c.ResourceAttributes {
		v.Service.ResourceAttributes[string(kv.Key)] = kv.Value.String()
	}
	v.SampleRate, v.SampleKeep, v.ContentSampleRate = c.SampleRate, []string{}, c.ContentSampleRate
	v.GenAIConventions = c.Conventions.String()
	for _, k := range c.SampleKeep {
		v.SampleKeep = append(v.SampleKeep, k.String())
	}

	in := &v.Instana
	in.Enabled, in.Endpoint, in.Query, in.APIKey = c.Instana.Enabled, redactURL(c.Instana.Endpoint), c.Instana.query.String(), c.Instana.APIKey.String()
	in.Host, in.TLS, in.Content, in.Compression = c.Instana.Host, tlsView(c.Instana.TLS), c.Instana.Content, c.Instana.Compression
	in.TokenNames = c.Instana.TokenNames.String()

	lf := &v.Langfuse
	lf.Enabled, lf.Endpoint, lf.Query = c.Langfuse.Enabled, redactURL(c.Langfuse.Endpoint), c.Langfuse.query.String()
	lf.PublicKey, lf.SecretKey, lf.TLS = c.Langfuse.PublicKey, c.Langfuse.SecretKey.String(), tlsView(c.Langfuse.TLS)
	lf.Cost = c.Langfuse.Cost.String()
	lf.Export, lf.Verify, lf.Compression, lf.ScoresPerMinute = c.Langfuse.Export.String(), c.Langfuse.Verify, c.Langfuse.Compression, c.Langfuse.ScoresPerMinute
	lf.KeepRemoteParent, lf.ReplayChecksPerMinute = c.Langfuse.KeepRemoteParent, c.Langfuse.ReplayChecks

	o := &v.OTLP
	o.Enabled, o.Endpoint, o.Query = c.OTLP.Enabled, redactURL(c.OTLP.Endpoint), c.OTLP.query.String()
	o.MetricsEndpoint, o.MetricsQuery = redactURL(c.OTLP.MetricsEndpoint), c.OTLP.metricsQuery.String()
	o.LogsEndpoint, o.LogsQuery = redactURL(c.OTLP.LogsEndpoint), c.OTLP.logsQuery.String()
	o.Headers = map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(c.OTLP.Headers)) {
		o.Headers[k] = c.OTLP.Headers[k].String()
	}
	o.TLS, o.Content, o.Compression = tlsView(c.OTLP.TLS), c.OTLP.Content, c.OTLP.Compression

	v.Scores = c.Scores.String()
	v.Console = map[ConsoleMode]string{ConsoleAuto: "auto", ConsoleOn: "on", ConsoleOff: "off"}[c.Console]
	v.ConsoleWriter = "stderr"
	if c.ConsoleWriter != nil {
		v.ConsoleWriter = "custom"
	}
	v.CaptureContent = "off"
	if c.CaptureContent != nil && *c.CaptureContent {
		v.CaptureContent = "on"
	}
	v.Mask.Custom, v.Mask.Secrets, v.Mask.Keys = c.Mask != nil, c.MaskSecrets, []string{}
	for _, k := range c.MaskKeys {
		v.Mask.Keys = append(v.Mask.Keys, string(k))
	}

	s := &v.Spool
	s.Enabled, s.Dir, s.MaxBytes, s.Sync, s.Durability = !c.Spool.Disabled, c.Spool.Dir, c.Spool.MaxBytes, c.Spool.Sync, c.Durability.String()

	e := &v.Export
	e.MemoryMaxBytes, e.QueueMaxBytes, e.MaxInFlight, e.MaxBatch = c.Export.MemoryMaxBytes, c.Export.QueueMaxBytes, c.Export.MaxInFlight, c.Export.MaxBatch
	e.BatchTimeoutMS, e.AttemptTimeoutMS, e.PollIntervalMS = msOf(c.Export.BatchTimeout), msOf(c.Export.AttemptTimeout), msOf(c.Export.PollInterval)
	r := c.Export.Retry
	e.Retry.MaxAttempts, e.Retry.InitialMS, e.Retry.MaxMS, e.Retry.MaxRetryAfterMS = r.MaxAttempts, msOf(r.Initial), msOf(r.Max), msOf(r.MaxRetryAfter)

	v.Metrics.Enabled, v.Metrics.IntervalMS = !c.Metrics.Disabled, msOf(c.Metrics.Interval)
	b := c.Breaker
	v.Breaker.FailureThreshold, v.Breaker.OpenTimeoutMS, v.Breaker.MaxOpenTimeoutMS = b.FailureThreshold, msOf(b.OpenTimeout), msOf(b.MaxOpenTimeout)
	v.Diagnostics.Token, v.Diagnostics.Content, v.Diagnostics.MaxBytes = c.Diagnostics.Token.String(), c.Diagnostics.Content, c.Diagnostics.MaxBytes
	v.PricesOverridden, v.SetGlobal = len(c.Prices), c.SetGlobal
	return v
}

func tlsView(t TLSConfig) TLSView {
	return TLSView{Verify: !t.InsecureSkipVerify, CABundle: t.CABundle}
}

// msOf is d in milliseconds, the diagnostics' one unit of time.
func msOf(d time.Duration) float64 { return units.MS(d) }
