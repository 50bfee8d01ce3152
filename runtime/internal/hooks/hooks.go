// Package hooks holds the types of the callbacks package runtime hands
// the export pipeline's destinations: what became of each batch (for the
// diagnostics' view of a trace), and which spans a destination already
// holds (asked before a batch that may have reached it is sent again).
// They are here, and not in package export, because runtime alone wires
// them: export's API names none of them. It imports nothing of
// genaitrace.
package hooks

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/trace"
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

// SpanRef names one span of a batch: its trace and span IDs and its start
// time, what a destination indexes a stored span by.
type SpanRef struct {
	TraceID trace.TraceID
	SpanID  trace.SpanID
	Start   time.Time
}

// StoredCheck learns which spans of a batch the destination already
// holds, so that a batch sent again after a request that may have
// delivered it (written in full, its answer lost) carries only the spans
// the destination lacks. Which API is asked, and how often it may be, is
// Stored's business: the backlog knows spans by their IDs only.
type StoredCheck struct {
	// Grace is how long after such a request the destination shows what
	// it stored; asked earlier, it may not show spans it is still
	// writing.
	Grace time.Duration
	// Stored reports whether the destination holds each of the first
	// len(result) spans; the spans after those could not be asked about
	// (no answer, a rate limit), and are sent again and counted as
	// possible duplicates. It must return by ctx's end.
	Stored func(ctx context.Context, spans []SpanRef) []bool
}
