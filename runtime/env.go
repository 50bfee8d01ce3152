package runtime

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// Environment variables read by Configure. The README's configuration table
// documents each.
const (
	EnvServiceName        = "OTEL_SERVICE_NAME"
	EnvServiceVersion     = "OTEL_SERVICE_VERSION"
	EnvEnvironment        = "DEPLOYMENT_ENVIRONMENT"
	EnvResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES"
	EnvSampleRate         = "TELEMETRY_SAMPLE_RATE"

	EnvInstanaEnabled  = "OTEL_EXPORTER_INSTANA_ENABLED"
	EnvInstanaEndpoint = "INSTANA_ENDPOINT"
	EnvInstanaAPIKey   = "INSTANA_API_KEY"
	EnvInstanaHost     = "INSTANA_HOST"
	EnvInstanaVerify   = "INSTANA_SSL_VERIFY"
	EnvInstanaCA       = "INSTANA_SSL_CA_BUNDLE"
	EnvInstanaContent  = "INSTANA_CAPTURE_CONTENT"

	EnvCaptureContent     = "TELEMETRY_CAPTURE_CONTENT"
	EnvCaptureContentOTel = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"

	EnvLangfuseEnabled      = "OTEL_EXPORTER_LANGFUSE_ENABLED"
	EnvLangfuseEnabledAlias = "LANGFUSE_ENABLED"
	EnvLangfuseEndpoint     = "LANGFUSE_ENDPOINT"
	EnvLangfusePublicKey    = "LANGFUSE_PUBLIC_KEY"
	EnvLangfuseSecretKey    = "LANGFUSE_SECRET_KEY"
	EnvLangfuseVerify       = "LANGFUSE_SSL_VERIFY"
	EnvLangfuseCA           = "LANGFUSE_SSL_CA_BUNDLE"
	EnvLangfuseCost         = "LANGFUSE_COST"

	EnvOTLPEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	EnvOTLPTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	EnvOTLPMetrics        = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"
	EnvOTLPHeaders        = "OTEL_EXPORTER_OTLP_HEADERS"
	EnvOTLPCertificate    = "OTEL_EXPORTER_OTLP_CERTIFICATE"
	EnvOTLPInsecure       = "OTEL_EXPORTER_OTLP_INSECURE"

	EnvConsole        = "TELEMETRY_CONSOLE"
	EnvSpool          = "TELEMETRY_SPOOL"
	EnvSpoolDir       = "TELEMETRY_SPOOL_DIR"
	EnvSpoolMaxBytes  = "TELEMETRY_SPOOL_MAX_BYTES"
	EnvDurability     = "TELEMETRY_DURABILITY"
	EnvQueueMaxBytes  = "TELEMETRY_QUEUE_MAX_BYTES"
	EnvMemoryMaxBytes = "TELEMETRY_MEMORY_MAX_BYTES"
	EnvMaxInFlight    = "TELEMETRY_MAX_IN_FLIGHT"
	EnvBreakerFails   = "TELEMETRY_BREAKER_FAILURES"
	EnvBreakerOpen    = "TELEMETRY_BREAKER_OPEN_TIMEOUT"
	EnvBreakerMaxOpen = "TELEMETRY_BREAKER_MAX_OPEN_TIMEOUT"
	EnvPricesFile     = "TELEMETRY_PRICES_FILE"

	EnvDiagnosticsToken    = "TELEMETRY_DIAGNOSTICS_TOKEN"
	EnvDiagnosticsContent  = "TELEMETRY_DIAGNOSTICS_CONTENT"
	EnvDiagnosticsMaxBytes = "TELEMETRY_DIAGNOSTICS_MAX_BYTES"
	EnvMetrics             = "TELEMETRY_METRICS"
	EnvMetricsInterval     = "TELEMETRY_METRICS_INTERVAL"
)

