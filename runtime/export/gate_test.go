package export

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// gateSpans makes traces, each as a parent with children, and returns
// their spans by name, each with its TraceInfo shared by the trace and a
// size of 100 bytes.
func gateSpans(t *testing.T, build func(tr trace.Tracer)) map[string]*Span {
	t.Helper()
	spans := recordSpans(t, resource.Empty(), func(tp trace.TracerProvider) { build(tp.Tracer("t")) })
	infos := map[trace.TraceID]*TraceInfo{}
	out := map[string]*Span{}
	for _, s := range spans {
		tid := s.SpanContext().TraceID()
		if infos[tid] == nil {
			infos[tid] = NewTraceInfo(TraceFields{})
		}
		s.Trace, s.size = infos[tid], 100
		deriveFacts(s, s.Facts, nil)
		out[s.Name()] = s
	}
	return out
}

func names(spans []*Span) map[string]bool {
	out := map[string]bool{}
	for _, s := range spans {
		out[s.Name()] = true
	}
	return out
}

// Plain spans wait for their trace's decision: a GenAI span lets them all
// through; a root with no GenAI span before it drops them; late spans follow
// the decision; the budget gets every held byte back.
func TestGateDecidesByTrace(t *testing.T) {
	s := gateSpans(t, func(tr trace.Tracer) {
		ctx, root := tr.Start(context.Background(), "llm-root")
		_, db := tr.Start(ctx, "llm-db")
		db.End()
		_, llm := tr.Start(ctx, "llm-call", trace.WithAttributes(genai.OperationName.String("chat"), genai.RequestModel.String("m")))
		llm.End()
		_, late := tr.Start(ctx, "llm-late")
		root.End()
		late.End()

		ctx, root2 := tr.Start(context.Background(), "plain-root")
		_, child := tr.Start(ctx, "plain-child")
		child.End()
		_, late2 := tr.Start(ctx, "plain-late")
		root2.End()
		late2.End()

		_, lone := tr.Start(context.Background(), "GET /favicon.ico")
		lone.End()
	})
	budget := newMemoryBudget(1 << 20)
	g := newGate(1 << 20)
	g.budget = budget

	// Batch 1: the plain children, before anything is known.
	a := g.admit([]*Span{s["llm-db"], s["plain-child"]})
	if len(a.pass) != 0 || len(a.freed) != 0 || a.filtered != 0 {
		t.Fatalf("batch 1: %+v", a)
	}
	if n, b := g.heldSpans(); n != 2 || b != 200 || budget.used.Load() != 200 {
		t.Fatalf("held %d spans, %d bytes, budget %d", n, b, budget.used.Load())
	}
	// Batch 2: the GenAI span lets its trace's held child go; the plain root
	// drops its trace's child; the lone plain span is dropped.
	s["llm-call"].Trace.learn(s["llm-call"])
	a = g.admit([]*Span{s["llm-call"], s["plain-root"], s["GET /favicon.ico"]})
	if p := names(a.pass); len(p) != 1 || !p["llm-call"] {
		t.Errorf("batch 2 passed %v", p)
	}
	if f := names(a.freed); len(f) != 1 || !f["llm-db"] {
		t.Errorf("batch 2 freed %v", f)
	}
	if a.filtered != 3 { // plain-root, plain-child, the favicon
		t.Errorf("batch 2 filtered %d, want 3", a.filtered)
	}
	if len(a.freed) == 1 && (a.freed[0].Facts == s["llm-db"].Facts || a.freed[0].batch == s["llm-db"].batch) {
		t.Error("a held span still points into its batch (facts or memory accounting)")
	}
	releaseBatch(a.freed) // what the destination does once encoded
	// Batch 3: the root of the GenAI trace and both late spans.
	a = g.admit([]*Span{s["llm-root"], s["llm-late"], s["plain-late"]})
	if p := names(a.pass); len(p) != 2 || !p["llm-root"] || !p["llm-late"] || a.filtered != 1 {
		t.Errorf("batch 3 passed %v, filtered %d", p, a.filtered)
	}
	if n, b := g.heldSpans(); n != 0 || b != 0 || budget.used.Load() != 0 {
		t.Errorf("after: held %d spans, %d bytes, budget holds %d", n, b, budget.used.Load())
	}
	if freed := a.freed; len(freed) != 0 {
		t.Errorf("batch 3 freed %d", len(freed))
	}
}

// Undecided traces go through when they waited too long or the held bytes
// are over the bound, and at shutdown: the gate fails open.
func TestGateFailsOpen(t *testing.T) {
	s := gateSpans(t, func(tr trace.Tracer) {
		for _, n := range []string{"a", "b", "c"} {
			ctx, root := tr.Start(context.Background(), n+"-root")
			_, child := tr.Start(ctx, n+"-child")
			child.End()
			defer root.End()
		}
	})
	now := time.Unix(1_700_000_000, 0)
	g := newGate(250) // two and a half held spans
	g.now = func() time.Time { return now }
	if a := g.admit([]*Span{s["a-child"], s["b-child"]}); len(a.freed) != 0 {
		t.Fatalf("freed %d within the bounds", len(a.freed))
	}
	a := g.admit([]*Span{s["c-child"]}) // 300 bytes held: the oldest goes
	if f := names(a.freed); len(f) != 1 || !f["a-child"] {
		t.Errorf("over the byte bound freed %v, want a-child", f)
	}
	now = now.Add(gateWait)
	a = g.admit(nil)
	if f := names(a.freed); len(f) != 2 || !f["b-child"] || !f["c-child"] {
		t.Errorf("after the wait freed %v", f)
	}
	s2 := gateSpans(t, func(tr trace.Tracer) {
		ctx, root := tr.Start(context.Background(), "d-root")
		_, child := tr.Start(ctx, "d-child")
		child.End()
		defer root.End()
	})
	g.admit([]*Span{s2["d-child"]})
	if d := names(g.drain()); len(d) != 1 || !d["d-child"] {
		t.Errorf("drain %v", d)
	}
}
