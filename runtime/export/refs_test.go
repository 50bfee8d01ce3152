package export

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
)

// A request's spans are named by their IDs and start times, in the order
// KeepSpans takes, and a request rebuilt without some of them holds the
// others whole, under their own resource and scope (decoded with the
// official OTLP types).
func TestKeepSpansRebuildsTheRequest(t *testing.T) {
	var spans []*Span
	for i, svc := range []string{"one", "two"} {
		spans = append(spans, recordSpans(t, resource.NewSchemaless(attribute.String("service.name", svc)), func(tp trace.TracerProvider) {
			for _, scope := range []string{"x", "y"} {
				for range 2 + i {
					_, s := tp.Tracer(scope).Start(context.Background(), svc+"-"+scope, trace.WithAttributes(allTypes[:4]...))
					s.End()
				}
			}
		})...)
	}
	raw := append([]byte(nil), newEncoder(Passthrough{}, ConventionsV141).Encode(spans)...)
	refs, err := otlp.SpanRefs(raw)
	if err != nil || len(refs) != len(spans) {
		t.Fatalf("SpanRefs: %d refs, %v; want %d", len(refs), err, len(spans))
	}
	byID := map[trace.SpanID]*Span{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
	}
	keep := make([]bool, len(refs))
	want := map[string]bool{}
	for i, r := range refs {
		s := byID[r.SpanID]
		if s == nil || r.TraceID != s.SpanContext().TraceID() || !r.Start.Equal(s.StartTime()) {
			t.Fatalf("ref %d: %+v names no span of the request", i, r)
		}
		keep[i] = i%3 != 0
		if keep[i] {
			want[r.SpanID.String()] = true
		}
	}
	rest, n, err := otlp.KeepSpans(raw, keep)
	if err != nil || n != len(want) {
		t.Fatalf("KeepSpans: %d spans, %v; want %d", n, err, len(want))
	}
	got, err := otlptest.Decode(rest, "", nil)
	if err != nil || len(got) != n {
		t.Fatalf("the rebuilt request decodes to %d spans, %v", len(got), err)
	}
	for _, g := range got {
		s := byID[[8]byte(g.Span.SpanId)]
		if !want[g.SpanID()] || g.Name != s.Name() || g.Scope != s.InstrumentationScope().Name ||
			g.Resource["service.name"] != s.Resource().Attributes()[0].Value.AsString() || len(g.Attributes) != 4 {
			t.Errorf("span %s (%s, scope %s, resource %v) is not as it was sent", g.SpanID(), g.Name, g.Scope, g.Resource)
		}
	}
	if _, _, err := otlp.KeepSpans(raw, keep[1:]); err == nil {
		t.Error("KeepSpans took fewer marks than spans")
	}
}

// FuzzKeepSpans: on any input, SpanRefs and KeepSpans fail where CountSpans
// does and agree with it elsewhere, and keeping every other span keeps as
// many as were marked.
func FuzzKeepSpans(f *testing.F) {
	addRequestSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := otlp.CountSpans(b)
		refs, rerr := otlp.SpanRefs(b)
		if (err == nil) != (rerr == nil) || err == nil && len(refs) != n {
			t.Fatalf("CountSpans %d, %v; SpanRefs %d, %v", n, err, len(refs), rerr)
		}
		if err != nil {
			return
		}
		keep := make([]bool, n)
		marked := 0
		for i := range keep {
			keep[i] = i%2 == 0
			if keep[i] {
				marked++
			}
		}
		rest, kept, err := otlp.KeepSpans(b, keep)
		if err != nil || kept != marked {
			t.Fatalf("KeepSpans kept %d of %d marked: %v", kept, marked, err)
		}
		if c, err := otlp.CountSpans(rest); err != nil || c != kept {
			t.Fatalf("the rebuilt request holds %d spans (%v), want %d", c, err, kept)
		}
	})
}
