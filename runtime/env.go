package runtime

import (
	"cmp"
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
	envServiceName        = "OTEL_SERVICE_NAME"
	envServiceVersion     = "OTEL_SERVICE_VERSION"
	envEnvironment        = "DEPLOYMENT_ENVIRONMENT"
	envResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES"
	envSampleRate         = "TELEMETRY_SAMPLE_RATE"
	envSampleKeep         = "TELEMETRY_SAMPLE_KEEP"
	envContentSampleRate  = "TELEMETRY_CONTENT_SAMPLE_RATE"
	envSemconvOptIn       = "OTEL_SEMCONV_STABILITY_OPT_IN"

	envInstanaEnabled  = "OTEL_EXPORTER_INSTANA_ENABLED"
	envInstanaEndpoint = "INSTANA_ENDPOINT"
	envInstanaAPIKey   = "INSTANA_API_KEY"
	envInstanaHost     = "INSTANA_HOST"
	envInstanaVerify   = "INSTANA_SSL_VERIFY"
	envInstanaCA       = "INSTANA_SSL_CA_BUNDLE"
	envInstanaContent  = "INSTANA_CAPTURE_CONTENT"
	envInstanaTokens   = "INSTANA_TOKEN_NAMES"

	envCaptureContent     = "TELEMETRY_CAPTURE_CONTENT"
	envCaptureContentOTel = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"

	envLangfuseEnabled      = "OTEL_EXPORTER_LANGFUSE_ENABLED"
	envLangfuseEnabledAlias = "LANGFUSE_ENABLED"
	envLangfuseEndpoint     = "LANGFUSE_ENDPOINT"
	envLangfusePublicKey    = "LANGFUSE_PUBLIC_KEY"
	envLangfuseSecretKey    = "LANGFUSE_SECRET_KEY"
	envLangfuseVerify       = "LANGFUSE_SSL_VERIFY"
	envLangfuseCA           = "LANGFUSE_SSL_CA_BUNDLE"
	envLangfuseCost         = "LANGFUSE_COST"
	envLangfuseBaseURL      = "LANGFUSE_BASE_URL"
	envLangfuseHost         = "LANGFUSE_HOST"
	envLangfuseExport       = "LANGFUSE_EXPORT"
	envLangfuseReadBack     = "LANGFUSE_VERIFY"
	envLangfuseKeepParent   = "LANGFUSE_KEEP_REMOTE_PARENT"
	envLangfuseReplayChecks = "LANGFUSE_REPLAY_CHECKS_PER_MINUTE"
	envOTLPContent          = "TELEMETRY_OTLP_CAPTURE_CONTENT"
	envMaskSecrets          = "TELEMETRY_MASK_SECRETS"

	envOTLPEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envOTLPTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	envOTLPMetrics        = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"
	envOTLPHeaders        = "OTEL_EXPORTER_OTLP_HEADERS"
	envOTLPCertificate    = "OTEL_EXPORTER_OTLP_CERTIFICATE"
	envOTLPInsecure       = "OTEL_EXPORTER_OTLP_INSECURE"
	envOTLPCompression    = "OTEL_EXPORTER_OTLP_COMPRESSION"
	envOTLPTracesCompress = "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"
	envInstanaCompression = "INSTANA_COMPRESSION"
	envLangfuseCompress   = "LANGFUSE_COMPRESSION"

	envConsole        = "TELEMETRY_CONSOLE"
	envSpool          = "TELEMETRY_SPOOL"
	envSpoolDir       = "TELEMETRY_SPOOL_DIR"
	envSpoolMaxBytes  = "TELEMETRY_SPOOL_MAX_BYTES"
	envDurability     = "TELEMETRY_DURABILITY"
	envQueueMaxBytes  = "TELEMETRY_QUEUE_MAX_BYTES"
	envMemoryMaxBytes = "TELEMETRY_MEMORY_MAX_BYTES"
	envMaxInFlight    = "TELEMETRY_MAX_IN_FLIGHT"
	envBreakerFails   = "TELEMETRY_BREAKER_FAILURES"
	envBreakerOpen    = "TELEMETRY_BREAKER_OPEN_TIMEOUT"
	envBreakerMaxOpen = "TELEMETRY_BREAKER_MAX_OPEN_TIMEOUT"
	envPricesFile     = "TELEMETRY_PRICES_FILE"

	envDiagnosticsToken    = "TELEMETRY_DIAGNOSTICS_TOKEN"
	envDiagnosticsContent  = "TELEMETRY_DIAGNOSTICS_CONTENT"
	envDiagnosticsMaxBytes = "TELEMETRY_DIAGNOSTICS_MAX_BYTES"
	envMetrics             = "TELEMETRY_METRICS"
	envMetricsInterval     = "TELEMETRY_METRICS_INTERVAL"
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
func fromEnv(cfg *config, lookup func(string) (string, bool)) error {
	r := &envReader{lookup: lookup}
	if v := r.str(envServiceName); v != "" {
		cfg.ServiceName = v
	}
	if v := r.str(envServiceVersion); v != "" {
		cfg.ServiceVersion = v
	}
	if v := r.str(envEnvironment); v != "" {
		cfg.Environment = v
	}
	if v := r.str(envResourceAttributes); v != "" {
		attrs, err := parseKeyValues(v)
		if err != nil {
			r.fail(envResourceAttributes, "%v; want key1=value1,key2=value2 with values percent-encoded", err)
		}
		cfg.ResourceAttributes = append(cfg.ResourceAttributes, attrs...)
	}
	if v := r.str(envSampleRate); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || rate < 0 || rate > 1 || math.IsNaN(rate) {
			r.fail(envSampleRate, "%q is not a sampling ratio; want a number from 0 to 1 such as 0.25", v)
		} else {
			cfg.SampleRate = rate
		}
	}
	if v := r.str(envContentSampleRate); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || rate < 0 || rate > 1 || math.IsNaN(rate) {
			r.fail(envContentSampleRate, "%q is not a share of traces; want a number from 0 to 1 such as 0.1", v)
		} else {
			cfg.ContentSampleRate = rate
		}
	}
	if v := r.str(envSampleKeep); v != "" {
		keep, err := parseSampleKeep(v)
		if err != nil {
			r.fail(envSampleKeep, "%v; want a comma list of genai, error and slow>DURATION, such as genai,error,slow>2s (or none)", err)
		} else {
			cfg.SampleKeep = keep
		}
	}
	if semconvOptIn(r.str(envSemconvOptIn)) {
		cfg.Conventions = export.ConventionsLatest
	}
	instanaFromEnv(r, &cfg.Instana)
	langfuseFromEnv(r, &cfg.Langfuse)
	otlpFromEnv(r, &cfg.OTLP)
	scoresFromEnv(r, cfg)
	resilienceFromEnv(r, cfg)
	return errors.Join(r.errs...)
}

