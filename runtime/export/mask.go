package export

import (
	"slices"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// masker rewrites, for one destination, the prompts, completions and
// chosen attributes of a span's translation before they are encoded: the
// last step before the wire, so that what the destination gets is what
// was masked, whatever the translation made of it (Instana's flattened
// gen_ai.prompt.N.content included).
type masker struct {
	fn   func(attribute.Key, string) string
	keys map[attribute.Key]bool
}

func newMasker(fn func(attribute.Key, string) string, keys []attribute.Key) *masker {
	if fn == nil {
		return nil
	}
	m := &masker{fn: fn, keys: make(map[attribute.Key]bool, len(keys))}
	for _, k := range keys {
		m.keys[k] = true
	}
	return m
}

// apply masks attrs in place.
func (m *masker) apply(attrs []attribute.KeyValue) {
	if m == nil {
		return
	}
	for i, kv := range attrs {
		if !IsContent(kv.Key) && !m.keys[kv.Key] {
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

// text masks one value.
func (m *masker) text(k attribute.Key, v string) string {
	if m == nil {
		return v
	}
	return m.fn(k, v)
}

// applyEvents masks the content of events (the message events of the
// conventions before v1.37 hold it in their content and message fields).
// The events handed in are the span's and are not modified: those with
// something to mask are copied.
func (m *masker) applyEvents(events []sdktrace.Event) []sdktrace.Event {
	if m == nil || !slices.ContainsFunc(events, hasEventContent) {
		return events
	}
	out := slices.Clone(events)
	for i, e := range out {
		if !hasEventContent(e) {
			continue
		}
		attrs := slices.Clone(e.Attributes)
		for j, kv := range attrs {
			if IsEventContent(e.Name, kv.Key) && kv.Value.Type() == attribute.STRING {
				attrs[j] = kv.Key.String(m.fn(kv.Key, kv.Value.AsString()))
			}
		}
		out[i].Attributes = attrs
	}
	return out
}
