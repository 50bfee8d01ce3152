package export

import "go.opentelemetry.io/otel/attribute"

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