func instanaFromEnv(r *envReader, c *instanaConfig) {
	c.Compression = r.compression(envInstanaCompression)
	endpoint := r.str(envInstanaEndpoint)
	enabled := r.boolean(envInstanaEnabled)
	switch {
	case enabled != nil:
		c.Enabled = *enabled
	case endpoint != "":
		c.Enabled = true
	}
	if endpoint != "" {
		c.Endpoint, c.endpointFrom = endpoint, envInstanaEndpoint
	}
	if v := r.str(envInstanaAPIKey); v != "" {
		c.APIKey = newSecret(v)
	}
	if v := r.str(envInstanaHost); v != "" {
		c.Host = v
	}
	if v := r.boolean(envInstanaVerify); v != nil {
		c.TLS.InsecureSkipVerify = !*v
	}
	if v := r.str(envInstanaCA); v != "" {
		c.TLS.CABundle = v
	}
	if v := r.boolean(envInstanaContent); v != nil {
		c.Content = *v
	}
	switch v := strings.ToLower(r.str(envInstanaTokens)); v {
	case "":
	case "conventions":
		c.TokenNames = export.InstanaTokensConventions
	case "legacy":
		c.TokenNames = export.InstanaTokensLegacy
	case "both":
		c.TokenNames = export.InstanaTokensBoth
	default:
		r.fail(envInstanaTokens, "%q is not a token name family; want conventions (gen_ai.usage.input_tokens and the other names current OpenLLMetry sends, the default), legacy (gen_ai.usage.prompt_tokens and the other names OpenLLMetry sent until 0.47) or both", v)
	}
}

