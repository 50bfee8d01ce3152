package spancopy

import (
	"math"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// compactFields is every field of a span the compact form holds.
type compactFields struct {
	Name                                            string
	SC, Parent                                      trace.SpanContext
	Kind                                            trace.SpanKind
	Start, End                                      int64
	Attrs                                           []attribute.KeyValue
	Events                                          []sdktrace.Event
	Links                                           []sdktrace.Link
	Status                                          sdktrace.Status
	DroppedAttrs, DroppedEvents, DroppedLinks, Kids int
}

func fieldsOf(s sdktrace.ReadOnlySpan) compactFields {
	events := s.Events()
	for i := range events {
		events[i].Time = events[i].Time.Round(0) // the monotonic reading is not kept
	}
	return compactFields{Name: s.Name(), SC: s.SpanContext(), Parent: s.Parent(), Kind: s.SpanKind(),
		Start: s.StartTime().UnixNano(), End: s.EndTime().UnixNano(), Attrs: s.Attributes(), Events: events, Links: s.Links(),
		Status: s.Status(), DroppedAttrs: s.DroppedAttributes(), DroppedEvents: s.DroppedEvents(),
		DroppedLinks: s.DroppedLinks(), Kids: s.ChildSpanCount()}
}

var cmpFields = []cmp.Option{
	cmp.Comparer(func(a, b attribute.Value) bool { return a.Type() == b.Type() && a.String() == b.String() }),
	cmp.Comparer(func(a, b trace.SpanContext) bool { return a.Equal(b) && a.IsRemote() == b.IsRemote() }),
	cmp.Comparer(func(a, b interface{ UnixNano() int64 }) bool { return a.UnixNano() == b.UnixNano() }),
}

// FuzzCompact: a span with any attributes, events, status and links is
// read back as it was written, with the numbers written between spans;
// damaged bytes (any byte changed, the form cut short) read as an error
// or as some span, never a panic.
func FuzzCompact(f *testing.F) {
	f.Add("key", "value", int64(-3), 2.5, []byte{1, 2, 3}, uint16(0))
	f.Add("", "\xff\xfe", int64(math.MinInt64), math.Inf(-1), []byte{}, uint16(7))
	f.Fuzz(func(t *testing.T, key, value string, n int64, x float64, raw []byte, damage uint16) {
		kvs := []attribute.KeyValue{
			attribute.String(key, value), attribute.Int64(key+"n", n), attribute.Float64(key+"x", x), attribute.Bool(key+"t", n > 0),
			attribute.StringSlice(key+"ss", []string{value, key}), attribute.Int64Slice(key+"is", []int64{n, -n}),
			attribute.BoolSlice(key+"bs", []bool{true, n < 0}), attribute.Float64Slice(key+"fs", []float64{x}),
			{Key: attribute.Key(key + "b"), Value: attribute.ByteSliceValue(raw)},
			{Key: attribute.Key(key + "m"), Value: attribute.MapValue(attribute.String(value, key))},
			{Key: attribute.Key(key + "l"), Value: attribute.SliceValue(attribute.Int64Value(n), attribute.StringValue(value))},
			{Key: attribute.Key(key + "e")},
		}
		ts, _ := trace.ParseTraceState("k=" + "v")
		link := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{byte(n)}, SpanID: trace.SpanID{1}, TraceState: ts, Remote: true})
		spans := record(t, func(tr trace.Tracer) {
			_, s := tr.Start(t.Context(), value, trace.WithAttributes(kvs...), trace.WithSpanKind(trace.SpanKind(n&3)),
				trace.WithLinks(trace.Link{SpanContext: link, Attributes: kvs[:2]}))
			s.AddEvent(value, trace.WithAttributes(kvs...))
			s.SetStatus(codes.Code(n&3), value)
			s.End()
		})
		var b []byte
		for i, s := range spans {
			b = AppendCompact(appendUint(b, uint64(i)+uint64(n)), s)
		}
		r := NewReader(b)
		for i, s := range spans {
			if got := r.Uvarint(); got != uint64(i)+uint64(n) {
				t.Errorf("number between spans: %d, want %d", got, uint64(i)+uint64(n))
			}
			back := r.Span(nil, instrumentation.Scope{})
			if diff := cmp.Diff(fieldsOf(s), fieldsOf(back), cmpFields...); diff != "" {
				t.Errorf("(-written +read back):\n%s", diff)
			}
		}
		if err := r.Err(true); err != nil {
			t.Error(err)
		}
		if len(b) > 0 {
			i := int(damage) % len(b)
			b[i] ^= byte(damage>>8) | 1
			r := NewReader(b[:len(b)-int(damage)%2])
			for range spans {
				r.Uvarint()
				r.Span(nil, instrumentation.Scope{})
			}
			_ = r.Err(true)
		}
	})
}

func appendUint(b []byte, v uint64) []byte { return putUvarint(b, v) }

// TestCompactSpansShareNothing: a span read back holds nothing of the
// bytes it was read from, nor of the other spans: one kept for long (the
// diagnostics page keeps some) pins its own bytes only.
func TestCompactSpansShareNothing(t *testing.T) {
	spans := record(t, func(tr trace.Tracer) {
		for range 2 {
			_, s := tr.Start(t.Context(), "span", trace.WithAttributes(attribute.String("k", "a value")))
			s.End()
		}
	})
	b := AppendCompact(AppendCompact(nil, spans[0]), spans[1])
	r := NewReader(b)
	one, two := r.Span(nil, instrumentation.Scope{}), r.Span(nil, instrumentation.Scope{})
	if err := r.Err(true); err != nil {
		t.Fatal(err)
	}
	in := func(s string, b []byte) bool {
		p, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(&b[0]))
		return p >= start && p < start+uintptr(len(b))
	}
	for _, s := range []string{one.Name(), one.Attributes()[0].Value.AsString(), two.Name()} {
		if in(s, b) {
			t.Errorf("%q points into the bytes it was read from", s)
		}
	}
	if unsafe.StringData(one.Name()) == unsafe.StringData(two.Name()) {
		t.Error("two spans read back share their strings' memory")
	}
}