// envReader reads variables and collects every error, each naming its
// variable and the accepted form.
type envReader struct {
	lookup func(string) (string, bool)
	errs   []error
}

func (r *envReader) str(name string) string {
	v, _ := r.lookup(name)
	return strings.TrimSpace(v)
}

func (r *envReader) fail(name, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
}

// parseBool parses the boolean forms accepted in genaitrace's environment
// variables: true/false, 1/0, yes/no, on/off, case-insensitive. An empty
// string is an error so callers can tell "unset" from "false".
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on", "t", "y":
		return true, nil
	case "false", "0", "no", "off", "f", "n":
		return false, nil
	}
	return false, strconv.ErrSyntax
}

// captureMode reads a content-capture variable: a boolean, or one of the
// values OpenTelemetry's GenAI instrumentation (and Google ADK, Genkit)
// use, case-insensitive: NO_CONTENT is off; SPAN_ONLY, EVENT_ONLY and
// SPAN_AND_EVENT are on (genaitrace records content on spans, so the three
// mean the same here). Nil when unset.
func (r *envReader) captureMode(name string) *bool {
	v := r.str(name)
	if v == "" {
		return nil
	}
	on := true
	switch strings.ToUpper(v) {
	case "NO_CONTENT":
		on = false
	case "SPAN_ONLY", "EVENT_ONLY", "SPAN_AND_EVENT":
	default:
		b, err := parseBool(v)
		if err != nil {
			r.fail(name, "%q is not a capture mode; want true, false, NO_CONTENT, SPAN_ONLY, EVENT_ONLY or SPAN_AND_EVENT", v)
			return nil
		}
		on = b
	}
	return &on
}

// boolean returns the variable's value, or nil when unset.
func (r *envReader) boolean(name string) *bool {
	v := r.str(name)
	if v == "" {
		return nil
	}
	b, err := parseBool(v)
	if err != nil {
		r.fail(name, "%q is not a boolean; want true or false", v)
		return nil
	}
	return &b
}

func (r *envReader) bytesize(name string, dst *int64) {
	v := r.str(name)
	if v == "" {
		return
	}
	n, err := parseByteSize(v)
	if err != nil {
		r.fail(name, "%q is not a size; want bytes as an integer or with a unit, such as 268435456, 256MiB or 1GB", v)
		return
	}
	*dst = n
}

func (r *envReader) duration(name string, dst *time.Duration) {
	v := r.str(name)
	if v == "" {
		return
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, "%q is not a positive duration; want a Go duration such as 30s or 5m", v)
		return
	}
	*dst = d
}

func (r *envReader) positiveInt(name string, dst *int) {
	v := r.str(name)
	if v == "" {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		r.fail(name, "%q is not a positive integer; want a whole number such as 5", v)
		return
	}
	*dst = n
}

// fromEnv fills cfg from the environment.
func fromEnv(cfg *Config, lookup func(string) (string, bool)) error {
	r := &envReader{lookup: lookup}
	if v := r.str(EnvServiceName); v != "" {
		cfg.ServiceName = v
	}
	if v := r.str(EnvServiceVersion); v != "" {
		cfg.ServiceVersion = v
	}
	if v := r.str(EnvEnvironment); v != "" {
		cfg.Environment = v
	}
	if v := r.str(EnvResourceAttributes); v != "" {
		attrs, err := parseKeyValues(v)
		if err != nil {
			r.fail(EnvResourceAttributes, "%v; want key1=value1,key2=value2 with values percent-encoded", err)
		}
		cfg.ResourceAttributes = append(cfg.ResourceAttributes, attrs...)
	}
	if v := r.str(EnvSampleRate); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || rate < 0 || rate > 1 || math.IsNaN(rate) {
			r.fail(EnvSampleRate, "%q is not a sampling ratio; want a number from 0 to 1 such as 0.25", v)
		} else {
			cfg.SampleRate = rate
		}
	}
	instanaFromEnv(r, &cfg.Instana)
	langfuseFromEnv(r, &cfg.Langfuse)
	otlpFromEnv(r, &cfg.OTLP)
	resilienceFromEnv(r, cfg)
	return errors.Join(r.errs...)
}

