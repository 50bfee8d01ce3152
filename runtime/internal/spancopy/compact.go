package spancopy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"time"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The compact form of a finished span: every field of the SDK's snapshot
// a translator, a dialect or the encoder reads, written one after another
// into a byte slice (no pointers, no per-field headers: a third of the
// snapshot's heap), and read back as a span whose strings point into that
// slice. It is in-memory only, never stored or sent, so it has no version
// and no tags: the writer (put*) and the reader below are each other's
// mirror, and FuzzCompact checks that what is read is what was written.

// AppendCompact appends the compact form of s to b: its length in four
// bytes, then the span.
func AppendCompact(b []byte, s sdktrace.ReadOnlySpan) []byte {
	start := len(b)
	b = putSpan(append(b, 0, 0, 0, 0), s)
	binary.LittleEndian.PutUint32(b[start:], uint32(len(b)-start-4))
	return b
}

// The writer: functions that append to a byte slice and return it (a
// buffer handed in and returned stays where it is; one stored through a
// pointer costs a write barrier per append while the collector runs).

func putUvarint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return binary.AppendUvarint(b, v)
}

func putVarint(b []byte, v int64) []byte { return putUvarint(b, uint64(v<<1)^uint64(v>>63)) }

func putBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func putStr(b []byte, s string) []byte { return append(putUvarint(b, uint64(len(s))), s...) }

func putFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func putTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	return putVarint(append(b, 1), t.UnixNano())
}

func putSpanContext(b []byte, sc trace.SpanContext) []byte {
	tid, sid := sc.TraceID(), sc.SpanID()
	b = append(b, tid[:]...)
	b = append(b, sid[:]...)
	b = append(b, byte(sc.TraceFlags()))
	b = putBool(b, sc.IsRemote())
	if ts := sc.TraceState(); ts.Len() > 0 {
		return putStr(b, ts.String())
	}
	return append(b, 0)
}

func putAttrs(b []byte, kvs []attribute.KeyValue) []byte {
	b = putUvarint(b, uint64(len(kvs)))
	for _, kv := range kvs {
		b = putStr(b, string(kv.Key))
		b = putValue(b, kv.Value)
	}
	return b
}

func putValue(b []byte, v attribute.Value) []byte {
	b = append(b, byte(v.Type()))
	switch v.Type() {
	case attribute.BOOL:
		return putBool(b, v.AsBool())
	case attribute.INT64:
		return putVarint(b, v.AsInt64())
	case attribute.FLOAT64:
		return putFloat(b, v.AsFloat64())
	case attribute.STRING:
		return putStr(b, v.AsString())
	case attribute.BOOLSLICE:
		xs := v.AsBoolSlice()
		b = putUvarint(b, uint64(len(xs)))
		for _, x := range xs {
			b = putBool(b, x)
		}
	case attribute.INT64SLICE:
		xs := v.AsInt64Slice()
		b = putUvarint(b, uint64(len(xs)))
		for _, x := range xs {
			b = putVarint(b, x)
		}
	case attribute.FLOAT64SLICE:
		xs := v.AsFloat64Slice()
		b = putUvarint(b, uint64(len(xs)))
		for _, x := range xs {
			b = putFloat(b, x)
		}
	case attribute.STRINGSLICE:
		xs := v.AsStringSlice()
		b = putUvarint(b, uint64(len(xs)))
		for _, x := range xs {
			b = putStr(b, x)
		}
	case attribute.BYTESLICE:
		return putStr(b, string(v.AsByteSlice()))
	case attribute.SLICE:
		xs := v.AsSlice()
		b = putUvarint(b, uint64(len(xs)))
		for _, x := range xs {
			b = putValue(b, x)
		}
	case attribute.MAP:
		return putAttrs(b, v.AsMap())
	case attribute.EMPTY:
	default:
		// A type added to the attribute package later: kept as the string
		// it prints as, as the OTLP encoder sends it.
		b[len(b)-1] = byte(attribute.STRING)
		return putStr(b, v.String())
	}
	return b
}

