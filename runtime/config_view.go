package runtime

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// view is the effective configuration as /config shows it: every secret as
// "***", never its value.
func (c Config) view() map[string]any {
	tls := func(t TLSConfig) map[string]any {
		return map[string]any{"verify": !t.InsecureSkipVerify, "ca_bundle": t.CABundle}
	}
	headers := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(c.OTLP.Headers)) {
		headers[k] = c.OTLP.Headers[k].String()
	}
	res := map[string]string{}
	for _, kv := range c.ResourceAttributes {
		res[string(kv.Key)] = kv.Value.String()
	}
	on := genai.CaptureContent() // before resolve: the switch as it stands
	if c.CaptureContent != nil {
		on = *c.CaptureContent
	}
	capture := map[bool]string{true: "on", false: "off"}[on]
	return map[string]any{
		"service":     map[string]any{"name": c.ServiceName, "version": c.ServiceVersion, "environment": c.Environment, "resource_attributes": res},
		"sample_rate": c.SampleRate,
		"instana": map[string]any{"enabled": c.Instana.Enabled, "endpoint": redactURL(c.Instana.Endpoint), "api_key": c.Instana.APIKey.String(),
			"host": c.Instana.Host, "tls": tls(c.Instana.TLS), "content": c.Instana.Content},
		"langfuse": map[string]any{"enabled": c.Langfuse.Enabled, "endpoint": redactURL(c.Langfuse.Endpoint), "public_key": c.Langfuse.PublicKey,
			"secret_key": c.Langfuse.SecretKey.String(), "tls": tls(c.Langfuse.TLS), "cost": map[bool]string{true: "genaitrace", false: "langfuse"}[c.Langfuse.Cost != 0]},
		"otlp": map[string]any{"enabled": c.OTLP.Enabled, "endpoint": redactURL(c.OTLP.Endpoint), "metrics_endpoint": redactURL(c.OTLP.MetricsEndpoint),
			"headers": headers, "tls": tls(c.OTLP.TLS)},
		"console":         map[ConsoleMode]string{ConsoleAuto: "auto", ConsoleOn: "on", ConsoleOff: "off"}[c.Console],
		"capture_content": capture,
		"spool":           map[string]any{"enabled": !c.Spool.Disabled, "dir": c.Spool.Dir, "max_bytes": c.Spool.MaxBytes, "sync": c.Spool.Sync, "durability": c.Durability.String()},
		"export": map[string]any{"memory_max_bytes": c.Export.MemoryMaxBytes, "queue_max_bytes": c.Export.QueueMaxBytes, "max_in_flight": c.Export.MaxInFlight,
			"max_batch": c.Export.MaxBatch, "batch_timeout_ms": msOf(c.Export.BatchTimeout), "attempt_timeout_ms": msOf(c.Export.AttemptTimeout),
			"poll_interval_ms": msOf(c.Export.PollInterval),
			"retry": map[string]any{"max_attempts": c.Export.Retry.MaxAttempts, "initial_ms": msOf(c.Export.Retry.Initial),
				"max_ms": msOf(c.Export.Retry.Max), "max_retry_after_ms": msOf(c.Export.Retry.MaxRetryAfter)}},
		"metrics": map[string]any{"enabled": !c.Metrics.Disabled, "interval_ms": msOf(c.Metrics.Interval)},
		"breaker": map[string]any{"failure_threshold": c.Breaker.FailureThreshold, "open_timeout_ms": msOf(c.Breaker.OpenTimeout),
			"max_open_timeout_ms": msOf(c.Breaker.MaxOpenTimeout)},
		"diagnostics":       map[string]any{"token": c.Diagnostics.Token.String(), "content": c.Diagnostics.Content, "max_bytes": c.Diagnostics.MaxBytes},
		"prices_overridden": len(c.Prices),
	}
}

// String returns the configuration as /config shows it, as JSON: every
// secret as "***", every endpoint without user info or query.
func (c Config) String() string {
	b, err := json.Marshal(c.view())
	if err != nil {
		return "runtime.Config{}"
	}
	return "runtime.Config" + string(b)
}

// GoString is String: Config's fields hold credentials.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// MarshalJSON writes the configuration as /config shows it.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.view()) }

// LogValue logs the configuration as /config shows it.
func (c Config) LogValue() slog.Value { return slog.AnyValue(c.view()) }

// msOf is d in milliseconds, the diagnostics' one unit of time.
func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
