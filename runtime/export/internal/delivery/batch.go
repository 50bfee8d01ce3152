package delivery

import (
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
)

// Batch is one encoded, gzip-compressed OTLP request on its way to one
// destination. A batch that is on disk (read back from the spool, or
// written through in durable mode) remembers its record, so a successful
// send can acknowledge it.
type Batch struct {
	Data    []byte
	Spans   int
	Created time.Time
	// Plain is set when Data is not gzip-compressed.
	Plain  bool
	record *spool.Record
	// replay is set on batches read back from the spool.
	replay bool
	// uncertain counts the requests that may have delivered the batch
	// (written, their answer lost), this process's and (through the spool)
	// earlier ones': each may have made a copy, and delivering it again
	// may make duplicates. uncertainAt is when the last one ended.
	uncertain   int
	uncertainAt time.Time
	// checked is set once the destination was asked which spans of the
	// batch it holds since that request (Config.StoredCheck).
	checked bool
	// stored counts the spans taken out of Data because the destination
	// holds them, not yet counted as exported (see bookStored).
	stored int
	// tries counts the attempts of one sender's handling.
	tries int
	// live is set while the batch is held in memory (see backlog.hold).
	live bool
	// Probe is one span of the batch, by trace ID and start time, for a
	// check that delivered traces appear (Config.OnDelivered).
	Probe      trace.TraceID
	ProbeStart time.Time
	// Traces are the traces the batch holds spans of, for Config.OnOutcome
	// (nil when nobody asks, and for a batch read back from the spool).
	Traces []trace.TraceID
}

// size is what a batch costs the queue's byte budget: its payload plus the
// fixed overhead of the struct and slice header.
func (b *Batch) size() int64 { return int64(len(b.Data)) + 64 + 16*int64(len(b.Traces)) }

// raw returns the batch's request uncompressed.
func (b *Batch) raw() ([]byte, error) {
	if b.Plain {
		return b.Data, nil
	}
	return otlp.Gunzip(b.Data)
}

// halves splits the batch's request in two, each encoded as the batch was.
func (b *Batch) halves() ([]*Batch, error) {
	raw, err := b.raw()
	if err != nil {
		return nil, err
	}
	left, right, err := otlp.SplitRequest(raw)
	if err != nil {
		return nil, err
	}
	out := make([]*Batch, 0, 2)
	for _, half := range [][]byte{left, right} {
		n, _ := otlp.CountSpans(half)
		// Each half may have been delivered by the requests the whole was.
		out = append(out, &Batch{Data: b.encoded(half), Spans: n, Created: b.Created, Plain: b.Plain,
			uncertain: b.uncertain, uncertainAt: b.uncertainAt})
	}
	return out, nil
}

// encoded is raw, a request of the batch's spans, encoded as the batch's
// own data is (gzip'd unless plain).
func (b *Batch) encoded(raw []byte) []byte {
	if b.Plain {
		return raw
	}
	return otlp.Gzip(raw)
}

// diskData is the batch as the spool stores it: gzip'd.
func (b *Batch) diskData() []byte {
	if b.Plain {
		return otlp.Gzip(b.Data)
	}
	return b.Data
}

// copies is how many requests may already have delivered the batch, as the
// spool keeps it: one at least when spans were taken out as stored (they
// are still in the record, and asked about again when it is read back).
func (b *Batch) copies() int {
	if b.stored > 0 || b.maybeSent() {
		return max(b.uncertain, 1)
	}
	return 0
}

// maybeSent reports whether a request may already have delivered the batch.
func (b *Batch) maybeSent() bool { return b.uncertain > 0 }
