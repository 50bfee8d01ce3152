package runtime

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// Each form of a destination's URL that its own docs write is understood:
// spans reach a receiver that takes OTLP only where the real destination
// does (Langfuse under /api/public/otel/v1/traces, an Instana agent and a
// Collector under /v1/traces and /v1/metrics), nothing is posted to a
// doubled path. Langfuse's OpenTelemetry guide gives
// OTEL_EXPORTER_OTLP_ENDPOINT="https://cloud.langfuse.com/api/public/otel"
// and the traces endpoint ".../api/public/otel/v1/traces"; users copy
// either into LANGFUSE_ENDPOINT.
func TestEndpointForms(t *testing.T) {
	const lfPath = "/api/public/otel/v1/traces"
	for _, c := range []struct {
		name  string
		paths []string // where the receiver takes OTLP
		env   func(url string) map[string]string
		opt   func(url string) Option // instead of env when set
		want  string                  // the traces path posted to
	}{
		{"langfuse base", []string{lfPath}, langfuseAt(envLangfuseEndpoint, ""), nil, lfPath},
		{"langfuse base with a slash", []string{lfPath}, langfuseAt(envLangfuseEndpoint, "/"), nil, lfPath},
		{"langfuse otel base (Langfuse's docs)", []string{lfPath}, langfuseAt(envLangfuseEndpoint, "/api/public/otel"), nil, lfPath},
		{"langfuse otel base with a slash", []string{lfPath}, langfuseAt(envLangfuseBaseURL, "/api/public/otel/"), nil, lfPath},
		{"langfuse traces URL", []string{lfPath}, langfuseAt(envLangfuseHost, "/api/public/otel/v1/traces"), nil, lfPath},
		{"langfuse under a sub-path", []string{"/langfuse" + lfPath}, langfuseAt(envLangfuseEndpoint, "/langfuse/api/public/otel"), nil, "/langfuse" + lfPath},
		{"langfuse option with the otel base", []string{lfPath}, nil,
			func(u string) Option { return WithLangfuse(u+"/api/public/otel", "pk-lf-1", "sk-lf-1") }, lfPath},
		{"instana base", []string{"/v1/traces", "/v1/metrics"}, instanaAt(""), nil, "/v1/traces"},
		{"instana traces URL", []string{"/v1/traces", "/v1/metrics"}, instanaAt("/v1/traces"), nil, "/v1/traces"},
		{"instana option with the traces URL", []string{"/v1/traces", "/v1/metrics"}, nil,
			func(u string) Option { return WithInstana(u+"/v1/traces", "") }, "/v1/traces"},
		{"otlp base", []string{"/v1/traces", "/v1/metrics"}, otlpAt(envOTLPEndpoint, ""), nil, "/v1/traces"},
		{"otlp base with the traces path", []string{"/v1/traces", "/v1/metrics"}, otlpAt(envOTLPEndpoint, "/v1/traces"), nil, "/v1/traces"},
		{"otlp traces endpoint", []string{"/v1/traces", "/v1/metrics"}, otlpAt(envOTLPTracesEndpoint, "/v1/traces"), nil, "/v1/traces"},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			r := otlptest.New(t)
			r.OnlyAt(c.paths...)
			m, _ := configure(t, append(pointAt(t, r, c.env, c.opt), WithMetricsInterval(20*time.Millisecond))...)
			_, s := m.Tracer("t").Start(context.Background(), "chat m", trace.WithAttributes(genai.OperationName.String("chat")))
			s.End()
			flush(t, m)
			r.WaitSpans(t, 1, 5*time.Second)
			if got := m.Destinations()[0].Endpoint; got != r.URL()+c.want {
				t.Errorf("endpoint %s, want %s", got, r.URL()+c.want)
			}
			if slices.Contains(c.paths, "/v1/metrics") {
				waitUntil(t, func() bool { return len(r.Metrics()) > 0 })
			}
			for _, req := range r.Requests() {
				if req.Status == 404 {
					t.Errorf("posted to %s, where nothing takes OTLP", req.Path)
				}
			}
		})
	}
}

// pointAt points a destination at r: by the option opt when set, else by
// the variables env gives.
func pointAt(t *testing.T, r *otlptest.Receiver, env func(string) map[string]string, opt func(string) Option) []Option {
	if opt != nil {
		return []Option{opt(r.URL())}
	}
	for k, v := range env(r.URL()) {
		t.Setenv(k, v)
	}
	return nil
}

func langfuseAt(name, path string) func(string) map[string]string {
	return func(u string) map[string]string {
		return map[string]string{name: u + path, envLangfusePublicKey: "pk-lf-1", envLangfuseSecretKey: "sk-lf-1"}
	}
}

func instanaAt(path string) func(string) map[string]string {
	return func(u string) map[string]string { return map[string]string{envInstanaEndpoint: u + path} }
}

func otlpAt(name, path string) func(string) map[string]string {
	return func(u string) map[string]string { return map[string]string{name: u + path} }
}

