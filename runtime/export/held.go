package export

import (
	"bytes"
	"errors"

	"github.com/klauspost/compress/s2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// heldBatch is a batch of pending spans held compactly while the
// destinations' encoders are busy: the spans in their compact form
// (compact.go), compressed with S2 (klauspost/compress, the module gzip
// comes from), in one byte slice the collector does not scan, a tenth or
// less of the SDK snapshots it replaces. It is what lets a burst faster
// than the encoders (a batch job's tight loop) wait in the memory budget
// instead of being shed: the snapshots are let go as soon as their batch
// is held, and it is read back into spans when the encoders can take it.
type heldBatch struct {
	data []byte
	n    int
	// attrs counts the attributes the spans hold, theirs and their
	// events', for reading them back into one array.
	attrs int
	// What the compact form does not hold: the spans' trace facts (shared
	// with their trace, resolved before the spans were held), and the few
	// resources and scopes the spans name by index.
	traces    []*TraceInfo
	resources []*resource.Resource
	scopes    []instrumentation.Scope
	// bytes is what the batch holds in the memory budget.
	bytes int64
}

// heldOverhead is what a held batch costs besides its bytes and trace
// pointers: the struct and its slices' headers.
const heldOverhead = 256

// holdBatch writes spans compactly. scratch is reused between calls (the
// pipeline's, under its dispatch lock).
func holdBatch(spans []Span, scratch *[2][]byte) *heldBatch {
	hb := &heldBatch{n: len(spans), traces: make([]*TraceInfo, len(spans))}
	b := scratch[0][:0]
	for i := range spans {
		s := &spans[i]
		b = putSpan(b, s.ReadOnlySpan)
		hb.attrs += len(s.ReadOnlySpan.Attributes())
		for _, e := range s.Events() {
			hb.attrs += len(e.Attributes)
		}
		b = putVarint(b, s.size)
		b = putUvarint(b, uint64(hb.resourceIndex(s.Resource())))
		b = putUvarint(b, uint64(hb.scopeIndex(s.InstrumentationScope())))
		hb.traces[i] = s.Trace
	}
	scratch[0] = b
	scratch[1] = s2.Encode(scratch[1][:cap(scratch[1])], b)
	hb.data = bytes.Clone(scratch[1])
	hb.bytes = int64(len(hb.data)) + 8*int64(len(hb.traces)) + heldOverhead
	return hb
}

func (hb *heldBatch) resourceIndex(r *resource.Resource) int {
	for i, x := range hb.resources {
		if x == r {
			return i
		}
	}
	hb.resources = append(hb.resources, r)
	return len(hb.resources) - 1
}

func (hb *heldBatch) scopeIndex(sc instrumentation.Scope) int {
	for i, x := range hb.scopes {
		if x == sc {
			return i
		}
	}
	hb.scopes = append(hb.scopes, sc)
	return len(hb.scopes) - 1
}

var errHeldDamaged = errors.New("a held batch could not be read back")

// spans reads the batch back as the spans that were held, with their
// trace facts and sizes; their strings share one buffer.
func (hb *heldBatch) spans() ([]Span, error) {
	raw, err := s2.Decode(nil, hb.data)
	if err != nil {
		return nil, errHeldDamaged
	}
	details := make([]detachedSpan, hb.n)
	spans := make([]Span, hb.n)
	attrs := make([]attribute.KeyValue, 0, hb.attrs)
	var events []sdktrace.Event
	r := compactReader{b: raw}
	for i := range spans {
		d := &details[i]
		r.span(d, &attrs, &events)
		s := &spans[i]
		s.size = r.varint()
		ri, si := r.uvarint(), r.uvarint()
		if r.bad || ri >= uint64(len(hb.resources)) || si >= uint64(len(hb.scopes)) {
			return nil, errHeldDamaged
		}
		d.resource, d.scope = hb.resources[ri], hb.scopes[si]
		s.ReadOnlySpan, s.Trace = d, hb.traces[i]
	}
	if len(r.b) != 0 {
		return nil, errHeldDamaged
	}
	return spans, nil
}