func instanaFromEnv(r *envReader, c *InstanaConfig) {
	endpoint := r.str(EnvInstanaEndpoint)
	enabled := r.boolean(EnvInstanaEnabled)
	switch {
	case enabled != nil:
		c.Enabled = *enabled
	case endpoint != "":
		c.Enabled = true
	}
	if endpoint != "" {
		c.Endpoint = endpoint
	}
	if v := r.str(EnvInstanaAPIKey); v != "" {
		c.APIKey = NewSecret(v)
	}
	if v := r.str(EnvInstanaHost); v != "" {
		c.Host = v
	}
	if v := r.boolean(EnvInstanaVerify); v != nil {
		c.TLS.InsecureSkipVerify = !*v
	}
	if v := r.str(EnvInstanaCA); v != "" {
		c.TLS.CABundle = v
	}
	if v := r.boolean(EnvInstanaContent); v != nil {
		c.Content = *v
	}
}

func langfuseFromEnv(r *envReader, c *LangfuseConfig) {
	enabled := r.boolean(EnvLangfuseEnabled)
	if enabled == nil {
		enabled = r.boolean(EnvLangfuseEnabledAlias)
	}
	pk, sk := r.str(EnvLangfusePublicKey), r.str(EnvLangfuseSecretKey)
	switch {
	case enabled != nil:
		c.Enabled = *enabled
	case pk != "" || sk != "":
		c.Enabled = true
	}
	if v := r.str(EnvLangfuseEndpoint); v != "" {
		c.Endpoint = v
	}
	if pk != "" {
		c.PublicKey = pk
	}
	if sk != "" {
		c.SecretKey = NewSecret(sk)
	}
	if v := r.boolean(EnvLangfuseVerify); v != nil {
		c.TLS.InsecureSkipVerify = !*v
	}
	if v := r.str(EnvLangfuseCA); v != "" {
		c.TLS.CABundle = v
	}
	switch v := strings.ToLower(r.str(EnvLangfuseCost)); v {
	case "":
	case "langfuse":
		c.Cost = export.CostByLangfuse
	case "genaitrace":
		c.Cost = export.CostByGenaitrace
	default:
		r.fail(EnvLangfuseCost, "%q is not a pricing source; want langfuse (Langfuse prices calls) or genaitrace (send genaitrace's estimate)", v)
	}
}

func otlpFromEnv(r *envReader, c *OTLPConfig) {
	if v := r.str(EnvOTLPTracesEndpoint); v != "" {
		c.Enabled, c.Endpoint, c.endpointFrom = true, v, EnvOTLPTracesEndpoint
	} else if v := r.str(EnvOTLPEndpoint); v != "" {
		// The base URL of every signal: the traces path is appended.
		c.Enabled, c.Endpoint, c.endpointFrom = true, withPath(v, "/v1/traces"), EnvOTLPEndpoint
	}
	if v := r.str(EnvOTLPMetrics); v != "" {
		c.MetricsEndpoint = v
	}
	if v := r.str(EnvOTLPHeaders); v != "" {
		kvs, err := parseKeyValues(v)
		if err != nil {
			r.fail(EnvOTLPHeaders, "%v; want key1=value1,key2=value2 with values percent-encoded", err)
		}
		c.Headers = make(map[string]Secret, len(kvs))
		for _, kv := range kvs {
			c.Headers[string(kv.Key)] = NewSecret(kv.Value.AsString())
		}
	}
	if v := r.str(EnvOTLPCertificate); v != "" {
		c.TLS.CABundle = v
	}
	if v := r.boolean(EnvOTLPInsecure); v != nil {
		c.TLS.InsecureSkipVerify = *v
	}
}

