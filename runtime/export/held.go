package export

import (
	"bytes"
	"encoding/binary"
	"errors"

	"github.com/klauspost/compress/s2"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/genaitrace/genaitrace/runtime/internal/spancopy"
)

// heldBatch is a batch of pending spans held compactly while the
// destinations' encoders are busy: the spans in their compact form
// (spancopy.AppendCompact), compressed with S2 (klauspost/compress, the module gzip
// comes from), in one byte slice the collector does not scan, a tenth or
// less of the SDK snapshots it replaces. It is what lets a burst faster
// than the encoders (a batch job's tight loop) wait in the memory budget
// instead of being shed: the snapshots are let go as soon as their batch
// is held, and it is read back into spans when the encoders can take it.
type heldBatch struct {
	data []byte
	n    int
	// value is its spans' value: a batch holds spans of one value, so
	// that a more valuable span can shed it.
	value Value
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
		// What the compact form does not hold, first.
		b = binary.AppendVarint(b, s.size)
		b = binary.AppendUvarint(b, uint64(hb.resourceIndex(s.Resource())))
		b = binary.AppendUvarint(b, uint64(hb.scopeIndex(s.InstrumentationScope())))
		b = spancopy.AppendCompact(b, s.ReadOnlySpan)
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
// trace facts and sizes, each span in memory of its own.
func (hb *heldBatch) spans() ([]Span, error) {
	raw, err := s2.Decode(nil, hb.data)
	if err != nil {
		return nil, errHeldDamaged
	}
	spans := make([]Span, hb.n)
	r := spancopy.NewReader(raw)
	for i := range spans {
		s := &spans[i]
		s.size = r.Varint()
		ri, si := r.Uvarint(), r.Uvarint()
		if r.Err(false) != nil || ri >= uint64(len(hb.resources)) || si >= uint64(len(hb.scopes)) {
			return nil, errHeldDamaged
		}
		s.ReadOnlySpan, s.Trace = r.Span(hb.resources[ri], hb.scopes[si]), hb.traces[i]
	}
	if r.Err(true) != nil {
		return nil, errHeldDamaged
	}
	return spans, nil
}
