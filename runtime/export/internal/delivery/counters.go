package delivery

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"
)

// Reasons a span is dropped on its way to a destination. Every dropped
// span is counted under one.
const (
	DropAfterShutdown  = "after_shutdown"  // handed to a destination after it shut down
	DropEncoderStalled = "encoder_stalled" // a destination's encoder was stuck for 5 s (a hung disk): it alone lost the batch
	DropSpoolError     = "spool_error"     // the spool could not be written (disk full, permissions)
	DropSpoolFull      = "spool_full"      // past the spool's cap: the oldest deleted, or a span larger than the whole spool
	DropNoSpool        = "no_spool"        // undeliverable and no spool configured
	DropRejected       = "rejected"        // the destination rejected the batch itself (4xx); set aside
)

// Counters are a destination's live counters, in spans unless named
// otherwise. The destination's snapshot reads them.
type Counters struct {
	Accepted, Exported, Retried, Spooled, Replayed, SetAside atomic.Int64
	// Filtered counts spans kept from the destination on purpose.
	Filtered atomic.Int64
	// PossibleDuplicates counts spans delivered again after a request
	// that may have delivered them already; Deduplicated those not sent
	// again because the destination showed it held them.
	PossibleDuplicates, Deduplicated        atomic.Int64
	InFlight, Requests, Failures, SentBytes atomic.Int64
	// LastSuccess and LastErrorTime are Unix nanoseconds (0: never).
	LastSuccess, LastErrorTime atomic.Int64
	// LastStatus is the HTTP status of the last error, 0 without one.
	LastStatus atomic.Int64

	mu        sync.Mutex
	dropped   map[string]int64
	lastError string
}

// Drop counts spans lost for reason.
func (c *Counters) Drop(reason string, spans int) {
	if spans <= 0 {
		return
	}
	c.mu.Lock()
	if c.dropped == nil {
		c.dropped = map[string]int64{}
	}
	c.dropped[reason] += int64(spans)
	c.mu.Unlock()
}

// SetError records the last error's text and time.
func (c *Counters) SetError(msg string) {
	c.mu.Lock()
	c.lastError = msg
	c.mu.Unlock()
	c.LastErrorTime.Store(time.Now().UnixNano())
}

// Dropped returns a copy of the drops by reason, with room for one more.
func (c *Counters) Dropped() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.dropped)+1)
	maps.Copy(out, c.dropped)
	return out
}

// LastError returns the last error's text.
func (c *Counters) LastError() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastError
}
