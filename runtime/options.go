package runtime

import (
	"io"
	"log/slog"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// Option overrides the configuration read from the environment.
type Option func(*config)

// WithServiceName sets service.name (OTEL_SERVICE_NAME).
func WithServiceName(name string) Option { return func(c *config) { c.ServiceName = name } }

// WithServiceVersion sets service.version (OTEL_SERVICE_VERSION), which
// Langfuse shows as the release.
func WithServiceVersion(v string) Option { return func(c *config) { c.ServiceVersion = v } }

// WithEnvironment sets deployment.environment.name (DEPLOYMENT_ENVIRONMENT).
func WithEnvironment(env string) Option { return func(c *config) { c.Environment = env } }

// WithResourceAttributes adds resource attributes (OTEL_RESOURCE_ATTRIBUTES).
func WithResourceAttributes(attrs ...attribute.KeyValue) Option {
	return func(c *config) { c.ResourceAttributes = append(c.ResourceAttributes, attrs...) }
}

// WithGenAIConventions chooses the release of the GenAI semantic
// conventions whose names the destinations get, in spans and metrics
// (export.ConventionsLatest is what
// OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental asks for).
func WithGenAIConventions(conv export.Conventions) Option {
	return func(c *config) { c.Conventions = conv }
}

// WithSampleRate sets the share of plain traces kept
// (TELEMETRY_SAMPLE_RATE), from 0 to 1: the traces WithSampleKeep names
// are kept whole whatever it says.
func WithSampleRate(rate float64) Option { return func(c *config) { c.SampleRate = rate } }

// WithContentSampleRate sends prompts, completions and tool payloads for
// only that share of the traces, chosen by trace ID
// (TELEMETRY_CONTENT_SAMPLE_RATE, default 1): the others are sent whole,
// their usage and cost intact, without content. 0 sends none, as capture
// off does.
func WithContentSampleRate(rate float64) Option {
	return func(c *config) { c.ContentSampleRate = rate }
}

// WithSampleKeep names the traces kept whole whatever the sample rate
// (TELEMETRY_SAMPLE_KEEP; KeepGenAI and KeepErrors by default), replacing
// the default: WithSampleKeep(KeepGenAI, KeepErrors, KeepSlowerThan(2*time.Second)).
// None keeps only the sampled share of every trace.
func WithSampleKeep(keep ...SampleKeep) Option {
	return func(c *config) { c.SampleKeep = slices.Clone(keep) }
}

// WithInstana enables Instana at endpoint (the agent, http://host:4318, or
// the agentless acceptor) with apiKey, which may be empty for an agent.
func WithInstana(endpoint, apiKey string) Option {
	return func(c *config) {
		c.Instana.Enabled, c.Instana.Endpoint, c.Instana.APIKey = true, endpoint, newSecret(apiKey)
		c.Instana.endpointFrom = "WithInstana"
	}
}

// WithInstanaHost sets the host identity sent to Instana (INSTANA_HOST).
func WithInstanaHost(host string) Option { return func(c *config) { c.Instana.Host = host } }

// WithInstanaContent sends prompts and completions to Instana too
// (INSTANA_CAPTURE_CONTENT).
func WithInstanaContent(on bool) Option { return func(c *config) { c.Instana.Content = on } }

// WithInstanaTokenNames chooses the names under which Instana gets token
// counts (INSTANA_TOKEN_NAMES): the conventions' (the default), the names
// OpenLLMetry sent until 0.47 for older sensors, or both.
func WithInstanaTokenNames(n export.InstanaTokenNames) Option {
	return func(c *config) { c.Instana.TokenNames = n }
}

// WithInstanaTLS sets Instana's TLS verification.
func WithInstanaTLS(t TLSConfig) Option { return func(c *config) { c.Instana.TLS = t } }

// WithLangfuse enables Langfuse at endpoint (a base URL such as
// https://cloud.langfuse.com) with a project's keys.
func WithLangfuse(endpoint, publicKey, secretKey string) Option {
	return func(c *config) {
		c.Langfuse.Enabled, c.Langfuse.Endpoint, c.Langfuse.endpointFrom = true, endpoint, "WithLangfuse"
		c.Langfuse.PublicKey, c.Langfuse.SecretKey = publicKey, newSecret(secretKey)
	}
}

// WithLangfuseExport chooses which traces Langfuse gets (LANGFUSE_EXPORT):
// those with GenAI work (the default) or all.
func WithLangfuseExport(e LangfuseExport) Option { return func(c *config) { c.Langfuse.Export = e } }

// WithLangfuseVerify reads an exported trace back through Langfuse's
// public API now and then, to confirm that traces appear
// (LANGFUSE_VERIFY).
func WithLangfuseVerify(on bool) Option { return func(c *config) { c.Langfuse.Verify = on } }

// WithLangfuseKeepRemoteParent says whether the services that call this
// one export to the same Langfuse project (LANGFUSE_KEEP_REMOTE_PARENT).
// If they do, a request's local root is sent with its remote parent, under
// the caller's observation. If not (the default), it is sent as the
// trace's root, so that Langfuse shows the trace's input and output, with
// the caller's span ID as genaitrace.parent_span_id.
func WithLangfuseKeepRemoteParent(keep bool) Option {
	return func(c *config) { c.Langfuse.KeepRemoteParent = keep }
}

// WithLangfuseReplayChecks sets how many requests a minute genaitrace may
// make to Langfuse's public API to ask, before a batch that may already
// have reached Langfuse is sent again, which of its spans Langfuse stores
// (LANGFUSE_REPLAY_CHECKS_PER_MINUTE, default 10); 0 asks nothing.
func WithLangfuseReplayChecks(perMinute int) Option {
	return func(c *config) { c.Langfuse.ReplayChecks, c.Langfuse.replayChecksSet = perMinute, true }
}

// WithOTLPContent sends prompts and completions to the generic OTLP
// destination too (TELEMETRY_OTLP_CAPTURE_CONTENT).
func WithOTLPContent(on bool) Option { return func(c *config) { c.OTLP.Content = on } }

// WithMask rewrites, off the caller's path, every prompt and completion
// (and the attributes named by keys) before it leaves the process for a
// destination. mask must be safe for concurrent use and fast: it runs for
// every such attribute of every span, per destination.
func WithMask(mask Mask, keys ...attribute.Key) Option {
	return func(c *config) { c.Mask, c.MaskKeys = mask, append(c.MaskKeys, keys...) }
}

// WithMaskSecrets masks API-key and bearer-token shapes in prompts,
// completions and the attributes named by WithMask (TELEMETRY_MASK_SECRETS).
func WithMaskSecrets(on bool) Option { return func(c *config) { c.MaskSecrets = on } }

// WithLangfuseScoresPerMinute paces the requests to Langfuse's scores API
// (one score each) to at most n a minute; 0 does not pace them
// (LANGFUSE_SCORES_PER_MINUTE).
func WithLangfuseScoresPerMinute(n int) Option {
	return func(c *config) { c.Langfuse.ScoresPerMinute, c.Langfuse.scoresPaceSet = n, true }
}

// WithScores names the destinations genai.Score's evaluations go to
// ("langfuse", "instana", "otlp"); none named sends them nowhere
// (TELEMETRY_SCORES).
func WithScores(destinations ...string) Option {
	return func(c *config) { c.Scores.To = append([]string{}, destinations...) }
}

// WithLangfuseTLS sets Langfuse's TLS verification.
func WithLangfuseTLS(t TLSConfig) Option { return func(c *config) { c.Langfuse.TLS = t } }

// WithLangfuseCost chooses who prices calls for Langfuse (LANGFUSE_COST).
func WithLangfuseCost(who export.LangfuseCost) Option {
	return func(c *config) { c.Langfuse.Cost = who }
}

// WithOTLP enables the generic OTLP/HTTP destination at a full traces URL.
func WithOTLP(tracesURL string, headers map[string]string) Option {
	return func(c *config) {
		c.OTLP.Enabled, c.OTLP.Endpoint, c.OTLP.endpointFrom = true, tracesURL, "WithOTLP"
		c.OTLP.Headers = make(map[string]secret, len(headers))
		for k, v := range headers {
			c.OTLP.Headers[k] = newSecret(v)
		}
	}
}

// WithCompression sets how a destination's requests are sent, by name
// ("instana", "langfuse", "otlp"): export.Gzip or export.NoCompression
// (INSTANA_COMPRESSION, LANGFUSE_COMPRESSION,
// OTEL_EXPORTER_OTLP_TRACES_COMPRESSION). Unset, a destination on this
// machine gets none, one across a network gzip.
func WithCompression(destination string, c export.Compression) Option {
	return func(cfg *config) {
		if k, ok := kindNamed(destination); ok {
			*k.compression(cfg) = c.String()
		} else {
			cfg.unknownNames = append(cfg.unknownNames, unknownName{"WithCompression", destination})
		}
	}
}

// WithDestinationsDisabled turns destinations off by name: "instana",
// "langfuse", "otlp", "console".
func WithDestinationsDisabled(names ...string) Option {
	return func(c *config) {
		for _, n := range names {
			if k, ok := kindNamed(n); ok {
				k.off(c)
			} else if n == "console" {
				c.Console = ConsoleOff
			} else {
				c.unknownNames = append(c.unknownNames, unknownName{"WithDestinationsDisabled", n})
			}
		}
	}
}

// WithConsole prints every finished trace to w (TELEMETRY_CONSOLE), even
// when other destinations are enabled.
func WithConsole(w io.Writer) Option {
	return func(c *config) { c.Console, c.ConsoleWriter = ConsoleOn, w }
}

// WithCaptureContent switches recording of prompts and completions in the
// generated wrappers on or off (TELEMETRY_CAPTURE_CONTENT).
func WithCaptureContent(on bool) Option { return func(c *config) { c.CaptureContent = &on } }

// WithSpoolDir sets the spool directory (TELEMETRY_SPOOL_DIR).
func WithSpoolDir(dir string) Option { return func(c *config) { c.Spool.Dir = dir } }

// WithSpoolMaxBytes caps each destination's spool (TELEMETRY_SPOOL_MAX_BYTES).
func WithSpoolMaxBytes(n int64) Option { return func(c *config) { c.Spool.MaxBytes = n } }

// WithDurability chooses when batches are written to disk
// (TELEMETRY_DURABILITY).
func WithDurability(d Durability) Option { return func(c *config) { c.Durability = d } }

// WithoutSpool keeps undeliverable spans in memory only (TELEMETRY_SPOOL=false).
func WithoutSpool() Option { return func(c *config) { c.Spool.Disabled = true } }

// WithMemoryMaxBytes bounds, in bytes, everything genaitrace holds between
// span.End and the wire (TELEMETRY_MEMORY_MAX_BYTES).
func WithMemoryMaxBytes(n int64) Option { return func(c *config) { c.Export.MemoryMaxBytes = n } }

// WithQueueMaxBytes bounds each destination's in-memory queue
// (TELEMETRY_QUEUE_MAX_BYTES).
func WithQueueMaxBytes(n int64) Option { return func(c *config) { c.Export.QueueMaxBytes = n } }

// WithMaxInFlight sets concurrent exports per destination
// (TELEMETRY_MAX_IN_FLIGHT).
func WithMaxInFlight(n int) Option { return func(c *config) { c.Export.MaxInFlight = n } }

// WithBatchTimeout sets the longest a finished span waits for its batch.
func WithBatchTimeout(d time.Duration) Option { return func(c *config) { c.Export.BatchTimeout = d } }

// WithAttemptTimeout bounds one HTTP export attempt (default 5 s).
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *config) { c.Export.AttemptTimeout = d }
}

