package export

import (
	"strings"
	"testing"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/textcut"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// TestShrinkCutsLongValuesIntoACopy: a span with a 3 MiB prompt (and a
// 2 MiB event field) becomes a copy whose values are cut to MaxValueBytes,
// marked, sharing no bytes with the original; everything else is the
// span's; a span without long values is returned as it is.
func TestShrinkCutsLongValuesIntoACopy(t *testing.T) {
	long := strings.Repeat("p", 3<<20)
	spans := recordSpans(t, resource.Empty(), func(tp trace.TracerProvider) {
		_, s := tp.Tracer("t").Start(t.Context(), "chat", trace.WithAttributes(genai.InputMessages.String(long), genai.RequestModel.String("m"),
			attribute.StringSlice("list", []string{"short", long})))
		s.AddEvent("gen_ai.choice", trace.WithAttributes(attribute.String("message", long[:2<<20])))
		s.End()
		_, small := tp.Tracer("t").Start(t.Context(), "small", trace.WithAttributes(genai.RequestModel.String("m")))
		small.End()
	})
	orig := spans[0].ReadOnlySpan
	size, _ := Inspect(orig)
	got, n := Shrink(orig, size)
	if got == orig || n >= size || n > 3*MaxValueBytes {
		t.Fatalf("not shrunk: size %d -> %d", size, n)
	}
	if got.Name() != orig.Name() || !got.SpanContext().Equal(orig.SpanContext()) || !got.EndTime().Equal(orig.EndTime()) ||
		got.Resource() != orig.Resource() {
		t.Error("the copy is not the same span")
	}
	in := got.Attributes()[0].Value.AsString()
	if len(in) > MaxValueBytes || !strings.HasSuffix(in, textcut.Mark) || unsafe.StringData(in) == unsafe.StringData(long) {
		t.Errorf("input: %d bytes, marked %v, shared %v", len(in), strings.HasSuffix(in, textcut.Mark), unsafe.StringData(in) == unsafe.StringData(long))
	}
	if model := got.Attributes()[1]; model != orig.Attributes()[1] {
		t.Errorf("a short value changed: %v", model)
	}
	if list := got.Attributes()[2].Value.AsStringSlice(); list[0] != "short" || len(list[1]) > MaxValueBytes {
		t.Errorf("slice: %d, %d bytes", len(list[0]), len(list[1]))
	}
	if ev := got.Events()[0].Attributes[0].Value.AsString(); len(ev) > MaxValueBytes || !strings.HasSuffix(ev, textcut.Mark) {
		t.Errorf("event field: %d bytes", len(ev))
	}
	small := spans[1].ReadOnlySpan
	if n2, _ := Inspect(small); func() bool { s, _ := Shrink(small, n2); return s != small }() {
		t.Error("a span without long values was copied")
	}
	lean := withoutContent(orig)
	if v := lean.Attributes()[0].Value.AsString(); v != ContentDropped || lean.Attributes()[1] != orig.Attributes()[1] {
		t.Errorf("without content: input %q, model %v", v[:min(len(v), 40)], lean.Attributes()[1])
	}
}
