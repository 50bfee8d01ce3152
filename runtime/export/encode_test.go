package export

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
)

// recordSpans runs fn against a real SDK provider and returns what ended.
func recordSpans(t testing.TB, res *resource.Resource, fn func(trace.TracerProvider)) []*Span {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithResource(res))
	fn(tp)
	var out []*Span
	for _, s := range rec.Ended() {
		out = append(out, &Span{ReadOnlySpan: s, Facts: &Facts{}})
	}
	return out
}

var allTypes = []attribute.KeyValue{
	attribute.String("s", "text ünïcode"),
	attribute.Bool("b", true),
	attribute.Int64("i", -42),
	attribute.Float64("f", 3.25),
	attribute.StringSlice("ss", []string{"a", "", "c"}),
	attribute.BoolSlice("bs", []bool{true, false}),
	attribute.Int64Slice("is", []int64{1, -2, 1 << 40}),
	attribute.Float64Slice("fs", []float64{0.5, -1}),
	attribute.String("big", strings.Repeat("x", 70_000)), // lengths needing 3 varint bytes
}

func TestEncodeRoundTrip(t *testing.T) {
	res := resource.NewWithAttributes("https://opentelemetry.io/schemas/1.41.0", attribute.String("service.name", "svc"))
	remote := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		SpanID:  trace.SpanID{9, 9, 9, 9, 9, 9, 9, 9}, TraceFlags: trace.FlagsSampled, Remote: true,
	})
	spans := recordSpans(t, res, func(tp trace.TracerProvider) {
		tr := tp.Tracer("scope-a", trace.WithInstrumentationVersion("v1"))
		ctx := trace.ContextWithRemoteSpanContext(context.Background(), remote)
		ctx, root := tr.Start(ctx, "root", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(allTypes...),
			trace.WithLinks(trace.Link{SpanContext: remote, Attributes: []attribute.KeyValue{attribute.String("l", "v")}}))
		root.AddEvent("evt", trace.WithAttributes(attribute.Int("n", 1)))
		_, child := tp.Tracer("scope-b").Start(ctx, "child", trace.WithSpanKind(trace.SpanKindClient))
		child.SetStatus(codes.Error, "boom")
		child.End()
		root.SetStatus(codes.Ok, "")
		root.End()
	})
	raw := newEncoder(Passthrough{}, ConventionsV141).Encode(spans)
	got, err := otlptest.Decode(raw, "/", nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("%d spans", len(got))
	}
	byName := otlptest.ByName(got)
	root, child := byName["root"], byName["child"]
	if root.TraceID() != remote.TraceID().String() || root.ParentID() != "0909090909090909" {
		t.Errorf("root ids: trace %s parent %s", root.TraceID(), root.ParentID())
	}
	if root.Flags != 0x301 || child.Flags != 0x101 {
		t.Errorf("flags root %#x child %#x", root.Flags, child.Flags)
	}
	if child.ParentID() != root.SpanID() || child.TraceID() != root.TraceID() {
		t.Error("child not linked to root")
	}
	if root.Kind != 2 || child.Kind != 3 {
		t.Errorf("kinds %v %v", root.Kind, child.Kind)
	}
	if root.Scope != "scope-a" || child.Scope != "scope-b" || root.Resource["service.name"] != "svc" {
		t.Errorf("scope/resource %q %q %v", root.Scope, child.Scope, root.Resource)
	}
	want := map[string]any{
		"s": "text ünïcode", "b": true, "i": int64(-42), "f": 3.25,
		"ss": []any{"a", "", "c"}, "bs": []any{true, false}, "is": []any{int64(1), int64(-2), int64(1 << 40)},
		"fs": []any{0.5, -1.0}, "big": strings.Repeat("x", 70_000),
	}
	if diff := cmp.Diff(want, root.Attrs()); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
	if len(root.Events) != 1 || root.Events[0].Name != "evt" || otlptest.KeyValues(root.Events[0].Attributes)["n"] != int64(1) {
		t.Errorf("events %v", root.Events)
	}
	if len(root.Links) != 1 || hex.EncodeToString(root.Links[0].SpanId) != "0909090909090909" {
		t.Errorf("links %v", root.Links)
	}
	if root.Status.GetCode() != 1 || child.Status.GetCode() != 2 || child.Status.GetMessage() != "boom" {
		t.Errorf("status root %v child %v", root.Status, child.Status)
	}
	if d := time.Duration(root.EndTimeUnixNano - root.StartTimeUnixNano); d <= 0 {
		t.Errorf("root duration %v", d)
	}
}