// putSpan writes what an encoder, a translator and a dialect read of s.
func putSpan(b []byte, s sdktrace.ReadOnlySpan) []byte {
	b = putStr(b, s.Name())
	b = putSpanContext(b, s.SpanContext())
	b = putSpanContext(b, s.Parent())
	b = putUvarint(b, uint64(s.SpanKind()))
	b = putTime(b, s.StartTime())
	b = putTime(b, s.EndTime())
	b = putAttrs(b, s.Attributes())
	b = putUvarint(b, uint64(len(s.Events())))
	for _, e := range s.Events() {
		b = putStr(b, e.Name)
		b = putTime(b, e.Time)
		b = putAttrs(b, e.Attributes)
		b = putUvarint(b, uint64(e.DroppedAttributeCount))
	}
	b = putUvarint(b, uint64(len(s.Links())))
	for _, l := range s.Links() {
		b = putSpanContext(b, l.SpanContext)
		b = putAttrs(b, l.Attributes)
		b = putUvarint(b, uint64(l.DroppedAttributeCount))
	}
	st := s.Status()
	b = putUvarint(b, uint64(st.Code))
	b = putStr(b, st.Description)
	b = putUvarint(b, uint64(s.DroppedAttributes()))
	b = putUvarint(b, uint64(s.DroppedEvents()))
	b = putUvarint(b, uint64(s.DroppedLinks()))
	return putUvarint(b, uint64(s.ChildSpanCount()))
}

// reader reads the compact form. Its strings point into the bytes
// it reads, which must never change afterwards (they keep them alive). A
// read past the end, or a value that does not fit, sets bad and reads
// zeros: a compact form is always written by this process, so bad means a
// defect, which the reader of a batch reports rather than panicking.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length that must fit in what is left, each element taking
// at least one byte.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.bad, r.b = true, nil
		return 0
	}
	return int(n)
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.bad = true
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) bool() bool { return r.byte() != 0 }

func (r *reader) next(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.bad, r.b = true, nil
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

// str returns a string sharing the reader's bytes: no copy.
func (r *reader) str() string {
	p := r.next(r.count())
	if len(p) == 0 {
		return ""
	}
	return unsafe.String(&p[0], len(p))
}

func (r *reader) float() float64 {
	p := r.next(8)
	if p == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(p))
}

func (r *reader) time() time.Time {
	if r.byte() == 0 {
		return time.Time{}
	}
	return time.Unix(0, r.varint())
}

func (r *reader) spanContext() trace.SpanContext {
	var cfg trace.SpanContextConfig
	copy(cfg.TraceID[:], r.next(16))
	copy(cfg.SpanID[:], r.next(8))
	cfg.TraceFlags = trace.TraceFlags(r.byte())
	cfg.Remote = r.bool()
	if ts := r.str(); ts != "" {
		cfg.TraceState, _ = trace.ParseTraceState(ts) // written from a valid one
	}
	return trace.NewSpanContext(cfg)
}

// attrs reads attributes into an array of their own.
func (r *reader) attrs() []attribute.KeyValue {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]attribute.KeyValue, n)
	for i := range out {
		out[i].Key = attribute.Key(r.str())
		out[i].Value = r.value()
	}
	return out
}

