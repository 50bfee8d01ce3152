package runtime

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// A service as a new user builds it: the real otelhttp (v0.72.0, go.mod)
// around a mux that serves POST /ask, whose handler makes a model call,
// and mounts the diagnostics. otelhttp starts its span named "POST" and
// renames it "POST /ask" after the handler has run (handler.go,
// serveHTTP: span.SetName once rCtx.Pattern is known). The model call's
// span is translated and sent while the request still runs (a flush in
// the handler: a request longer than a batch window), so it must carry no
// stale name; the root carries the route's, at both destinations and on
// the diagnostics page. No diagnostics request reaches a destination or
// the page, with DiagnosticsFilter (no span is even started) or without
// it (the handler keeps its span from genaitrace's export).
func TestTraceNameAndDiagnosticsBehindOtelhttp(t *testing.T) {
	for _, filtered := range []bool{true, false} {
		name := "without filter"
		if filtered {
			name = "with DiagnosticsFilter"
		}
		t.Run(name, func(t *testing.T) {
			clearEnv(t)
			instana, langfuse := otlptest.New(t), otlptest.New(t)
			m, _ := configure(t, WithInstana(instana.URL(), ""), WithLangfuse(langfuse.URL(), "pk", "sk"),
				WithLangfuseExport(LangfuseExportLLM))
			made := tracetest.NewSpanRecorder() // every span otelhttp starts, exported or not
			m.TracerProvider().RegisterSpanProcessor(made)

			mux := http.NewServeMux()
			mux.HandleFunc("POST /ask", func(w http.ResponseWriter, r *http.Request) {
				ctx := genai.WithSession(r.Context(), "s-1")
				_, call := m.Tracer("app").Start(ctx, "chat gpt-4o-mini", trace.WithAttributes(
					genai.OperationName.String("chat"), genai.RequestModel.String("gpt-4o-mini"),
					genai.UsageInputTokens.Int(12), genai.UsageOutputTokens.Int(3)))
				call.End()
				if err := m.Flush(r.Context()); err != nil { // the call leaves before its request ends
					t.Error(err)
				}
				_, _ = io.WriteString(w, "ok")
			})
			mux.Handle("/telemetry/", http.StripPrefix("/telemetry", m.DiagnosticsHandler()))
			opts := []otelhttp.Option{otelhttp.WithTracerProvider(m.TracerProvider())}
			if filtered {
				opts = append(opts, otelhttp.WithFilter(DiagnosticsFilter("/telemetry")))
			}
			srv := httptest.NewServer(otelhttp.NewHandler(mux, "server", opts...))
			defer srv.Close()

			if resp, err := http.Post(srv.URL+"/ask", "text/plain", strings.NewReader("hi")); err != nil || resp.StatusCode != 200 {
				t.Fatalf("POST /ask: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
			// What the page loads, and what an operator polls.
			diagPaths := []string{"/telemetry/", "/telemetry/static/app.js", "/telemetry/static/style.css", "/telemetry/health",
				"/telemetry/destinations", "/telemetry/stats", "/telemetry/exported_traces", "/telemetry/nope"}
			for _, p := range diagPaths {
				resp, err := http.Get(srv.URL + p)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			flush(t, m)

			for dest, r := range map[string]*otlptest.Receiver{"instana": instana, "langfuse": langfuse} {
				spans := r.WaitSpans(t, 2, 5*time.Second)
				nameKey := map[string]string{"instana": "traceloop.workflow.name", "langfuse": "langfuse.trace.name"}[dest]
				var rootName any
				for _, s := range spans {
					if strings.HasPrefix(s.Name, "GET") {
						t.Errorf("%s got the diagnostics' span %q", dest, s.Name)
					}
					got, ok := s.Attrs()[nameKey]
					if ok && got != "POST /ask" {
						t.Errorf("%s: span %q carries %s=%v, want POST /ask or none", dest, s.Name, nameKey, got)
					}
					if s.ParentID() == "" {
						rootName = got
					}
				}
				if rootName != "POST /ask" {
					t.Errorf("%s: the root carries %s=%v, want POST /ask", dest, nameKey, rootName)
				}
				if len(spans) != 2 {
					t.Errorf("%s got %d spans, want the request's and the call's", dest, len(spans))
				}
			}

			var list struct {
				Traces []struct {
					Name string `json:"name"`
				} `json:"traces"`
			}
			getJSON(t, m, "/exported_traces", &list)
			if len(list.Traces) != 1 || list.Traces[0].Name != "POST /ask" {
				t.Errorf("the page lists %+v, want the one trace POST /ask", list.Traces)
			}

			diagSpans := 0
			for _, s := range made.Ended() {
				if strings.HasPrefix(s.Name(), "GET") {
					diagSpans++
				}
			}
			switch {
			case filtered && diagSpans != 0:
				t.Errorf("with DiagnosticsFilter otelhttp still started %d spans for the diagnostics", diagSpans)
			case !filtered && diagSpans != len(diagPaths):
				// Not an assertion on genaitrace: it shows the case without
				// the filter tested what it means to (otelhttp made spans
				// that genaitrace then kept from its export).
				t.Errorf("without the filter otelhttp made %d diagnostics spans, want %d", diagSpans, len(diagPaths))
			}
			if !filtered {
				if n := m.proc.quiet.n.Load(); n != 0 {
					t.Errorf("%d quiet spans left after their requests ended", n)
				}
			}
		})
	}
}

// getJSON reads a diagnostics endpoint through the handler itself.
func getJSON(t *testing.T, m *Manager, path string, v any) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.DiagnosticsHandler().ServeHTTP(rec, httptest.NewRequestWithContext(context.Background(), http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func TestDiagnosticsFilter(t *testing.T) {
	for _, c := range []struct {
		prefix, path string
		traced       bool
	}{
		{"/telemetry", "/telemetry/", false},
		{"/telemetry", "/telemetry", false},
		{"/telemetry/", "/telemetry/static/app.js", false},
		{"telemetry", "/telemetry/traces/abc", false},
		{"/telemetry", "/telemetryx", true},
		{"/telemetry", "/ask", true},
		{"/ops/telemetry", "/ops/telemetry/health", false},
		{"/ops/telemetry", "/ops/other", true},
		{"", "/anything", false},
	} {
		r := httptest.NewRequest(http.MethodGet, c.path, nil)
		if got := DiagnosticsFilter(c.prefix)(r); got != c.traced {
			t.Errorf("DiagnosticsFilter(%q)(%s) = %v, want %v", c.prefix, c.path, got, c.traced)
		}
	}
}