func TestSplitRequest(t *testing.T) {
	res := resource.NewSchemaless(attribute.String("service.name", "svc"))
	spans := recordSpans(t, res, func(tp trace.TracerProvider) {
		for i := range 7 {
			_, s := tp.Tracer("scope-"+string(rune('a'+i%2))).Start(context.Background(), "s"+string(rune('0'+i)))
			s.End()
		}
	})
	raw := newEncoder(Passthrough{}, ConventionsV141).Encode(spans)
	left, right, err := otlp.SplitRequest(raw)
	if err != nil {
		t.Fatal(err)
	}
	l, err1 := otlptest.Decode(left, "/", nil)
	r, err2 := otlptest.Decode(right, "/", nil)
	if err1 != nil || err2 != nil {
		t.Fatalf("decode halves: %v %v", err1, err2)
	}
	if len(l) != 3 || len(r) != 4 {
		t.Fatalf("halves of %d and %d spans", len(l), len(r))
	}
	names := map[string]string{}
	for _, s := range append(l, r...) {
		names[s.Name] = s.Scope
		if s.Resource["service.name"] != "svc" {
			t.Errorf("span %s lost its resource", s.Name)
		}
	}
	if len(names) != 7 || names["s0"] != "scope-a" || names["s1"] != "scope-b" {
		t.Errorf("spans after split: %v", names)
	}
	one := newEncoder(Passthrough{}, ConventionsV141).Encode(spans[:1])
	if _, _, err := otlp.SplitRequest(one); err == nil {
		t.Error("split a one-span request")
	}
}

// addRequestSeeds seeds a fuzz test of encoded requests: one of three
// spans, an empty one and a truncated length.
func addRequestSeeds(f *testing.F) {
	spans := recordSpans(f, resource.Empty(), func(tp trace.TracerProvider) {
		for range 3 {
			_, s := tp.Tracer("x").Start(context.Background(), "s", trace.WithAttributes(allTypes[:8]...))
			s.End()
		}
	})
	f.Add(newEncoder(Passthrough{}, ConventionsV141).Encode(spans))
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
}

func FuzzSplitRequest(f *testing.F) {
	addRequestSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := otlp.CountSpans(b)
		left, right, serr := otlp.SplitRequest(b)
		if err != nil || n < 2 {
			if serr == nil {
				t.Fatalf("split succeeded on input CountSpans rejects (n=%d, err=%v)", n, err)
			}
			return
		}
		if serr != nil {
			t.Fatalf("split failed on a parseable request of %d spans: %v", n, serr)
		}
		a, _ := otlp.CountSpans(left)
		c, _ := otlp.CountSpans(right)
		if a+c != n || a == 0 || c == 0 {
			t.Fatalf("split %d spans into %d + %d", n, a, c)
		}
	})
}

func TestGroupSpansKeepsResourceTogether(t *testing.T) {
	r1 := resource.NewSchemaless(attribute.String("service.name", "one"))
	r2 := resource.NewSchemaless(attribute.String("service.name", "two"))
	a := recordSpans(t, r1, func(tp trace.TracerProvider) {
		for _, scope := range []string{"x", "y"} {
			_, s := tp.Tracer(scope).Start(context.Background(), "a-"+scope)
			s.End()
		}
	})
	b := recordSpans(t, r2, func(tp trace.TracerProvider) {
		_, s := tp.Tracer("x").Start(context.Background(), "b")
		s.End()
	})
	mixed := []*Span{a[0], b[0], a[1]}
	groups := groupSpans(mixed)
	if len(groups) != 3 || groups[0].key.res != groups[1].key.res {
		t.Fatalf("groups not adjacent by resource: %+v", groups)
	}
	got, err := otlptest.Decode(newEncoder(Passthrough{}, ConventionsV141).Encode(mixed), "/", nil)
	if err != nil || len(got) != 3 {
		t.Fatalf("decode: %v, %d spans", err, len(got))
	}
}
