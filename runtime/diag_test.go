package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// diagServer mounts the handler under /telemetry/ as the README shows.
func diagServer(t *testing.T, m *Manager) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/telemetry/", http.StripPrefix("/telemetry", m.DiagnosticsHandler()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type response struct {
	status int
	body   string
	json   map[string]any
	header http.Header
}

func call(t *testing.T, method, url string, header map[string]string) response {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, body: string(b), header: resp.Header}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &r.json); err != nil {
			t.Fatalf("%s %s: invalid JSON %q: %v", method, url, b, err)
		}
	}
	return r
}

func diagSetup(t *testing.T, opts ...Option) (*Manager, string, string) {
	t.Helper()
	clearEnv(t)
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	base := []Option{WithInstana(instana.URL(), "instana-key-d1a9"), WithLangfuse(langfuse.URL(), "pk-lf-1", "sk-lf-secret-8c2e"),
		WithOTLP(langfuse.URL()+"/v1/traces", map[string]string{"authorization": "Bearer otlp-token-44f0"})}
	m, _ := configure(t, append(base, opts...)...)
	tid := emitAgentTrace(context.Background(), m.Tracer("t"))
	flush(t, m)
	instana.WaitSpans(t, 4, 5*time.Second)
	return m, diagServer(t, m).URL + "/telemetry/", tid.String()
}

const intentHeader = "X-Genaitrace-Diagnostics"

