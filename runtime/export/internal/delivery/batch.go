package delivery

import (
	"time"

	"go.opentelemetry.io/otel/trace"

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
	record  *spool.Record
	// replay is set on batches read back from the spool.
	replay bool
	// maybeSent is set once a request with the batch may have delivered it:
	// written in full, its answer lost. Delivering it again may make
	// duplicates. uncertainAt is when that request ended.
	maybeSent   bool
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
