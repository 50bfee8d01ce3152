package spancopy

import (
	"context"
	"strings"
	"testing"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/textcut"
)

// record returns the snapshots of the spans make ends, as the SDK hands
// them to a processor.
func record(t *testing.T, make func(tr trace.Tracer)) []sdktrace.ReadOnlySpan {
	t.Helper()
	var got []sdktrace.ReadOnlySpan
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(endHook(func(s sdktrace.ReadOnlySpan) { got = append(got, s) })))
	make(tp.Tracer("t"))
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestCutLongValuesIntoACopy: a span with a 3 MiB prompt (and a 2 MiB
// event field) becomes a copy whose values are cut to MaxValueBytes,
// marked, sharing no bytes with the original; everything else is the
// span's; a span without long values is returned as it is.
func TestCutLongValuesIntoACopy(t *testing.T) {
	long := strings.Repeat("p", 3<<20)
	spans := record(t, func(tr trace.Tracer) {
		_, s := tr.Start(t.Context(), "chat", trace.WithAttributes(attribute.String("gen_ai.input.messages", long),
			attribute.String("gen_ai.request.model", "m"), attribute.StringSlice("list", []string{"short", long})))
		s.AddEvent("gen_ai.choice", trace.WithAttributes(attribute.String("message", long[:2<<20])))
		s.End()
		_, small := tr.Start(t.Context(), "small", trace.WithAttributes(attribute.String("gen_ai.request.model", "m")))
		small.End()
	})
	orig := spans[0]
	got, ok := CutLongValues(orig)
	if !ok || got == orig {
		t.Fatal("not cut")
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
	if s, ok := CutLongValues(spans[1]); ok || s != spans[1] {
		t.Error("a span without long values was copied")
	}
}

// TestWithoutContent: the attributes named content are replaced by the
// marker when strings and dropped otherwise, of the span and of its
// events; the others are kept as they were.
func TestWithoutContent(t *testing.T) {
	spans := record(t, func(tr trace.Tracer) {
		_, s := tr.Start(t.Context(), "chat", trace.WithAttributes(attribute.String("gen_ai.input.messages", "secret prompt"),
			attribute.String("gen_ai.request.model", "m"), attribute.StringSlice("gen_ai.tool.call.arguments", []string{"x"})))
		s.AddEvent("gen_ai.choice", trace.WithAttributes(attribute.String("message", "secret answer"), attribute.Int("index", 0)))
		s.End()
	})
	content := map[string]bool{"gen_ai.input.messages": true, "gen_ai.tool.call.arguments": true, "gen_ai.choice/message": true}
	lean := WithoutContent(spans[0], func(event string, k attribute.Key) bool {
		if event != "" {
			return content[event+"/"+string(k)]
		}
		return content[string(k)]
	})
	attrs := lean.Attributes()
	if len(attrs) != 2 || attrs[0].Value.AsString() != ContentDropped || attrs[1] != spans[0].Attributes()[1] {
		t.Errorf("span attributes %v: want the prompt replaced, the model kept, the tool arguments dropped", attrs)
	}
	if ev := lean.Events()[0].Attributes; len(ev) != 2 || ev[0].Value.AsString() != ContentDropped || ev[1].Value.AsInt64() != 0 {
		t.Errorf("event attributes %v", ev)
	}
}