func TestDiagnosticsEndpoints(t *testing.T) {
	m, base, tid := diagSetup(t)
	get := func(path string, want int) response {
		t.Helper()
		r := call(t, http.MethodGet, base+path, nil)
		if r.status != want {
			t.Fatalf("GET %s: %d, want %d: %s", path, r.status, want, r.body)
		}
		return r
	}

	if r := get("health", 200); r.json["status"] != "ok" || len(r.json["destinations"].([]any)) != 3 {
		t.Errorf("health: %s", r.body)
	}
	for _, path := range []string{"destinations", "exporters"} {
		r := get(path, 200)
		d := r.json["destinations"].([]any)[0].(map[string]any)
		if d["name"] != "instana" || d["state"] != "ok" || d["exported"] != 4.0 || d["kind"] != "otlp" || d["queue_max_bytes"].(float64) <= 0 {
			t.Errorf("%s: %s", path, r.body)
		}
	}
	if r := get("circuit_breakers", 200); strings.Count(r.body, `"state": "closed"`) != 3 {
		t.Errorf("breakers: %s", r.body)
	}
	if r := get("config", 200); !strings.Contains(r.body, `"api_key": "***"`) || !strings.Contains(r.body, `"secret_key": "***"`) ||
		!strings.Contains(r.body, `"authorization": "***"`) {
		t.Errorf("config: %s", r.body)
	}
	if r := get("stats", 200); r.json["accepted"] != 4.0 || r.json["totals"].(map[string]any)["exported"] != 12.0 {
		t.Errorf("stats: %s", r.body)
	}
	if r := get("spool", 200); len(r.json["spools"].([]any)) != 3 {
		t.Errorf("spool: %s", r.body)
	}
	r := get("exported_traces", 200)
	traces := r.json["traces"].([]any)
	if len(traces) != 1 || traces[0].(map[string]any)["trace_id"] != tid || traces[0].(map[string]any)["error_count"] != 1.0 {
		t.Errorf("exported_traces: %s", r.body)
	}
	for _, q := range []string{"?status=error", "?model=gpt-4o", "?service=", "?session=sess-42", "?min_duration=0s&limit=5"} {
		if r := get("exported_traces"+q, 200); len(r.json["traces"].([]any)) != 1 {
			t.Errorf("filter %s: %s", q, r.body)
		}
	}
	for _, q := range []string{"?status=ok", "?model=none", "?service=other", "?session=other", "?min_duration=1h", "?before=1." + strings.Repeat("0", 32)} {
		if r := get("exported_traces"+q, 200); len(r.json["traces"].([]any)) != 0 {
			t.Errorf("filter %s matched: %s", q, r.body)
		}
	}
	r = get("traces/"+tid, 200)
	spans := r.json["spans"].([]any)
	if len(spans) != 4 {
		t.Fatalf("trace: %s", r.body)
	}
	if ta := r.json["trace_attributes"].(map[string]any); ta["session_id"] != "sess-42" || ta["user_id"] != "user-7" || len(ta["tags"].([]any)) != 2 {
		t.Errorf("trace attributes %v", ta)
	}
	for _, s := range spans {
		sp := s.(map[string]any)
		dests := sp["destinations"].(map[string]any)
		if len(dests) != 3 {
			t.Errorf("span %s sent to %d destinations", sp["name"], len(dests))
		}
		switch sp["name"] {
		case "invoke_agent planner":
			if dests["instana"].(map[string]any)["traceloop.span.kind"] != "agent" || dests["langfuse"].(map[string]any)["langfuse.observation.type"] != "agent" {
				t.Errorf("translated attributes: %v", dests)
			}
		case "chat gpt-4o":
			if g := sp["genai"].(map[string]any); sp["status"] == "ok" && (g["request_model"] != "gpt-4o" || g["input_tokens"] != 1200.0 || g["priced"] != true) {
				t.Errorf("facts %v", g)
			}
		}
	}
	if strings.Contains(r.body, "weather?") || strings.Contains(r.body, "sunny") {
		t.Error("content shown without TELEMETRY_DIAGNOSTICS_CONTENT")
	}
	r = get("trace_analyzer/"+tid, 200)
	if len(r.json["tree"].([]any)) != 1 || len(r.json["critical_path"].([]any)) < 2 || len(r.json["errors"].([]any)) != 1 {
		t.Errorf("analyzer: %s", r.body)
	}
	// One model: the failed call, which has no response model, is counted
	// under the model asked for, as the successful one is.
	if models := r.json["models"].([]any); len(models) != 1 || models[0].(map[string]any)["calls"] != 2.0 || models[0].(map[string]any)["error_count"] != 1.0 {
		t.Errorf("analyzer models: %v", models)
	}
	if r := get("models?window=15m", 200); r.json["totals"].(map[string]any)["calls"] != 2.0 {
		t.Errorf("models: %s", r.body)
	}
	if r := get("sessions", 200); len(r.json["sessions"].([]any)) != 1 || r.json["sessions"].([]any)[0].(map[string]any)["session_id"] != "sess-42" {
		t.Errorf("sessions: %s", r.body)
	}
	if r := get("version", 200); r.json["genaitrace"] != Version {
		t.Errorf("version: %s", r.body)
	}
	if r := get("", 200); !strings.Contains(r.body, "static/app.js") || !strings.Contains(r.body, "genaitrace diagnostics") {
		t.Errorf("page: %s", r.body)
	}
	if r := get("static/app.js", 200); !strings.Contains(r.body, "waterfall") {
		t.Error("static app.js")
	}

	// POST endpoints.
	intent := map[string]string{intentHeader: "1"}
	if r := call(t, http.MethodPost, base+"flush", intent); r.status != 200 || r.json["flushed"] != true {
		t.Errorf("flush: %d %s", r.status, r.body)
	}
	destination(t, m, "instana").breaker.Reset()
	if r := call(t, http.MethodPost, base+"breakers/langfuse/reset", intent); r.status != 200 || !strings.Contains(r.body, `"state": "closed"`) {
		t.Errorf("reset: %d %s", r.status, r.body)
	}
}

