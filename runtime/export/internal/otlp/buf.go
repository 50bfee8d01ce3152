package otlp

import (
	"math"

	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of common/v1 that every encoding writes.
const (
	fKVKey   = 1
	fKVValue = 2

	fAnyString = 1
	fAnyBool   = 2
	fAnyInt    = 3
	fAnyDouble = 4
	fAnyArray  = 5

	fArrayValues = 1
)

// Buf appends protobuf to a reusable byte slice. The zero value is ready;
// Reset keeps the slice's memory for the next message.
type Buf struct {
	B []byte
}

// Reset empties the buffer, keeping its memory.
func (e *Buf) Reset() { e.B = e.B[:0] }

// appendTag appends a field's tag: one byte for the field numbers OTLP's
// messages use (below 16), without protowire's general loop.
func appendTag(b []byte, field protowire.Number, typ protowire.Type) []byte {
	if field < 16 {
		return append(b, byte(field)<<3|byte(typ))
	}
	return protowire.AppendTag(b, field, typ)
}

// appendVarint appends v, one byte without a call for the small values
// most lengths and counts are.
func appendVarint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return protowire.AppendVarint(b, v)
}

// Begin opens a length-delimited field and reserves one byte for its
// length; End back-patches it, moving the body when the length needs more
// bytes. Small messages, the common case, never move.
func (e *Buf) Begin(field protowire.Number) int {
	e.B = append(appendTag(e.B, field, protowire.BytesType), 0)
	return len(e.B)
}

// End closes the field Begin opened at start.
func (e *Buf) End(start int) {
	n := len(e.B) - start
	if n < 0x80 {
		e.B[start-1] = byte(n)
		return
	}
	size := protowire.SizeVarint(uint64(n))
	if size > 1 {
		e.B = append(e.B, make([]byte, size-1)...)
		copy(e.B[start+size-1:], e.B[start:start+n])
	}
	protowire.AppendVarint(e.B[:start-1], uint64(n))
}

// String writes a string field, omitted when empty (proto3).
func (e *Buf) String(field protowire.Number, s string) {
	if s == "" {
		return
	}
	e.str(field, s)
}

// Bytes writes a bytes field, even when empty.
func (e *Buf) Bytes(field protowire.Number, b []byte) {
	e.B = appendVarint(appendTag(e.B, field, protowire.BytesType), uint64(len(b)))
	e.B = append(e.B, b...)
}

// Raw appends bytes that are already encoded fields.
func (e *Buf) Raw(b []byte) { e.B = append(e.B, b...) }

// Time writes a fixed64 time in Unix nanoseconds, omitted when not
// positive.
func (e *Buf) Time(field protowire.Number, unixNano int64) {
	if unixNano <= 0 {
		return
	}
	e.Fixed64(field, uint64(unixNano))
}

// Fixed64 writes a fixed64 field.
func (e *Buf) Fixed64(field protowire.Number, v uint64) {
	e.B = protowire.AppendFixed64(appendTag(e.B, field, protowire.Fixed64Type), v)
}

// Fixed32 writes a fixed32 field.
func (e *Buf) Fixed32(field protowire.Number, v uint32) {
	e.B = protowire.AppendFixed32(appendTag(e.B, field, protowire.Fixed32Type), v)
}

// Double writes a double field.
func (e *Buf) Double(field protowire.Number, f float64) { e.Fixed64(field, math.Float64bits(f)) }

// Varint writes a varint field.
func (e *Buf) Varint(field protowire.Number, v uint64) {
	e.B = appendVarint(appendTag(e.B, field, protowire.VarintType), v)
}

// Count writes a count as a varint field, omitted when not positive.
func (e *Buf) Count(field protowire.Number, n int) {
	if n > 0 {
		e.Varint(field, uint64(n))
	}
}

// Attrs writes each valid attribute as a KeyValue message in field.
func (e *Buf) Attrs(field protowire.Number, attrs []attribute.KeyValue) {
	for _, kv := range attrs {
		if !kv.Valid() {
			continue
		}
		m := e.Begin(field)
		e.String(fKVKey, string(kv.Key))
		v := e.Begin(fKVValue)
		e.value(kv.Value)
		e.End(v)
		e.End(m)
	}
}

func (e *Buf) value(v attribute.Value) {
	switch v.Type() {
	case attribute.BOOL:
		e.Varint(fAnyBool, protowire.EncodeBool(v.AsBool()))
	case attribute.INT64:
		e.Varint(fAnyInt, uint64(v.AsInt64()))
	case attribute.FLOAT64:
		e.Double(fAnyDouble, v.AsFloat64())
	case attribute.STRING:
		e.str(fAnyString, v.AsString())
	case attribute.BOOLSLICE:
		array(e, v.AsBoolSlice(), func(e *Buf, x bool) { e.Varint(fAnyBool, protowire.EncodeBool(x)) })
	case attribute.INT64SLICE:
		array(e, v.AsInt64Slice(), func(e *Buf, x int64) { e.Varint(fAnyInt, uint64(x)) })
	case attribute.FLOAT64SLICE:
		array(e, v.AsFloat64Slice(), func(e *Buf, x float64) { e.Double(fAnyDouble, x) })
	case attribute.STRINGSLICE:
		array(e, v.AsStringSlice(), func(e *Buf, x string) { e.str(fAnyString, x) })
	default:
		// Types added to the attribute package later are sent as strings
		// rather than lost.
		e.str(fAnyString, v.String())
	}
}

// array writes xs as an ArrayValue, each element an AnyValue written by
// item (a function literal that captures nothing: no allocation).
func array[T any](e *Buf, xs []T, item func(*Buf, T)) {
	a := e.Begin(fAnyArray)
	for _, x := range xs {
		m := e.Begin(fArrayValues)
		item(e, x)
		e.End(m)
	}
	e.End(a)
}

// str writes a string field even when empty: an AnyValue's string must be
// present to say the value is a string.
func (e *Buf) str(field protowire.Number, s string) {
	e.B = appendVarint(appendTag(e.B, field, protowire.BytesType), uint64(len(s)))
	e.B = append(e.B, s...)
}