func (r *reader) value() attribute.Value {
	switch attribute.Type(r.byte()) {
	case attribute.BOOL:
		return attribute.BoolValue(r.bool())
	case attribute.INT64:
		return attribute.Int64Value(r.varint())
	case attribute.FLOAT64:
		return attribute.Float64Value(r.float())
	case attribute.STRING:
		return attribute.StringValue(r.str())
	case attribute.BOOLSLICE:
		xs := make([]bool, r.count())
		for i := range xs {
			xs[i] = r.bool()
		}
		return attribute.BoolSliceValue(xs)
	case attribute.INT64SLICE:
		xs := make([]int64, r.count())
		for i := range xs {
			xs[i] = r.varint()
		}
		return attribute.Int64SliceValue(xs)
	case attribute.FLOAT64SLICE:
		xs := make([]float64, r.count())
		for i := range xs {
			xs[i] = r.float()
		}
		return attribute.Float64SliceValue(xs)
	case attribute.STRINGSLICE:
		xs := make([]string, r.count())
		for i := range xs {
			xs[i] = r.str()
		}
		return attribute.StringSliceValue(xs)
	case attribute.BYTESLICE:
		return attribute.ByteSliceValue([]byte(r.str()))
	case attribute.SLICE:
		xs := make([]attribute.Value, r.count())
		for i := range xs {
			xs[i] = r.value()
		}
		return attribute.SliceValue(xs...)
	case attribute.MAP:
		return attribute.MapValue(r.attrs()...)
	case attribute.EMPTY:
		return attribute.Value{}
	}
	r.bad, r.b = true, nil
	return attribute.Value{}
}

// span reads a span written by putSpan into d.
func (r *reader) span(d *detached) {
	*d = detached{ReadOnlySpan: emptySpan}
	d.name = r.str()
	d.sc = r.spanContext()
	d.parent = r.spanContext()
	d.kind = trace.SpanKind(r.uvarint())
	d.start = r.time()
	d.end = r.time()
	d.attrs = r.attrs()
	if n := r.count(); n > 0 {
		d.events = make([]sdktrace.Event, n)
		for i := range d.events {
			e := &d.events[i]
			e.Name, e.Time = r.str(), r.time()
			e.Attributes = r.attrs()
			e.DroppedAttributeCount = int(r.uvarint())
		}
	}
	if n := r.count(); n > 0 {
		d.links = make([]sdktrace.Link, n)
		for i := range d.links {
			d.links[i].SpanContext = r.spanContext()
			d.links[i].Attributes = r.attrs()
			d.links[i].DroppedAttributeCount = int(r.uvarint())
		}
	}
	d.status.Code = codes.Code(r.uvarint())
	d.status.Description = r.str()
	d.droppedAttrs = int(r.uvarint())
	d.droppedEvents = int(r.uvarint())
	d.droppedLinks = int(r.uvarint())
	d.children = int(r.uvarint())
}

// A Reader reads spans back from their compact forms, one after another,
// with the numbers a caller wrote between them (binary.AppendUvarint,
// AppendVarint). Each span is read into memory of its own (its bytes, its
// attributes, its events), which its strings share: a span kept longer
// than the others (a diagnostics page's) keeps nothing of them alive.
type Reader struct{ r reader }

// NewReader reads b.
func NewReader(b []byte) *Reader { return &Reader{r: reader{b: b}} }

// Uvarint reads a number written by binary.AppendUvarint.
func (r *Reader) Uvarint() uint64 { return r.r.uvarint() }

// Varint reads a number written by binary.AppendVarint.
func (r *Reader) Varint() int64 { return r.r.varint() }

// Span reads the next span, which has the resource and scope given (a
// compact form holds neither).
func (r *Reader) Span(res *resource.Resource, scope instrumentation.Scope) sdktrace.ReadOnlySpan {
	d := &detached{ReadOnlySpan: emptySpan, resource: res, scope: scope}
	n := r.r.next(4)
	if n == nil {
		return d
	}
	own := reader{b: bytes.Clone(r.r.next(int(binary.LittleEndian.Uint32(n))))}
	if r.r.bad {
		return d
	}
	own.span(d)
	d.resource, d.scope = res, scope
	if own.bad || len(own.b) != 0 {
		r.r.bad = true
	}
	return d
}

// ErrDamaged is what Err reports of bytes that are not compact forms.
var ErrDamaged = errors.New("spancopy: damaged compact form")

// Err reports whether anything read was not what was written: a read past
// the end, a value that did not fit, or bytes left over (done set).
func (r *Reader) Err(done bool) error {
	if r.r.bad || done && len(r.r.b) != 0 {
		return ErrDamaged
	}
	return nil
}