func TestDiagnosticsBadInput(t *testing.T) {
	_, base, tid := diagSetup(t)
	intent := map[string]string{intentHeader: "1"}
	cases := []struct {
		method, path string
		header       map[string]string
		want         int
		says         string
	}{
		{"GET", "traces/xyz", nil, 400, "malformed"},
		{"GET", "traces/00000000000000000000000000000000", nil, 400, "malformed"},
		{"GET", "traces/" + strings.Repeat("a", 32), nil, 404, "not among the recent traces"},
		{"GET", "trace_analyzer/" + tid[:31], nil, 400, "32 hex digits"},
		{"GET", "trace_analyzer/" + strings.Repeat("b", 32), nil, 404, "not among"},
		{"GET", "exported_traces?limit=0", nil, 400, "limit"},
		{"GET", "exported_traces?limit=abc", nil, 400, "limit"},
		{"GET", "exported_traces?before=-1", nil, 400, "before"},
		{"GET", "exported_traces?before=123.abc", nil, 400, "before"},
		{"GET", "exported_traces?status=maybe", nil, 400, "status"},
		{"GET", "exported_traces?min_duration=soon", nil, 400, "min_duration"},
		{"GET", "exported_traces?color=red", nil, 400, "unknown parameter"},
		{"GET", "sessions?x=1", nil, 400, "unknown parameter"},
		{"GET", "models?window=2d", nil, 400, "window"},
		{"GET", "models?window=48h", nil, 400, "window"},
		{"GET", "health?mode=sometimes", nil, 400, "mode"},
		{"GET", "nope", nil, 404, "no such endpoint"},
		{"POST", "health", intent, 405, "not allowed"},
		{"GET", "flush", nil, 405, "not allowed"},
		{"POST", "flush", nil, 403, intentHeader},
		{"POST", "breakers/nowhere/reset", intent, 404, "no destination"},
		{"POST", "spool/instana/set_aside/burn", intent, 404, "no action"},
		{"DELETE", "traces/" + tid, nil, 405, "not allowed"},
	}
	for _, c := range cases {
		r := call(t, c.method, base+c.path, c.header)
		e, _ := r.json["error"].(map[string]any)
		if r.status != c.want || e == nil || e["code"] != float64(c.want) || !strings.Contains(e["message"].(string), c.says) {
			t.Errorf("%s %s: %d %s; want %d with %q in a JSON error", c.method, c.path, r.status, r.body, c.want, c.says)
		}
	}
}

func TestDiagnosticsHealthModes(t *testing.T) {
	clearEnv(t)
	down := otlptest.New(t)
	down.Down()
	m, _ := configure(t, WithInstana(down.URL(), ""), WithBreaker(1, time.Hour, time.Hour))
	_, s := m.Tracer("t").Start(context.Background(), "op")
	s.End()
	flush(t, m)
	base := diagServer(t, m).URL + "/telemetry/"
	r := call(t, "GET", base+"health", nil)
	// The last error is the dial's: "connection refused", or, when the
	// closed port was meanwhile taken as the source port of some other
	// connection on this machine (seen under load), "connection reset".
	if r.status != 503 || r.json["status"] != "unhealthy" || !strings.Contains(r.body, "circuit breaker open") || !strings.Contains(r.body, "last error: Post") {
		t.Errorf("strict: %d %s", r.status, r.body)
	}
	if r := call(t, "GET", base+"health?mode=lenient", nil); r.status != 200 || r.json["status"] != "unhealthy" {
		t.Errorf("lenient: %d %s", r.status, r.body)
	}
}

func TestDiagnosticsToken(t *testing.T) {
	_, base, _ := diagSetup(t, WithDiagnosticsToken("diag-token-71b3"))
	for _, path := range []string{"", "health", "config", "exported_traces", "static/app.js"} {
		if r := call(t, "GET", base+path, nil); r.status != 401 {
			t.Errorf("GET %s without token: %d", path, r.status)
		}
	}
	if r := call(t, "POST", base+"flush", map[string]string{intentHeader: "1"}); r.status != 401 {
		t.Errorf("POST without token: %d", r.status)
	}
	if r := call(t, "GET", base+"health", map[string]string{"Authorization": "Bearer wrong"}); r.status != 401 {
		t.Errorf("wrong token: %d", r.status)
	}
	auth := map[string]string{"Authorization": "Bearer diag-token-71b3"}
	if r := call(t, "GET", base+"health", auth); r.status != 200 {
		t.Errorf("with token: %d", r.status)
	}
	auth[intentHeader] = "1"
	if r := call(t, "POST", base+"flush", auth); r.status != 200 {
		t.Errorf("POST with token: %d", r.status)
	}
	// The page takes the token once and keeps it in a cookie.
	jar := &cookieJar{}
	client := &http.Client{Jar: jar}
	resp, err := client.Get(base + "?token=diag-token-71b3")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "genaitrace diagnostics") || strings.Contains(resp.Request.URL.RawQuery, "token") {
		t.Errorf("page login: %d, final URL %s", resp.StatusCode, resp.Request.URL)
	}
	if strings.Contains(string(body), "diag-token-71b3") {
		t.Error("token echoed in the page")
	}
}

