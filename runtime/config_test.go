package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

func TestConfigureRejectsInvalidVariables(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	notPEM := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  map[string]string
		want []string // every fragment must appear in the error
	}{
		{"sample rate above 1", map[string]string{envSampleRate: "1.5"}, []string{envSampleRate, `"1.5"`, "from 0 to 1"}},
		{"sample rate negative", map[string]string{envSampleRate: "-0.1"}, []string{envSampleRate, "from 0 to 1"}},
		{"sample rate not a number", map[string]string{envSampleRate: "half"}, []string{envSampleRate, `"half"`}},
		{"sample rate NaN", map[string]string{envSampleRate: "NaN"}, []string{envSampleRate}},
		{"instana bad URL", map[string]string{envInstanaEndpoint: "localhost:4318"}, []string{envInstanaEndpoint, "has no http:// or https:// scheme", "want an absolute URL"}},
		{"instana ftp URL", map[string]string{envInstanaEndpoint: "ftp://x"}, []string{envInstanaEndpoint}},
		{"instana agentless without key", map[string]string{envInstanaEndpoint: "https://otlp-orange-saas.instana.io:4318"}, []string{envInstanaAPIKey, "agent key"}},
		{"instana enabled flag not boolean", map[string]string{envInstanaEnabled: "maybe"}, []string{envInstanaEnabled, "true or false"}},
		{"instana CA unreadable", map[string]string{envInstanaEndpoint: "http://localhost:4318", envInstanaCA: missing}, []string{envInstanaCA, "cannot read", "PEM"}},
		{"instana CA not PEM", map[string]string{envInstanaEndpoint: "http://localhost:4318", envInstanaCA: notPEM}, []string{envInstanaCA, "no PEM certificate"}},
		{"instana verify not boolean", map[string]string{envInstanaVerify: "sometimes"}, []string{envInstanaVerify}},
		{"langfuse without public key", map[string]string{envLangfuseEnabled: "true", envLangfuseSecretKey: "sk-lf-x"}, []string{envLangfusePublicKey, "pk-lf-"}},
		{"langfuse without secret key", map[string]string{envLangfuseEnabledAlias: "true", envLangfusePublicKey: "pk-lf-x"}, []string{envLangfuseSecretKey, "sk-lf-"}},
		{"langfuse bad URL", map[string]string{envLangfuseEndpoint: "cloud.langfuse.com", envLangfusePublicKey: "pk", envLangfuseSecretKey: "sk"}, []string{envLangfuseEndpoint}},
		{"langfuse URL with credentials", map[string]string{envLangfuseEndpoint: "https://pk:hunter2@cloud.langfuse.com", envLangfusePublicKey: "pk", envLangfuseSecretKey: "sk"}, []string{envLangfuseEndpoint, "credentials in the URL"}},
		{"langfuse CA unreadable", map[string]string{envLangfusePublicKey: "pk", envLangfuseSecretKey: "sk", envLangfuseCA: missing}, []string{envLangfuseCA}},
		{"langfuse cost", map[string]string{envLangfuseCost: "cheap"}, []string{envLangfuseCost, "langfuse", "genaitrace"}},
		{"instana token names", map[string]string{envInstanaTokens: "openllmetry"}, []string{envInstanaTokens, `"openllmetry"`, "conventions", "legacy", "both"}},
		{"langfuse replay checks", map[string]string{envLangfuseReplayChecks: "-3"}, []string{envLangfuseReplayChecks, `"-3"`, "requests a minute", "0 to ask nothing"}},
		{"langfuse keep remote parent", map[string]string{envLangfuseKeepParent: "perhaps"}, []string{envLangfuseKeepParent, "true or false"}},
		{"otlp bad URL", map[string]string{envOTLPEndpoint: "::"}, []string{envOTLPEndpoint}},
		{"otlp headers", map[string]string{envOTLPEndpoint: "http://c:4318", envOTLPHeaders: "api-key"}, []string{envOTLPHeaders, "key1=value1"}},
		{"resource attributes", map[string]string{envResourceAttributes: "team"}, []string{envResourceAttributes}},
		{"spool size", map[string]string{envSpoolMaxBytes: "lots"}, []string{envSpoolMaxBytes, "256MiB"}},
		{"spool smaller than a batch", map[string]string{envSpoolMaxBytes: "100"}, []string{envSpoolMaxBytes, "less than one batch", "64KiB"}},
		{"otlp traces endpoint", map[string]string{envOTLPTracesEndpoint: "collector:4318/v1/traces"}, []string{envOTLPTracesEndpoint + ":", "http://collector:4318/v1/traces"}},
		{"otlp metrics endpoint", map[string]string{envOTLPEndpoint: "http://c:4318", envOTLPMetrics: "c:4318/v1/metrics"}, []string{envOTLPMetrics + ":"}},
		{"queue size", map[string]string{envQueueMaxBytes: "-5"}, []string{envQueueMaxBytes}},
		{"in flight", map[string]string{envMaxInFlight: "0"}, []string{envMaxInFlight, "positive integer"}},
		{"breaker failures", map[string]string{envBreakerFails: "x"}, []string{envBreakerFails}},
		{"breaker open", map[string]string{envBreakerOpen: "30"}, []string{envBreakerOpen, "30s"}},
		{"breaker max open", map[string]string{envBreakerMaxOpen: "-1m"}, []string{envBreakerMaxOpen}},
		{"console", map[string]string{envConsole: "loud"}, []string{envConsole, "auto"}},
		{"prices file", map[string]string{envPricesFile: missing}, []string{envPricesFile, "cannot read"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			m, err := Configure(context.Background(), WithoutGlobal(), WithSpoolDir(t.TempDir()))
			if err == nil {
				_ = m.Shutdown(context.Background())
				t.Fatal("Configure succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if _, fromTraces := tc.env[envOTLPTracesEndpoint]; fromTraces && strings.Contains(err.Error(), envOTLPEndpoint+":") {
				t.Errorf("error names %s for a value of %s: %q", envOTLPEndpoint, envOTLPTracesEndpoint, err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks a credential: %q", err)
			}
		})
	}
}

func TestConfigureCollectsEveryError(t *testing.T) {
	clearEnv(t)
	t.Setenv(envSampleRate, "2")
	t.Setenv(envInstanaEndpoint, "nope")
	t.Setenv(envLangfuseEnabled, "true")
	_, err := Configure(context.Background(), WithoutGlobal())
	if err == nil {
		t.Fatal("want an error")
	}
	for _, v := range []string{envSampleRate, envInstanaEndpoint, envLangfusePublicKey, envLangfuseSecretKey} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("error does not name %s: %v", v, err)
		}
	}
}