// semconvOptIn reports whether OTEL_SEMCONV_STABILITY_OPT_IN, a comma list
// of categories shared with other instrumentation (http, database, ...),
// asks for the newest GenAI conventions: gen_ai_latest_experimental means
// the latest release the instrumentation supports, and not the older one
// (the GenAI conventions' transition plan, docs/gen-ai/gen-ai-metrics.md in
// semantic-conventions v1.41.0). Other values are other categories', not
// errors.
func semconvOptIn(v string) bool {
	for _, c := range strings.Split(v, ",") {
		if strings.TrimSpace(c) == "gen_ai_latest_experimental" {
			return true
		}
	}
	return false
}

func langfuseFromEnv(r *envReader, c *langfuseConfig) {
	c.Compression = r.compression(envLangfuseCompress)
	enabled := r.boolean(envLangfuseEnabled)
	if enabled == nil {
		enabled = r.boolean(envLangfuseEnabledAlias)
	}
	pk, sk := r.str(envLangfusePublicKey), r.str(envLangfuseSecretKey)
	switch {
	case enabled != nil:
		c.Enabled = *enabled
	case pk != "" || sk != "":
		c.Enabled = true
	}
	for _, name := range []string{envLangfuseEndpoint, envLangfuseBaseURL, envLangfuseHost} {
		if v := r.str(name); v != "" {
			c.Endpoint, c.endpointFrom = v, name
			break
		}
	}
	switch v := strings.ToLower(r.str(envLangfuseExport)); v {
	case "":
	case "llm":
		c.Export = LangfuseExportLLM
	case "all":
		c.Export = LangfuseExportAll
	default:
		r.fail(envLangfuseExport, "%q is not an export choice; want llm (traces with GenAI work, the default) or all", v)
	}
	if v := r.boolean(envLangfuseReadBack); v != nil {
		c.Verify = *v
	}
	if v := r.boolean(envLangfuseKeepParent); v != nil {
		c.KeepRemoteParent = *v
	}
	if v := r.str(envLangfuseReplayChecks); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			r.fail(envLangfuseReplayChecks, "%q is not a number of requests a minute; want a whole number such as %d, or 0 to ask nothing", v, defaultReplayChecks)
		} else {
			c.ReplayChecks, c.replayChecksSet = n, true
		}
	}
	if pk != "" {
		c.PublicKey = pk
	}
	if sk != "" {
		c.SecretKey = newSecret(sk)
	}
	if v := r.boolean(envLangfuseVerify); v != nil {
		c.TLS.InsecureSkipVerify = !*v
	}
	if v := r.str(envLangfuseCA); v != "" {
		c.TLS.CABundle = v
	}
	switch v := strings.ToLower(r.str(envLangfuseCost)); v {
	case "":
	case "langfuse":
		c.Cost = export.CostByLangfuse
	case "genaitrace":
		c.Cost = export.CostByGenaitrace
	default:
		r.fail(envLangfuseCost, "%q is not a pricing source; want langfuse (Langfuse prices calls) or genaitrace (send genaitrace's estimate)", v)
	}
}

// compression reads a compression variable: gzip or none (the OTLP
// exporters' values), "" when unset.
func (r *envReader) compression(name string) string {
	switch v := strings.ToLower(r.str(name)); v {
	case "", "gzip", "none":
		return v
	default:
		r.fail(name, "%q is not a compression; want gzip or none", v)
		return ""
	}
}