func TestDiagnosticsNeverShowSecrets(t *testing.T) {
	m, base, tid := diagSetup(t, WithDiagnosticsToken("diag-token-0c5d"), WithCaptureContent(true))
	auth := map[string]string{"Authorization": "Bearer diag-token-0c5d", intentHeader: "1"}
	secrets := []string{"instana-key-d1a9", "sk-lf-secret-8c2e", "otlp-token-44f0", "diag-token-0c5d",
		"cGstbGYtMTpzay1sZi1zZWNyZXQtOGMyZQ"} // base64 of the Langfuse Basic credentials
	paths := []string{"", "health", "destinations", "circuit_breakers", "config", "stats", "spool",
		"exported_traces", "traces/" + tid, "trace_analyzer/" + tid, "sessions", "models", "version"}
	var bodies []string
	for _, p := range paths {
		bodies = append(bodies, call(t, "GET", base+p, auth).body)
	}
	bodies = append(bodies, call(t, "POST", base+"flush", auth).body, call(t, "POST", base+"breakers/instana/reset", auth).body)
	for i, b := range bodies {
		for _, s := range secrets {
			if strings.Contains(b, s) {
				t.Errorf("response %d leaks %q", i, s)
			}
		}
	}
	// Content was captured and sent, yet the page does not show it.
	if !strings.Contains(strings.Join(bodies, ""), "gen_ai.operation.name") || strings.Contains(strings.Join(bodies, ""), "weather?") {
		t.Error("content shown, or nothing checked")
	}
	_ = m
	genai.SetCaptureContent(false)
}

func TestDiagnosticsContentOptIn(t *testing.T) {
	_, base, tid := diagSetup(t, WithCaptureContent(true), WithDiagnosticsContent(true))
	defer genai.SetCaptureContent(false)
	if r := call(t, "GET", base+"traces/"+tid, nil); !strings.Contains(r.body, "weather?") {
		t.Errorf("content not shown with TELEMETRY_DIAGNOSTICS_CONTENT: %s", r.body)
	}
}

// cookieJar is a minimal jar for one host.
type cookieJar struct{ cookies []*http.Cookie }

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) { j.cookies = append(j.cookies, cs...) }
func (j *cookieJar) Cookies(*url.URL) []*http.Cookie          { return j.cookies }

// Wrong keys are not an outage: a destination answering 401 is reported as
// refusing the credentials, naming the variables, in the log, /health and
// the destinations' state; the spans are kept.
func TestDiagnosticsReportRefusedCredentials(t *testing.T) {
	clearEnv(t)
	lf := otlptest.New(t)
	lf.SetMode(otlptest.Unauthorized)
	m, logs := configure(t, WithLangfuse(lf.URL(), "pk-lf-1", "sk-lf-wrong"), WithBreaker(2, time.Hour, time.Hour))
	_, s := m.Tracer("t").Start(context.Background(), "chat gpt-4o", tenAttributes)
	s.End()
	flush(t, m)
	waitUntil(t, func() bool { return m.Destinations()[0].LastErrorStatus == 401 })
	base := diagServer(t, m).URL + "/telemetry/"
	r := call(t, "GET", base+"health", nil)
	if r.status != 503 || !strings.Contains(r.body, "refused the request (HTTP 401); check LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY") {
		t.Errorf("health: %d %s", r.status, r.body)
	}
	d := call(t, "GET", base+"destinations", nil).json["destinations"].([]any)[0].(map[string]any)
	if d["state"] != "refused" || d["last_error"].(map[string]any)["refused"] != true {
		t.Errorf("destination: %v", d)
	}
	if l := logs.String(); !strings.Contains(l, "refused the request (HTTP 401); check LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY") || strings.Contains(l, "destination unavailable") {
		t.Errorf("log: %s", l)
	}
	if st := m.Destinations()[0]; st.Exported != 0 || st.DroppedTotal() != 0 {
		t.Errorf("a refused span was counted as exported or dropped: %+v", st)
	}
}