// A URL where nothing takes traces (HTTP 404) is reported with the URL
// posted and the variable that set it: in the log, /health and the
// destinations' state, for each way the URL is given.
func TestNotFoundNamesTheURLAndTheVariable(t *testing.T) {
	for _, c := range []struct {
		name     string
		env      func(string) map[string]string
		opt      func(string) Option
		path     string // what is posted to
		variable string
	}{
		{"langfuse from LANGFUSE_BASE_URL", langfuseAt(envLangfuseBaseURL, "/wrong"), nil, "/wrong/api/public/otel/v1/traces", envLangfuseBaseURL},
		{"langfuse from the option", nil, func(u string) Option { return WithLangfuse(u+"/wrong", "pk", "sk") }, "/wrong/api/public/otel/v1/traces", "WithLangfuse"},
		{"instana", instanaAt("/agent"), nil, "/agent/v1/traces", envInstanaEndpoint},
		{"otlp traces endpoint", otlpAt(envOTLPTracesEndpoint, "/traces"), nil, "/traces", envOTLPTracesEndpoint},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			r := otlptest.New(t)
			r.OnlyAt("/nothing-here")
			m, logs := configure(t, append(pointAt(t, r, c.env, c.opt), WithBreaker(1, time.Hour, time.Hour), WithoutMetrics())...)
			_, s := m.Tracer("t").Start(context.Background(), "chat m", trace.WithAttributes(genai.OperationName.String("chat")))
			s.End()
			flush(t, m)
			waitUntil(t, func() bool { return m.Destinations()[0].LastErrorStatus == 404 })
			posted := r.URL() + c.path
			want := "nothing takes traces at " + posted + " (HTTP 404); check " + c.variable
			waitUntil(t, func() bool { return strings.Contains(logs.String(), want) })
			base := diagServer(t, m).URL + "/telemetry/"
			if h := call(t, "GET", base+"health", nil); h.status != 503 || !strings.Contains(h.body, want) {
				t.Errorf("health: %d %s", h.status, h.body)
			}
			d := call(t, "GET", base+"destinations", nil).json["destinations"].([]any)[0].(map[string]any)
			if d["state"] != "down" || !strings.Contains(d["detail"].(string), want) || d["last_error"].(map[string]any)["hint"] != want+strings.TrimPrefix(d["last_error"].(map[string]any)["hint"].(string), want) {
				t.Errorf("destination: %v", d)
			}
			if st := m.Destinations()[0]; st.Exported != 0 || st.DroppedTotal() != 0 {
				t.Errorf("spans posted to a wrong URL were counted as exported or dropped: %+v", st)
			}
		})
	}
}

// An Instana endpoint that answers 401 when no key is set says that the
// key is not set, not to check a key nobody gave; with a key, to check it.
func TestUnauthorizedSaysWhetherTheKeyIsSet(t *testing.T) {
	for _, c := range []struct {
		key, want string
	}{
		{"", "check INSTANA_API_KEY, which is not set"},
		{"wrong-key", "check INSTANA_API_KEY; spans are kept"},
	} {
		clearEnv(t)
		r := otlptest.New(t)
		r.SetMode(otlptest.Unauthorized)
		m, logs := configure(t, WithInstana(r.URL(), c.key), WithBreaker(1, time.Hour, time.Hour), WithoutMetrics())
		_, s := m.Tracer("t").Start(context.Background(), "chat m")
		s.End()
		flush(t, m)
		waitUntil(t, func() bool { return strings.Contains(logs.String(), "refused the request (HTTP 401)") })
		if l := logs.String(); !strings.Contains(l, c.want) {
			t.Errorf("key %q: log lacks %q: %s", c.key, c.want, l)
		}
		base := diagServer(t, m).URL + "/telemetry/"
		h := call(t, "GET", base+"health", nil)
		if !strings.Contains(h.body, strings.TrimSuffix(c.want, "; spans are kept")) || (c.key != "") == strings.Contains(h.body+logs.String(), "not set") {
			t.Errorf("key %q: health: %s", c.key, h.body)
		}
	}
}

// Configure says in one INFO line what it started: the destinations and
// their URLs without credentials, the content policy, the sampling and
// the spool.
func TestConfigureSaysWhatItStarted(t *testing.T) {
	clearEnv(t)
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	spool := t.TempDir()
	m, logs := configure(t, WithInstana(instana.URL()+"/v1/traces?key=q-secret-1", "instana-secret-2"),
		WithLangfuse(langfuse.URL()+"/api/public/otel", "pk-lf-3", "sk-lf-secret-4"), WithLangfuseExport(LangfuseExportLLM),
		WithSampleRate(0.25), WithSpoolDir(spool), WithMaskSecrets(true))
	_ = m
	var lines []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "genaitrace: configured") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("%d configured lines, want 1:\n%s", len(lines), logs)
	}
	l := lines[0]
	for _, want := range []string{"level=INFO", "instana " + instana.URL() + "/v1/traces",
		"langfuse " + langfuse.URL() + "/api/public/otel/v1/traces (traces with GenAI work only)",
		"prompts and completions recorded, sent to langfuse, masked", "sample_rate=0.25", "spool=\"" + spool + " (memory durability)\""} {
		if !strings.Contains(l, want) {
			t.Errorf("configured line lacks %q: %s", want, l)
		}
	}
	for _, secret := range []string{"q-secret-1", "instana-secret-2", "sk-lf-secret-4"} {
		if strings.Contains(l, secret) {
			t.Errorf("configured line holds a credential: %s", l)
		}
	}
	clearEnv(t)
	_, logs = configure(t, WithConsole(&syncBuffer{}), WithoutSpool(), WithCaptureContent(false))
	if l := logs.String(); !strings.Contains(l, `destinations=console `) || !strings.Contains(l, "not recorded (TELEMETRY_CAPTURE_CONTENT)") ||
		!strings.Contains(l, "spool=\"off") {
		t.Errorf("console only: %s", l)
	}
}