func TestOptionsOverrideEnvironment(t *testing.T) {
	clearEnv(t)
	t.Setenv(envServiceName, "from-env")
	t.Setenv(envSampleRate, "0.1")
	m, _ := configure(t, WithServiceName("from-option"), WithSampleRate(1))
	if got := m.Config().Service.Name; got != "from-option" {
		t.Errorf("service name %q", got)
	}
	if got := m.Config().SampleRate; got != 1 {
		t.Errorf("sample rate %v", got)
	}
}

func TestUnreachableDestinationIsNotAnError(t *testing.T) {
	clearEnv(t)
	r := otlptest.New(t)
	r.Down()
	m, logs := configure(t, WithInstana(r.URL(), ""))
	_, span := m.Tracer("t").Start(context.Background(), "op")
	span.End()
	flush(t, m)
	if n := strings.Count(logs.String(), "destination unavailable"); n != 1 {
		t.Errorf("%d 'destination unavailable' warnings, want exactly 1:\n%s", n, logs)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	clearEnv(t)
	secrets := []string{"instana-key-9f8e", "sk-lf-secret-77a1", "otlp-token-5c2d"}
	instana, langfuse, otlp := otlptest.New(t), otlptest.New(t), otlptest.New(t)
	for _, r := range []*otlptest.Receiver{instana, langfuse, otlp} {
		r.SetMode(otlptest.Refuse) // failures put errors into logs and stats
	}
	t.Setenv(envInstanaEndpoint, instana.URL())
	t.Setenv(envInstanaAPIKey, secrets[0])
	t.Setenv(envLangfuseEndpoint, langfuse.URL())
	t.Setenv(envLangfusePublicKey, "pk-lf-public")
	t.Setenv(envLangfuseSecretKey, secrets[1])
	t.Setenv(envOTLPEndpoint, otlp.URL())
	t.Setenv(envOTLPHeaders, "authorization=Bearer%20"+secrets[2])
	m, logs := configure(t, WithBreaker(1, 0, 0))
	tr := m.Tracer("t")
	for range 3 {
		_, s := tr.Start(context.Background(), "op", trace.WithAttributes())
		s.End()
	}
	flush(t, m)

	cfg := m.Config()
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out = append(out, fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, &cfg))
	}
	j, _ := json.Marshal(cfg)
	out = append(out, string(j), logs.String())
	for _, d := range m.Destinations() {
		st := d
		sj, _ := json.Marshal(st)
		out = append(out, fmt.Sprintf("%+v", st), string(sj))
	}
	if !strings.Contains(logs.String(), "destination unavailable") {
		t.Fatal("expected failure logs to check")
	}
	for _, o := range out {
		for _, s := range secrets {
			if strings.Contains(o, s) {
				t.Errorf("secret %q printed in:\n%s", s, o)
			}
		}
	}
	if !strings.Contains(fmt.Sprintf("%+v", cfg), "***") {
		t.Error("config print does not show masked secrets")
	}
	// Errors from Configure never echo a secret either.
	t.Setenv(envSampleRate, "2")
	_, err := Configure(context.Background(), WithoutGlobal())
	for _, s := range secrets {
		if err == nil || strings.Contains(err.Error(), s) {
			t.Errorf("Configure error %v leaks or is missing", err)
		}
	}
}