// Mounted without a token, the handler says once that it is open.
func TestDiagnosticsWarnWhenOpen(t *testing.T) {
	clearEnv(t)
	m, logs := configure(t)
	m.DiagnosticsHandler()
	m.DiagnosticsHandler()
	if n := strings.Count(logs.String(), "the diagnostics handler has no token"); n != 1 {
		t.Errorf("%d warnings, want 1: %s", n, logs)
	}
	m2, logs2 := configure(t, WithDiagnosticsToken("t0k3n-x"))
	m2.DiagnosticsHandler()
	if strings.Contains(logs2.String(), "no token") {
		t.Error("warned although a token is set")
	}
}

// healthOf reads /health?mode=lenient.
func healthOf(t *testing.T, m *Manager) map[string]any {
	t.Helper()
	rec := httptest.NewRecorder()
	m.DiagnosticsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health?mode=lenient", nil))
	var h map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestHealthSaysWhereSpansWaitAsTheyDo: without a spool, a destination that
// is down is said to keep spans in memory only (naming the variables),
// never that they go to the spool.
func TestHealthSaysWhereSpansWaitAsTheyDo(t *testing.T) {
	clearEnv(t)
	r := otlptest.New(t)
	r.SetMode(otlptest.Refuse)
	m, _ := configure(t, WithInstana(r.URL(), ""), WithoutSpool(), WithBreaker(1, time.Hour, time.Hour))
	_, s := m.Tracer("t").Start(context.Background(), "op")
	s.End()
	waitUntil(t, func() bool { return m.Destinations()[0].Breaker.State == breaker.Open })
	reason := fmt.Sprint(healthOf(t, m)["destinations"])
	if strings.Contains(reason, "go to the spool") || !strings.Contains(reason, "memory only") || !strings.Contains(reason, "TELEMETRY_SPOOL") {
		t.Errorf("/health without a spool says: %s", reason)
	}
}

// TestHealthShowsSetAsideSpansAndTheirActions: spans spooled for other
// credentials are shown in /health with the requests that replay or
// discard them; replaying sends them.
func TestHealthShowsSetAsideSpansAndTheirActions(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	down, up := otlptest.New(t), otlptest.New(t)
	down.SetMode(otlptest.Refuse)
	old, err := Configure(context.Background(), WithoutGlobal(), WithLogger(slog.New(slog.DiscardHandler)), WithSpoolDir(dir),
		WithLangfuse(down.URL(), "pk-lf-old", "sk-lf-old"), WithLangfuseExport(LangfuseExportAll), WithBreaker(1, time.Hour, time.Hour),
		WithBatchTimeout(20*time.Millisecond), WithPollInterval(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, s := old.Tracer("t").Start(context.Background(), "op")
		s.End()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = old.Flush(ctx) // on disk: the destination is down
	_ = old.Shutdown(ctx)
	m, _ := configure(t, WithSpoolDir(dir), WithLangfuse(up.URL(), "pk-lf-new", "sk-lf-new"))
	var notice string
	waitUntil(t, func() bool {
		for _, d := range healthOf(t, m)["destinations"].([]any) {
			notice, _ = d.(map[string]any)["notice"].(string)
		}
		return notice != ""
	})
	if !strings.Contains(notice, "3 spans set aside") || !strings.Contains(notice, "POST spool/langfuse/set_aside/replay") ||
		!strings.Contains(notice, "POST spool/langfuse/set_aside/discard") {
		t.Errorf("/health notice: %q", notice)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/spool/langfuse/set_aside/replay", nil)
	req.Header.Set("X-Genaitrace-Diagnostics", "1")
	m.DiagnosticsHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("replay: %d %s", rec.Code, rec.Body)
	}
	up.WaitSpans(t, 3, 10*time.Second)
}
