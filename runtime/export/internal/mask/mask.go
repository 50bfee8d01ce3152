// Package mask rewrites, for one destination, the prompts, completions and
// chosen attributes of a span's translation before they are encoded: the
// last step before the wire, so that what the destination gets is what
// was masked, whatever the translation made of it (Instana's flattened
// gen_ai.prompt.N.content included). Which keys are content is the
// dialect package's rule. It imports nothing of runtime/export.
package mask

import (
	"slices"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
)

// Masker masks what one destination is sent. A nil Masker masks nothing.
type Masker struct {
	fn   func(attribute.Key, string) string
	keys map[attribute.Key]bool
}

// New returns a Masker rewriting content, and the attributes of keys,
// with fn; nil when fn is nil. fn must be safe for concurrent use.
func New(fn func(attribute.Key, string) string, keys []attribute.Key) *Masker {
	if fn == nil {
		return nil
	}
	m := &Masker{fn: fn, keys: make(map[attribute.Key]bool, len(keys))}
	for _, k := range keys {
		m.keys[k] = true
	}
	return m
}

// Attrs masks attrs in place.
func (m *Masker) Attrs(attrs []attribute.KeyValue) {
	if m == nil {
		return
	}
	for i, kv := range attrs {
		if !dialect.IsContent(kv.Key) && !m.keys[kv.Key] {
			continue
		}
		switch kv.Value.Type() {
		case attribute.STRING:
			attrs[i] = kv.Key.String(m.fn(kv.Key, kv.Value.AsString()))
		case attribute.STRINGSLICE:
			vs := kv.Value.AsStringSlice() // a copy
			for j := range vs {
				vs[j] = m.fn(kv.Key, vs[j])
			}
			attrs[i] = kv.Key.StringSlice(vs)
		}
	}
}

// Text masks one value.
func (m *Masker) Text(k attribute.Key, v string) string {
	if m == nil {
		return v
	}
	return m.fn(k, v)
}

// Events masks the content of events (the message events of the
// conventions before v1.37 hold it in their content and message fields).
// The events handed in are the span's and are not modified: those with
// something to mask are copied.
func (m *Masker) Events(events []sdktrace.Event) []sdktrace.Event {
	if m == nil || !slices.ContainsFunc(events, EventHasContent) {
		return events
	}
	out := slices.Clone(events)
	for i, e := range out {
		if !EventHasContent(e) {
			continue
		}
		attrs := slices.Clone(e.Attributes)
		for j, kv := range attrs {
			if dialect.IsEventContent(e.Name, kv.Key) && kv.Value.Type() == attribute.STRING {
				attrs[j] = kv.Key.String(m.fn(kv.Key, kv.Value.AsString()))
			}
		}
		out[i].Attributes = attrs
	}
	return out
}

// EventHasContent reports whether an attribute of e holds content.
func EventHasContent(e sdktrace.Event) bool {
	return slices.ContainsFunc(e.Attributes, func(kv attribute.KeyValue) bool { return dialect.IsEventContent(e.Name, kv.Key) })
}
