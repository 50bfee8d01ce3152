package delivery

import (
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
)

// Outcome is what became of a batch, and of the traces whose spans it
// holds, at one destination.
type Outcome uint8

// What becomes of a batch.
const (
	// Delivered: the destination took it.
	Delivered Outcome = iota + 1
	// Spooled: it waits on disk, to be sent when the destination can take
	// it (by this process or the next).
	Spooled
	// SetAside: the destination rejected it; it is kept apart, not sent
	// again unless an operator replays it.
	SetAside
	// Dropped: lost, for the reason given (no spool, a spool error).
	Dropped
)

// String names the outcome as the diagnostics show it.
func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Spooled:
		return "spooled"
	case SetAside:
		return "set_aside"
	case Dropped:
		return "dropped"
	}
	return "unknown"
}

// outcome tells Config.OnOutcome what became of b: its traces, read back
// from its bytes when it came from the spool without them.
func (bl *Backlog) outcome(b *Batch, o Outcome, reason string) {
	if bl.cfg.OnOutcome == nil {
		return
	}
	traces := b.Traces
	if traces == nil && b.replay {
		if raw, err := b.raw(); err == nil {
			traces = otlp.TraceIDs(raw)
		}
	}
	if len(traces) > 0 {
		bl.cfg.OnOutcome(traces, o, reason)
	}
}

// TraceIDs returns the distinct trace IDs of spans, in order.
func TraceIDs[S interface{ SpanContext() trace.SpanContext }](spans []S) []trace.TraceID {
	var out []trace.TraceID
	for _, s := range spans {
		tid := s.SpanContext().TraceID()
		if len(out) == 0 || out[len(out)-1] != tid {
			out = append(out, tid) // a batch's spans of one trace are mostly next to each other: close enough to distinct
		}
	}
	return out
}