// The capture switch takes booleans and the values OpenTelemetry's GenAI
// instrumentation uses, in any case; TELEMETRY_CAPTURE_CONTENT wins over
// the OpenTelemetry name.
func TestCaptureContentValues(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want *bool
	}{
		{map[string]string{}, nil},
		{map[string]string{envCaptureContent: "true"}, ptr(true)},
		{map[string]string{envCaptureContent: "OFF"}, ptr(false)},
		{map[string]string{envCaptureContentOTel: "span_only"}, ptr(true)},
		{map[string]string{envCaptureContentOTel: "SPAN_AND_EVENT"}, ptr(true)},
		{map[string]string{envCaptureContentOTel: "EVENT_ONLY"}, ptr(true)},
		{map[string]string{envCaptureContentOTel: "No_Content"}, ptr(false)},
		{map[string]string{envCaptureContentOTel: "SPAN_ONLY", envCaptureContent: "false"}, ptr(false)},
	}
	for _, c := range cases {
		var cfg config
		if err := fromEnv(&cfg, func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }); err != nil {
			t.Fatalf("%v: %v", c.env, err)
		}
		if (cfg.CaptureContent == nil) != (c.want == nil) || (c.want != nil && *cfg.CaptureContent != *c.want) {
			t.Errorf("%v: capture %v, want %v", c.env, deref(cfg.CaptureContent), deref(c.want))
		}
	}
	var cfg config
	err := fromEnv(&cfg, func(k string) (string, bool) {
		return map[string]string{envCaptureContentOTel: "sometimes"}[k], k == envCaptureContentOTel
	})
	if err == nil || !strings.Contains(err.Error(), envCaptureContentOTel) || !strings.Contains(err.Error(), "SPAN_ONLY") {
		t.Errorf("bad capture mode: %v", err)
	}
	for s, want := range map[string]bool{"true": true, "1": true, "ON": true, "no": false, "off": false} {
		if got, err := parseBool(s); err != nil || got != want {
			t.Errorf("parseBool(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := parseBool("maybe"); err == nil {
		t.Error("parseBool accepted maybe")
	}
}

func ptr[T any](v T) *T { return &v }

func deref(b *bool) any {
	if b == nil {
		return "unset"
	}
	return *b
}

// TestConfigIsWhatRuns reads /config of a manager started on defaults and
// compares every setting with what the running pipeline, destinations and
// breakers report of themselves: defaults are resolved once, so the two
// cannot differ, and no defaulted setting reads 0.
func TestConfigIsWhatRuns(t *testing.T) {
	clearEnv(t)
	r := otlptest.New(t)
	m, err := Configure(context.Background(), WithoutGlobal(), WithSpoolDir(t.TempDir()),
		WithInstana(r.URL(), ""), WithLangfuse(r.URL(), "pk-lf-x", "sk-lf-x"), WithOTLP(r.URL()+"/v1/traces", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	var cfg map[string]any
	if err := json.Unmarshal(getBody(t, m, "/config"), &cfg); err != nil {
		t.Fatal(err)
	}
	get := func(path ...string) any {
		var v any = cfg
		for _, p := range path {
			v = v.(map[string]any)[p]
		}
		return v
	}
	num := func(path ...string) float64 { return get(path...).(float64) }
	dur := func(path ...string) time.Duration {
		path[len(path)-1] += "_ms"
		return time.Duration(num(path...) * float64(time.Millisecond))
	}
	p := m.PipelineStats()
	checks := []struct {
		name      string
		shown, is any
	}{
		{"export.memory_max_bytes", num("export", "memory_max_bytes"), float64(p.MemoryMaxBytes)},
		{"export.max_batch", num("export", "max_batch"), float64(p.MaxBatch)},
		{"export.batch_timeout", dur("export", "batch_timeout"), p.BatchTimeout},
	}
	for _, d := range m.Destinations() {
		s, b := d.Settings, d.Breaker
		checks = append(checks, []struct {
			name      string
			shown, is any
		}{
			{d.Name + " queue_max_bytes", num("export", "queue_max_bytes"), float64(s.QueueMaxBytes)},
			{d.Name + " max_in_flight", num("export", "max_in_flight"), float64(s.MaxInFlight)},
			{d.Name + " attempt_timeout", dur("export", "attempt_timeout"), s.AttemptTimeout},
			{d.Name + " poll_interval", dur("export", "poll_interval"), s.PollInterval},
			{d.Name + " retry.max_attempts", num("export", "retry", "max_attempts"), float64(s.Retry.MaxAttempts)},
			{d.Name + " retry.initial", dur("export", "retry", "initial"), s.Retry.Initial},
			{d.Name + " retry.max", dur("export", "retry", "max"), s.Retry.Max},
			{d.Name + " retry.max_retry_after", dur("export", "retry", "max_retry_after"), s.Retry.MaxRetryAfter},
			{d.Name + " spool.max_bytes", num("spool", "max_bytes"), float64(s.SpoolMaxBytes)},
			{d.Name + " spool.dir", get("spool", "dir").(string) + "/" + d.Name, s.SpoolDir},
			{d.Name + " breaker.failure_threshold", num("breaker", "failure_threshold"), float64(b.FailureThreshold)},
			{d.Name + " breaker.open_timeout", dur("breaker", "open_timeout"), b.OpenTimeout},
			{d.Name + " breaker.max_open_timeout", dur("breaker", "max_open_timeout"), b.MaxOpenTimeout},
		}...)
	}
	checks = append(checks, struct {
		name      string
		shown, is any
	}{"diagnostics.max_bytes", num("diagnostics", "max_bytes"), storeMaxBytes(t, m)})
	for _, c := range checks {
		if fmt.Sprint(c.shown) != fmt.Sprint(c.is) {
			t.Errorf("%s: /config shows %v, the running component %v", c.name, c.shown, c.is)
		}
		if fmt.Sprint(c.shown) == "0" || fmt.Sprint(c.shown) == "0s" {
			t.Errorf("%s: shows zero for a defaulted setting", c.name)
		}
	}
	if get("service", "name") == "" || get("instana", "host") == "" || get("otlp", "metrics_endpoint") == "" {
		t.Errorf("unresolved: service %v, instana host %v, otlp metrics %v", get("service", "name"), get("instana", "host"), get("otlp", "metrics_endpoint"))
	}
	if len(m.Destinations()) != 3 {
		t.Fatalf("%d destinations", len(m.Destinations()))
	}
}

func getBody(t *testing.T, m *Manager, path string) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	m.DiagnosticsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// LANGFUSE_HOST and LANGFUSE_BASE_URL, the names Langfuse's own SDKs read,
// point the Langfuse destination as LANGFUSE_ENDPOINT does, which wins.
func TestLangfuseEndpointAliases(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{envLangfuseHost: "http://a:3000"}, "http://a:3000"},
		{map[string]string{envLangfuseBaseURL: "http://b:3000", envLangfuseHost: "http://a:3000"}, "http://b:3000"},
		{map[string]string{envLangfuseEndpoint: "http://c:3000", envLangfuseBaseURL: "http://b:3000"}, "http://c:3000"},
	} {
		clearEnv(t)
		t.Setenv(envLangfusePublicKey, "pk-lf-x")
		t.Setenv(envLangfuseSecretKey, "sk-lf-x")
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		m, err := Configure(context.Background(), WithoutGlobal(), WithSpoolDir(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Destinations()[0].Endpoint; got != c.want+"/api/public/otel/v1/traces" {
			t.Errorf("%v: endpoint %s", c.env, got)
		}
		_ = m.Shutdown(context.Background())
	}
	clearEnv(t)
	t.Setenv(envLangfuseHost, "cloud.langfuse.com")
	t.Setenv(envLangfusePublicKey, "pk-lf-x")
	t.Setenv(envLangfuseSecretKey, "sk-lf-x")
	if _, err := Configure(context.Background(), WithoutGlobal()); err == nil || !strings.Contains(err.Error(), envLangfuseHost+":") {
		t.Errorf("a bad LANGFUSE_HOST is reported as %v", err)
	}
}

// Content is captured by default when Langfuse is on, not otherwise, and
// TELEMETRY_CAPTURE_CONTENT=false turns it off everywhere.
func TestCaptureContentDefaultFollowsTheDestinations(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"langfuse", map[string]string{envLangfusePublicKey: "pk", envLangfuseSecretKey: "sk"}, true},
		{"instana alone", map[string]string{envInstanaEndpoint: "http://localhost:4318"}, false},
		{"instana with content", map[string]string{envInstanaEndpoint: "http://localhost:4318", envInstanaContent: "true"}, true},
		{"langfuse, capture off", map[string]string{envLangfusePublicKey: "pk", envLangfuseSecretKey: "sk", envCaptureContent: "false"}, false},
	} {
		clearEnv(t)
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		m, err := Configure(context.Background(), WithoutGlobal(), WithSpoolDir(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Config().CaptureContent == "on"; got != c.want || genai.CaptureContent() != c.want {
			t.Errorf("%s: capture %v (genai %v), want %v", c.name, got, genai.CaptureContent(), c.want)
		}
		_ = m.Shutdown(context.Background())
	}
}

// storeMaxBytes is the diagnostics store's bound, as the running store
// reports it in /stats.
func storeMaxBytes(t *testing.T, m *Manager) float64 {
	var st struct {
		Store struct {
			MaxBytes float64 `json:"max_bytes"`
		} `json:"diagnostics_store"`
	}
	if err := json.Unmarshal(getBody(t, m, "/stats"), &st); err != nil {
		t.Fatal(err)
	}
	return st.Store.MaxBytes
}

// TestOptionsValidatedAsStrictlyAsTheEnvironment: a negative number given
// by an option is an error naming the variable and the option, never a
// value silently replaced by a default; a misspelt destination name is an
// error listing the names, never an option that does nothing.
func TestOptionsValidatedAsStrictlyAsTheEnvironment(t *testing.T) {
	clearEnv(t)
	for _, c := range []struct {
		opt  Option
		want string
	}{
		{WithQueueMaxBytes(-5), "TELEMETRY_QUEUE_MAX_BYTES (WithQueueMaxBytes): -5 is negative"},
		{WithMemoryMaxBytes(-1), "TELEMETRY_MEMORY_MAX_BYTES (WithMemoryMaxBytes)"},
		{WithSpoolMaxBytes(-1), "TELEMETRY_SPOOL_MAX_BYTES (WithSpoolMaxBytes)"},
		{WithDiagnosticsMaxBytes(-1), "TELEMETRY_DIAGNOSTICS_MAX_BYTES (WithDiagnosticsMaxBytes)"},
		{WithMaxInFlight(-2), "TELEMETRY_MAX_IN_FLIGHT (WithMaxInFlight): -2 is negative"},
		{WithBatchTimeout(-time.Second), "WithBatchTimeout: -1s is negative"},
		{WithAttemptTimeout(-time.Second), "WithAttemptTimeout"},
		{WithPollInterval(-time.Second), "WithPollInterval"},
		{WithRetry(export.RetryPolicy{MaxAttempts: -1}), "WithRetry's MaxAttempts"},
		{WithRetry(export.RetryPolicy{Initial: time.Minute, Max: time.Second}), "Initial 1m0s is longer than Max 1s"},
		{WithBreaker(0, -time.Second, 0), "TELEMETRY_BREAKER_OPEN_TIMEOUT (WithBreaker)"},
		{WithBreaker(0, time.Hour, time.Minute), "TELEMETRY_BREAKER_MAX_OPEN_TIMEOUT (WithBreaker): 1m0s is shorter"},
		{WithMetricsInterval(-time.Second), "TELEMETRY_METRICS_INTERVAL (WithMetricsInterval)"},
		{WithSampleRate(math.NaN()), "TELEMETRY_SAMPLE_RATE (WithSampleRate): NaN is not a sampling ratio"},
		{WithSampleRate(1.5), "TELEMETRY_SAMPLE_RATE (WithSampleRate): 1.5"},
		{WithCompression("Instana", export.Gzip), `WithCompression: "Instana" names no destination; want "instana", "langfuse" or "otlp"`},
		{WithDestinationsDisabled("lanfguse"), `WithDestinationsDisabled: "lanfguse" names no destination; want "instana", "langfuse", "otlp" or "console"`},
		{WithInstanaTokenNames(export.InstanaTokenNames(7)), "INSTANA_TOKEN_NAMES (WithInstanaTokenNames): 7 is not a token name family"},
		{WithLangfuseExport(LangfuseExport(2)), "LANGFUSE_EXPORT (WithLangfuseExport): 2 is not an export choice"},
		{WithDurability(Durability(-1)), "TELEMETRY_DURABILITY (WithDurability): -1 is not a durability"},
		{WithLangfuseCost(export.LangfuseCost(2)), "LANGFUSE_COST (WithLangfuseCost): 2 is not a pricing source"},
		{WithGenAIConventions(export.Conventions(-1)), "OTEL_SEMCONV_STABILITY_OPT_IN (WithGenAIConventions): -1 is not a release"},
		{WithLangfuseReplayChecks(-1), "LANGFUSE_REPLAY_CHECKS_PER_MINUTE (WithLangfuseReplayChecks): -1 is negative"},
	} {
		_, err := Configure(context.Background(), WithoutGlobal(), WithoutSpool(), c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error containing %q, got %v", c.want, err)
		}
	}
}
