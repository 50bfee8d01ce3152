package runtime

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/internal/wrapbench"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// TestLangfuseRootBehindACaller: a request that arrives from a traced
// caller (a gateway with its own TracerProvider, whose otelhttp transport
// sends the traceparent) to a service behind the real otelhttp middleware.
// Langfuse v4 takes a trace's input and output only from an observation
// whose parent_span_id is empty (the argMaxIf columns of
// packages/shared/src/server/queries/clickhouse-sql/event-query-builder.ts,
// langfuse/langfuse at 62751446), and it never
// receives the caller's span: by default Langfuse gets the service's root
// without a parent, the caller's span ID kept as genaitrace.parent_span_id,
// and the trace's input and output on it; Instana gets the root under the
// caller as it is. With LANGFUSE_KEEP_REMOTE_PARENT=true (the caller exports
// to the same Langfuse project) the root keeps its parent and is not marked
// as the application's root.
func TestLangfuseRootBehindACaller(t *testing.T) {
	for _, keep := range []bool{false, true} {
		name := map[bool]string{false: "default", true: "LANGFUSE_KEEP_REMOTE_PARENT=true"}[keep]
		t.Run(name, func(t *testing.T) {
			clearEnv(t)
			if keep {
				t.Setenv(envLangfuseKeepParent, "true")
			}
			instana, langfuse := otlptest.New(t), otlptest.New(t)
			m, _ := configure(t, WithInstana(instana.URL(), ""), WithLangfuse(langfuse.URL(), "pk", "sk"))
			if got := m.Config().Langfuse.KeepRemoteParent; got != keep {
				t.Fatalf("/config says keep_remote_parent=%v", got)
			}
			client := wrapbench.NewTracedClient(&quotaClient{}, genai.WithTracerProvider(m.TracerProvider()))
			mux := http.NewServeMux()
			mux.HandleFunc("POST /ask", func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				genai.SetTraceInput(r.Context(), string(body))
				if _, err := client.Complete(r.Context(), &wrapbench.Request{Model: "gpt-4o-mini", MaxTokens: 50}); err != nil {
					t.Error(err)
				}
				genai.SetTraceOutput(r.Context(), "take a jacket")
				_, _ = io.WriteString(w, "take a jacket")
			})
			srv := httptest.NewServer(otelhttp.NewHandler(mux, "server", otelhttp.WithTracerProvider(m.TracerProvider()),
				otelhttp.WithPropagators(propagation.TraceContext{})))
			defer srv.Close()

			// The caller: another service, traced by its own provider.
			called := tracetest.NewSpanRecorder()
			gateway := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(called))
			defer func() { _ = gateway.Shutdown(context.Background()) }()
			hc := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(gateway),
				otelhttp.WithPropagators(propagation.TraceContext{}))}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/ask", strings.NewReader("what should I wear?"))
			resp, err := hc.Do(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("POST /ask: %v %v", resp, err)
			}
			resp.Body.Close()
			flush(t, m)
			if len(called.Ended()) != 1 {
				t.Fatalf("the caller made %d spans, want its client span", len(called.Ended()))
			}
			caller := called.Ended()[0].SpanContext()

			lfRoot := otlptest.ByName(langfuse.WaitSpans(t, 2, 5*time.Second))["POST /ask"]
			inRoot := otlptest.ByName(instana.WaitSpans(t, 2, 5*time.Second))["POST /ask"]
			if lfRoot.Span == nil || inRoot.Span == nil {
				t.Fatalf("no POST /ask root: langfuse %v, instana %v", langfuse.Spans(), instana.Spans())
			}
			if lfRoot.TraceID() != caller.TraceID().String() || inRoot.ParentID() != caller.SpanID().String() {
				t.Fatalf("the request did not continue the caller's trace: %s ← %s, caller %s", inRoot.TraceID(), inRoot.ParentID(), caller.SpanID())
			}
			a := lfRoot.Attrs()
			if in, _ := a["langfuse.observation.input"].(string); in != "what should I wear?" || a["langfuse.observation.output"] != "take a jacket" {
				t.Errorf("the root's input and output %q / %v", in, a["langfuse.observation.output"])
			}
			if !keep {
				if lfRoot.ParentID() != "" || a["genaitrace.parent_span_id"] != caller.SpanID().String() || a["langfuse.internal.is_app_root"] != true {
					t.Errorf("Langfuse's root: parent %q, genaitrace.parent_span_id %v, is_app_root %v; want none, %s, true",
						lfRoot.ParentID(), a["genaitrace.parent_span_id"], a["langfuse.internal.is_app_root"], caller.SpanID())
				}
				return
			}
			if lfRoot.ParentID() != caller.SpanID().String() {
				t.Errorf("Langfuse's root has parent %q, want the caller's %s", lfRoot.ParentID(), caller.SpanID())
			}
			for _, k := range []string{"genaitrace.parent_span_id", "langfuse.internal.is_app_root"} {
				if v, ok := a[k]; ok {
					t.Errorf("Langfuse's root carries %s=%v, though its parent is in Langfuse", k, v)
				}
			}
		})
	}
}
