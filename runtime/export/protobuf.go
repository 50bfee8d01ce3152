package export

import (
	"google.golang.org/protobuf/encoding/protowire"

	"go.opentelemetry.io/otel/attribute"
)

// pbuf appends protobuf to a reusable buffer: the primitives the trace and
// metric encoders share.
type pbuf struct {
	b []byte
}

func (e *pbuf) appendAttrs(field protowire.Number, attrs []attribute.KeyValue) {
	for _, kv := range attrs {
		if !kv.Valid() {
			continue
		}
		m := e.begin(field)
		e.b = appendString(e.b, fKVKey, string(kv.Key))
		v := e.begin(fKVValue)
		e.appendValue(kv.Value)
		e.end(v)
		e.end(m)
	}
}

func (e *pbuf) appendValue(v attribute.Value) {
	switch v.Type() {
	case attribute.BOOL:
		e.b = protowire.AppendTag(e.b, fAnyBool, protowire.VarintType)
		e.b = protowire.AppendVarint(e.b, protowire.EncodeBool(v.AsBool()))
	case attribute.INT64:
		e.b = protowire.AppendTag(e.b, fAnyInt, protowire.VarintType)
		e.b = protowire.AppendVarint(e.b, uint64(v.AsInt64()))
	case attribute.FLOAT64:
		e.b = appendDouble(e.b, fAnyDouble, v.AsFloat64())
	case attribute.STRING:
		e.b = protowire.AppendTag(e.b, fAnyString, protowire.BytesType)
		e.b = protowire.AppendString(e.b, v.AsString())
	case attribute.BOOLSLICE:
		a := e.beginArray()
		for _, x := range v.AsBoolSlice() {
			e.arrayItem(func() {
				e.b = protowire.AppendTag(e.b, fAnyBool, protowire.VarintType)
				e.b = protowire.AppendVarint(e.b, protowire.EncodeBool(x))
			})
		}
		e.end(a)
	case attribute.INT64SLICE:
		a := e.beginArray()
		for _, x := range v.AsInt64Slice() {
			e.arrayItem(func() {
				e.b = protowire.AppendTag(e.b, fAnyInt, protowire.VarintType)
				e.b = protowire.AppendVarint(e.b, uint64(x))
			})
		}
		e.end(a)
	case attribute.FLOAT64SLICE:
		a := e.beginArray()
		for _, x := range v.AsFloat64Slice() {
			e.arrayItem(func() { e.b = appendDouble(e.b, fAnyDouble, x) })
		}
		e.end(a)
	case attribute.STRINGSLICE:
		a := e.beginArray()
		for _, x := range v.AsStringSlice() {
			e.arrayItem(func() {
				e.b = protowire.AppendTag(e.b, fAnyString, protowire.BytesType)
				e.b = protowire.AppendString(e.b, x)
			})
		}
		e.end(a)
	default:
		// Types added to the attribute package later are sent as strings
		// rather than lost.
		e.b = protowire.AppendTag(e.b, fAnyString, protowire.BytesType)
		e.b = protowire.AppendString(e.b, v.String())
	}
}

func (e *pbuf) beginArray() int { return e.begin(fAnyArray) }

func (e *pbuf) arrayItem(value func()) {
	m := e.begin(fArrayValues)
	value()
	e.end(m)
}

// begin opens a length-delimited field and reserves one byte for its
// length; end back-patches it, moving the body when the length needs more
// bytes. Small messages, the common case, never move.
func (e *pbuf) begin(field protowire.Number) int {
	e.b = protowire.AppendTag(e.b, field, protowire.BytesType)
	e.b = append(e.b, 0)
	return len(e.b)
}

func (e *pbuf) end(start int) {
	n := len(e.b) - start
	size := protowire.SizeVarint(uint64(n))
	if size > 1 {
		e.b = append(e.b, make([]byte, size-1)...)
		copy(e.b[start+size-1:], e.b[start:start+n])
	}
	protowire.AppendVarint(e.b[:start-1], uint64(n))
}
