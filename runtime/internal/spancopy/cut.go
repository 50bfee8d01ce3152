package spancopy

import (
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/internal/textcut"
)

// MaxValueBytes is the most bytes of one attribute or event value any
// destination is sent (Langfuse's input and output, the longest): a span
// that ends holding a longer one is cut to it before it is weighed against
// the memory budget, so that a 16 MiB prompt costs its content, never its
// span.
const MaxValueBytes = 1 << 20

// CutLongValues returns a copy of s with every value longer than
// MaxValueBytes cut to it (marked as cut), or s and false when it has
// none. It copies at most the cap per long value.
func CutLongValues(s sdktrace.ReadOnlySpan) (sdktrace.ReadOnlySpan, bool) {
	if !hasLongValue(s) {
		return s, false
	}
	return Detach(s, func(_ string, kv attribute.KeyValue) (attribute.KeyValue, bool) { return cutValue(kv), true }), true
}

// ContentDropped replaces the content of a span that did not fit the
// memory budget whole, so that a destination shows why it is missing.
const ContentDropped = "[content dropped: genaitrace's memory budget was full]"

// WithoutContent returns a copy of s with the attributes isContent names
// (of the span: event "", or of an event) replaced by ContentDropped when
// they are strings, dropped otherwise.
func WithoutContent(s sdktrace.ReadOnlySpan, isContent func(event string, key attribute.Key) bool) sdktrace.ReadOnlySpan {
	return Detach(s, func(event string, kv attribute.KeyValue) (attribute.KeyValue, bool) {
		content := isContent(event, kv.Key)
		if content && kv.Value.Type() == attribute.STRING {
			return kv.Key.String(ContentDropped), true
		}
		return kv, !content
	})
}

func hasLongValue(s sdktrace.ReadOnlySpan) bool {
	for _, kv := range s.Attributes() {
		if valueBytes(kv.Value) > MaxValueBytes {
			return true
		}
	}
	for _, e := range s.Events() {
		for _, kv := range e.Attributes {
			if valueBytes(kv.Value) > MaxValueBytes {
				return true
			}
		}
	}
	return false
}

func valueBytes(v attribute.Value) int {
	switch v.Type() {
	case attribute.STRING:
		return len(v.AsString())
	case attribute.STRINGSLICE:
		n := 0
		for _, x := range v.AsStringSlice() {
			n = max(n, len(x))
		}
		return n
	}
	return 0
}

// cutValue cuts a string, or each string of a slice, to MaxValueBytes,
// marked; a cut value shares nothing with the original.
func cutValue(kv attribute.KeyValue) attribute.KeyValue {
	switch kv.Value.Type() {
	case attribute.STRING:
		if v := kv.Value.AsString(); len(v) > MaxValueBytes {
			return kv.Key.String(textcut.To(v, MaxValueBytes))
		}
	case attribute.STRINGSLICE:
		vs := kv.Value.AsStringSlice() // a copy
		for i := range vs {
			vs[i] = textcut.To(vs[i], MaxValueBytes)
		}
		return kv.Key.StringSlice(vs)
	}
	return kv
}
