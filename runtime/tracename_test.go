package runtime

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// A trace the application named keeps its name on every span, those sent
// while the root still ran included, and a root renamed later does not
// replace it.
func TestTraceNamedByTheApplicationKeepsItsName(t *testing.T) {
	clearEnv(t)
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	m, _ := configure(t, WithInstana(instana.URL(), ""), WithLangfuse(langfuse.URL(), "pk", "sk"))
	tr := m.Tracer("t")
	ctx, root := tr.Start(genai.WithTraceName(context.Background(), "ask-flow"), "POST")
	_, call := tr.Start(ctx, "chat m", trace.WithAttributes(genai.OperationName.String("chat")))
	call.End()
	flush(t, m) // sent before the root ends
	root.SetName("POST /ask")
	root.End()
	flush(t, m)
	for key, r := range map[string]*otlptest.Receiver{"traceloop.workflow.name": instana, "langfuse.trace.name": langfuse} {
		for _, s := range r.WaitSpans(t, 2, 5*time.Second) {
			if got := s.Attrs()[key]; got != "ask-flow" {
				t.Errorf("span %q: %s=%v, want ask-flow", s.Name, key, got)
			}
		}
	}
}

// A root renamed after its children started (what otelhttp does once the
// route is known) names the trace by its final name; a span sent while
// the root still ran carries no name rather than the stale one. The
// session in the context must not change that (it once kept the name the
// first child saw).
func TestTraceNameIsTheRootsFinalName(t *testing.T) {
	clearEnv(t)
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	m, _ := configure(t, WithInstana(instana.URL(), ""), WithLangfuse(langfuse.URL(), "pk", "sk"))
	tr := m.Tracer("t")
	ctx, root := tr.Start(context.Background(), "POST")
	ctx = genai.WithSession(ctx, "s-1")
	_, early := tr.Start(ctx, "chat m", trace.WithAttributes(genai.OperationName.String("chat")))
	early.End()
	flush(t, m) // sent before the root ends
	_, late := tr.Start(ctx, "execute_tool search", trace.WithAttributes(genai.OperationName.String("execute_tool")))
	late.End()
	root.SetName("POST /ask")
	root.End()
	flush(t, m)
	want := map[string]any{"chat m": nil, "execute_tool search": "POST /ask", "POST /ask": "POST /ask"}
	for key, r := range map[string]*otlptest.Receiver{"traceloop.workflow.name": instana, "langfuse.trace.name": langfuse} {
		for _, s := range r.WaitSpans(t, 3, 5*time.Second) {
			if got := s.Attrs()[key]; got != want[s.Name] {
				t.Errorf("span %q: %s=%v, want %v", s.Name, key, got, want[s.Name])
			}
		}
	}
}