func resilienceFromEnv(r *envReader, cfg *Config) {
	if v := r.str(EnvConsole); v != "" {
		switch b, err := parseBool(v); {
		case strings.EqualFold(v, "auto"):
			cfg.Console = ConsoleAuto
		case err != nil:
			r.fail(EnvConsole, "%q is not a console mode; want true, false or auto", v)
		case b:
			cfg.Console = ConsoleOn
		default:
			cfg.Console = ConsoleOff
		}
	}
	if v := r.captureMode(EnvCaptureContentOTel); v != nil {
		cfg.CaptureContent = v
	}
	if v := r.captureMode(EnvCaptureContent); v != nil { // genaitrace's own name wins
		cfg.CaptureContent = v
	}
	if v := r.boolean(EnvSpool); v != nil {
		cfg.Spool.Disabled = !*v
	}
	if v := r.str(EnvSpoolDir); v != "" {
		cfg.Spool.Dir = v
	}
	r.bytesize(EnvSpoolMaxBytes, &cfg.Spool.MaxBytes)
	switch v := r.str(EnvDurability); strings.ToLower(v) {
	case "":
	case "memory":
		cfg.Durability = DurabilityMemory
	case "disk":
		cfg.Durability = DurabilityDisk
	default:
		r.fail(EnvDurability, "%q is not a durability; want memory (batches go to disk when they cannot be sent) or disk (every batch is written to disk before it is sent)", v)
	}
	r.bytesize(EnvQueueMaxBytes, &cfg.Export.QueueMaxBytes)
	r.bytesize(EnvMemoryMaxBytes, &cfg.Export.MemoryMaxBytes)
	r.positiveInt(EnvMaxInFlight, &cfg.Export.MaxInFlight)
	var fails int
	r.positiveInt(EnvBreakerFails, &fails)
	if fails > 0 {
		cfg.Breaker.FailureThreshold = uint32(fails)
	}
	r.duration(EnvBreakerOpen, &cfg.Breaker.OpenTimeout)
	r.duration(EnvBreakerMaxOpen, &cfg.Breaker.MaxOpenTimeout)
	if v := r.str(EnvDiagnosticsToken); v != "" {
		cfg.Diagnostics.Token = NewSecret(v)
	}
	if v := r.boolean(EnvDiagnosticsContent); v != nil {
		cfg.Diagnostics.Content = *v
	}
	r.bytesize(EnvDiagnosticsMaxBytes, &cfg.Diagnostics.MaxBytes)
	if v := r.boolean(EnvMetrics); v != nil {
		cfg.Metrics.Disabled = !*v
	}
	r.duration(EnvMetricsInterval, &cfg.Metrics.Interval)
	if path := r.str(EnvPricesFile); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			r.fail(EnvPricesFile, "cannot read %s: %v; want a JSON file of model to prices", path, unwrapPathError(err))
			return
		}
		prices, err := pricing.ParseOverrides(b)
		if err != nil {
			r.fail(EnvPricesFile, "%s: %v", path, err)
			return
		}
		cfg.Prices = prices
	}
}

// parseKeyValues parses the W3C-baggage-like form of OTEL_RESOURCE_ATTRIBUTES
// and OTEL_EXPORTER_OTLP_HEADERS. Errors never quote a value: headers carry
// credentials.
func parseKeyValues(s string) ([]attribute.KeyValue, error) {
	var out []attribute.KeyValue
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		k, v, ok := strings.Cut(entry, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("entry %d has no key=value form", i+1)
		}
		val, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("entry %d (%s) has a malformed percent-encoding", i+1, k)
		}
		out = append(out, attribute.String(k, val))
	}
	return out, nil
}

// parseByteSize parses 1048576, 512KiB, 256MiB, 1GiB, 10MB, 1GB.
func parseByteSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, strconv.ErrSyntax
	}
	return n * mult, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