// WithRetry sets the in-place retry policy of one batch.
func WithRetry(p export.RetryPolicy) Option { return func(c *config) { c.Export.Retry = p } }

// WithPollInterval sets how often idle senders look for spooled work.
func WithPollInterval(d time.Duration) Option { return func(c *config) { c.Export.PollInterval = d } }

// WithBreaker configures every destination's breaker: it opens after
// failures consecutive failed attempts, probes after open, and backs off up
// to maxOpen (TELEMETRY_BREAKER_*). Zero values keep the defaults.
func WithBreaker(failures uint32, open, maxOpen time.Duration) Option {
	return func(c *config) {
		c.Breaker = breakerConfig{FailureThreshold: failures, OpenTimeout: open, MaxOpenTimeout: maxOpen}
	}
}

// WithPrices adds or replaces model prices (TELEMETRY_PRICES_FILE).
func WithPrices(prices map[string]pricing.Price) Option {
	return func(c *config) {
		if c.Prices == nil {
			c.Prices = map[string]pricing.Price{}
		}
		for k, v := range prices {
			c.Prices[k] = v
		}
	}
}

// WithLogger sets the logger for genaitrace's warnings (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.Logger = l } }

// WithoutGlobal leaves the global TracerProvider and propagator alone.
func WithoutGlobal() Option { return func(c *config) { c.SetGlobal = false } }

// WithDiagnosticsToken protects the diagnostics handler with a bearer token
// (TELEMETRY_DIAGNOSTICS_TOKEN).
func WithDiagnosticsToken(token string) Option {
	return func(c *config) { c.Diagnostics.Token = newSecret(token) }
}

// WithDiagnosticsContent shows prompts and completions on the diagnostics
// page (TELEMETRY_DIAGNOSTICS_CONTENT).
func WithDiagnosticsContent(on bool) Option { return func(c *config) { c.Diagnostics.Content = on } }

// WithDiagnosticsMaxBytes bounds the store of recent traces
// (TELEMETRY_DIAGNOSTICS_MAX_BYTES).
func WithDiagnosticsMaxBytes(n int64) Option { return func(c *config) { c.Diagnostics.MaxBytes = n } }

// WithMetricsInterval sets how often metrics are collected and exported
// (TELEMETRY_METRICS_INTERVAL, default 30s).
func WithMetricsInterval(d time.Duration) Option { return func(c *config) { c.Metrics.Interval = d } }

// WithoutMetrics turns metric export off (TELEMETRY_METRICS=false).
func WithoutMetrics() Option { return func(c *config) { c.Metrics.Disabled = true } }