func otlpFromEnv(r *envReader, c *otlpConfig) {
	c.Compression = cmp.Or(r.compression(envOTLPTracesCompress), r.compression(envOTLPCompression))
	if v := r.boolean(envOTLPContent); v != nil {
		c.Content = *v
	}
	if v := r.str(envOTLPTracesEndpoint); v != "" {
		c.Enabled, c.Endpoint, c.endpointFrom = true, v, envOTLPTracesEndpoint
	} else if v := r.str(envOTLPEndpoint); v != "" {
		// The base URL of every signal: the traces path is appended.
		c.Enabled, c.Endpoint, c.endpointFrom = true, signalURL(v, "", "/v1/traces"), envOTLPEndpoint
	}
	if v := r.str(envOTLPMetrics); v != "" {
		c.MetricsEndpoint = v
	}
	if v := r.str(envOTLPHeaders); v != "" {
		kvs, err := parseKeyValues(v)
		if err != nil {
			r.fail(envOTLPHeaders, "%v; want key1=value1,key2=value2 with values percent-encoded", err)
		}
		c.Headers = make(map[string]secret, len(kvs))
		for _, kv := range kvs {
			c.Headers[string(kv.Key)] = newSecret(kv.Value.AsString())
		}
	}
	if v := r.str(envOTLPCertificate); v != "" {
		c.TLS.CABundle = v
	}
	if v := r.boolean(envOTLPInsecure); v != nil {
		c.TLS.InsecureSkipVerify = *v
	}
}

func resilienceFromEnv(r *envReader, cfg *config) {
	if v := r.str(envConsole); v != "" {
		switch b, err := parseBool(v); {
		case strings.EqualFold(v, "auto"):
			cfg.Console = ConsoleAuto
		case err != nil:
			r.fail(envConsole, "%q is not a console mode; want true, false or auto", v)
		case b:
			cfg.Console = ConsoleOn
		default:
			cfg.Console = ConsoleOff
		}
	}
	if v := r.captureMode(envCaptureContentOTel); v != nil {
		cfg.CaptureContent = v
	}
	if v := r.captureMode(envCaptureContent); v != nil { // genaitrace's own name wins
		cfg.CaptureContent = v
	}
	if v := r.boolean(envMaskSecrets); v != nil {
		cfg.MaskSecrets = *v
	}
	if v := r.boolean(envSpool); v != nil {
		cfg.Spool.Disabled = !*v
	}
	if v := r.str(envSpoolDir); v != "" {
		cfg.Spool.Dir = v
	}
	r.bytesize(envSpoolMaxBytes, &cfg.Spool.MaxBytes)
	switch v := r.str(envDurability); strings.ToLower(v) {
	case "":
	case "memory":
		cfg.Durability = DurabilityMemory
	case "disk":
		cfg.Durability = DurabilityDisk
	default:
		r.fail(envDurability, "%q is not a durability; want memory (batches go to disk when they cannot be sent) or disk (every batch is written to disk before it is sent)", v)
	}
	r.bytesize(envQueueMaxBytes, &cfg.Export.QueueMaxBytes)
	r.bytesize(envMemoryMaxBytes, &cfg.Export.MemoryMaxBytes)
	r.positiveInt(envMaxInFlight, &cfg.Export.MaxInFlight)
	var fails int
	r.positiveInt(envBreakerFails, &fails)
	if fails > 0 {
		cfg.Breaker.FailureThreshold = uint32(fails)
	}
	r.duration(envBreakerOpen, &cfg.Breaker.OpenTimeout)
	r.duration(envBreakerMaxOpen, &cfg.Breaker.MaxOpenTimeout)
	if v := r.str(envDiagnosticsToken); v != "" {
		cfg.Diagnostics.Token = newSecret(v)
	}
	if v := r.boolean(envDiagnosticsContent); v != nil {
		cfg.Diagnostics.Content = *v
	}
	r.bytesize(envDiagnosticsMaxBytes, &cfg.Diagnostics.MaxBytes)
	if v := r.boolean(envMetrics); v != nil {
		cfg.Metrics.Disabled = !*v
	}
	r.duration(envMetricsInterval, &cfg.Metrics.Interval)
	if path := r.str(envPricesFile); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			r.fail(envPricesFile, "cannot read %s: %v; want a JSON file of model to prices", path, unwrapPathError(err))
			return
		}
		prices, err := pricing.ParseOverrides(b)
		if err != nil {
			r.fail(envPricesFile, "%s: %v", path, err)
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
