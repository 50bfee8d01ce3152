package runtime

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

func TestInstanaContentOptIn(t *testing.T) {
	for _, optIn := range []bool{false, true} {
		t.Run(map[bool]string{false: "out", true: "in"}[optIn], func(t *testing.T) {
			clearEnv(t)
			instana := otlptest.New(t)
			if optIn {
				t.Setenv(envInstanaContent, "true")
			}
			m, _ := configure(t, WithInstana(instana.URL(), ""))
			emitAgentTrace(context.Background(), m.Tracer("t"))
			flush(t, m)
			llm := findSpan(t, instana.WaitSpans(t, 4, 5*time.Second), "chat gpt-4o", "which", nil).Attrs()
			content := []string{"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.prompt.0.content", "gen_ai.completion.0.content"}
			for _, k := range content {
				if _, ok := llm[k]; ok != optIn {
					t.Errorf("%s present=%v, want %v", k, ok, optIn)
				}
			}
			if optIn {
				assertAttrs(t, llm, map[string]any{
					"gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "Be brief.",
					"gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": "weather?",
					"gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "sunny",
					"gen_ai.completion.0.finish_reason": "stop",
				})
			}
		})
	}
}

func TestSampling(t *testing.T) {
	const traces = 2000
	for _, tc := range []struct {
		rate     float64
		min, max int
	}{{0, 0, 0}, {0.5, 880, 1120}, {1, traces, traces}} {
		t.Run("", func(t *testing.T) {
			clearEnv(t)
			r := otlptest.New(t)
			m, _ := configure(t, WithInstana(r.URL(), ""), WithSampleRate(tc.rate))
			tr := m.Tracer("t")
			for range traces {
				ctx, root := tr.Start(context.Background(), "root")
				_, child := tr.Start(ctx, "child")
				child.End()
				root.End()
			}
			flush(t, m)
			roots, children := map[string]bool{}, map[string]bool{}
			for _, s := range r.Spans() {
				if s.Name == "root" {
					roots[s.TraceID()] = true
				} else {
					children[s.TraceID()] = true
				}
			}
			if n := len(roots); n < tc.min || n > tc.max {
				t.Errorf("rate %v: %d of %d traces kept, want %d..%d", tc.rate, n, traces, tc.min, tc.max)
			}
			// Parent-based: a kept trace is kept whole.
			for id := range roots {
				if !children[id] {
					t.Errorf("trace %s kept without its child", id)
				}
			}
			if len(children) != len(roots) {
				t.Errorf("%d traces with children, %d roots", len(children), len(roots))
			}
		})
	}
}

// syncBuffer is a goroutine-safe bytes.Buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestConsoleIsTheDefault(t *testing.T) {
	clearEnv(t)
	var out syncBuffer
	m, _ := configure(t, WithConsole(&out))
	if len(m.Destinations()) != 0 {
		t.Fatalf("destinations %v, want none", m.Destinations())
	}
	emitAgentTrace(context.Background(), m.Tracer("t"))
	flush(t, m)
	got := out.String()
	for _, want := range []string{
		"trace ", "invoke_agent planner", "4 spans", "1 error",
		"├─ execute_tool search", "├─ chat gpt-4o", "└─ chat gpt-4o",
		"gpt-4o-2024-08-06", "in 1200 · out 300 tok", "$0.00", "✗ rate limited",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("console output lacks %q:\n%s", want, got)
		}
	}
}

func TestGenericOTLPDestinationPassesThrough(t *testing.T) {
	clearEnv(t)
	r := otlptest.New(t)
	t.Setenv(envOTLPEndpoint, r.URL())
	t.Setenv(envOTLPHeaders, "x-team=genai,authorization=Bearer%20abc")
	m, _ := configure(t)
	emitAgentTrace(context.Background(), m.Tracer("t"))
	flush(t, m)
	spans := r.WaitSpans(t, 4, 5*time.Second)
	req := r.Requests()[0]
	if req.Path != "/v1/traces" || req.Header.Get("x-team") != "genai" || req.Header.Get("authorization") != "Bearer abc" {
		t.Errorf("request %s %v", req.Path, req.Header)
	}
	llm := findSpan(t, spans, "chat gpt-4o", "which", nil).Attrs()
	for _, k := range []string{"gen_ai.system", "langfuse.observation.type", "llm.usage.total_tokens"} {
		if _, ok := llm[k]; ok {
			t.Errorf("passthrough added %s", k)
		}
	}
	if _, ok := spans[0].Resource["INSTANA_PLUGIN"]; ok {
		t.Error("passthrough resource has INSTANA_PLUGIN")
	}
}

func TestSpanProcessorOnExistingProvider(t *testing.T) {
	clearEnv(t)
	r := otlptest.New(t)
	m, _ := configure(t, WithLangfuse(r.URL(), "pk", "sk"))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(m.SpanProcessor()))
	ctx := genai.WithSession(context.Background(), "s1")
	ctx, root := tp.Tracer("app").Start(ctx, "handler")
	_, child := tp.Tracer("app").Start(ctx, "step")
	child.End()
	root.End()
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, s := range r.WaitSpans(t, 2, 5*time.Second) {
		assertAttrs(t, s.Attrs(), map[string]any{"langfuse.trace.name": "handler", "langfuse.session.id": "s1"})
	}
}

// A session attached after the root started (the usual HTTP handler: the
// server span starts before the body names the session) still reaches the
// root and the spans that ended before it was known, when they are
// translated after it is known.
func TestTraceAttributesResolvedWithoutWaitingForRoot(t *testing.T) {
	clearEnv(t)
	r := otlptest.New(t)
	m, _ := configure(t, WithLangfuse(r.URL(), "pk", "sk"), WithBatchTimeout(time.Hour))
	tr := m.Tracer("t")
	ctx, root := tr.Start(context.Background(), "POST /chat")
	_, early := tr.Start(ctx, "parse")
	early.End()
	ctx = genai.WithSession(ctx, "late-session")
	_, llm := tr.Start(ctx, "chat m")
	llm.End()
	root.End()
	flush(t, m)
	for _, s := range r.WaitSpans(t, 3, 5*time.Second) {
		assertAttrs(t, s.Attrs(), map[string]any{"langfuse.trace.name": "POST /chat", "langfuse.session.id": "late-session"})
	}
}
