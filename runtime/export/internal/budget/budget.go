// Package budget bounds, in bytes, what genaitrace holds between span.End
// and the wire: finished spans not yet encoded by every destination, by
// their estimated size, and encoded batches in the destinations' memory
// queues. A span with a prompt can be a thousand times larger than one
// without: a bound in spans would bound nothing. It imports nothing of
// runtime/export.
package budget

import (
	"os"
	"strconv"
	"sync/atomic"
)

// Budget is a bound in bytes and what is taken of it.
type Budget struct {
	// Max is the bound.
	Max  int64
	used atomic.Int64
}

// New returns an empty budget of max bytes.
func New(max int64) *Budget { return &Budget{Max: max} }

// Used is what is taken now.
func (m *Budget) Used() int64 { return m.used.Load() }

// LiveShare is the part of a memory budget that may be live. Go's
// collector lets the heap grow by GOGC percent of the live data before it
// collects (100 % unless set otherwise), and an application allocating
// flat out makes it overshoot that while it marks (what is allocated
// during marking survives the cycle): measured with tools/overload, eight
// goroutines making spans flat out on two cores, the heap genaitrace adds
// is five to six times what it holds live. An eighth of the budget, at
// GOGC=100, keeps the footprint within it (a quarter measured 106-145 MiB
// of RSS for a 64 MiB budget over a 35 MiB application, an eighth 84-100).
func LiveShare(budget int64) int64 {
	gogc := 100
	if n, err := strconv.Atoi(os.Getenv("GOGC")); err == nil && n > 0 {
		gogc = n
	}
	return budget * 100 / int64(100+gogc) / 4
}

// TryTake reserves n bytes if they fit.
func (m *Budget) TryTake(n int64) bool { return m.tryTakeBelow(n, m.Max) }

// TryTakeOver reserves n bytes if they fit within the bound and over bytes
// past it.
func (m *Budget) TryTakeOver(n, over int64) bool { return m.tryTakeBelow(n, m.Max+over) }

// tryTakeBelow reserves n bytes if the budget then holds at most limit.
func (m *Budget) tryTakeBelow(n, limit int64) bool {
	for {
		used := m.used.Load()
		if used+n > limit {
			return false
		}
		if m.used.CompareAndSwap(used, used+n) {
			return true
		}
	}
}

// Take reserves n bytes whether they fit or not: for what was held a
// moment ago and comes back.
func (m *Budget) Take(n int64) { m.used.Add(n) }

// Give returns n bytes.
func (m *Budget) Give(n int64) { m.used.Add(-n) }

// QueueShare is the memory budget as the memory queues of encoded batches
// of destinations with a spool see it: they take from it only while it
// stays at most half full. Past that, a new encoded batch goes to the
// destination's spool, leaving the rest of the budget to the spans not yet
// encoded, which can go nowhere else (a burst faster than the senders
// otherwise fills the budget with batches waiting to be sent, and sheds
// spans).
type QueueShare struct{ *Budget }

// TryTake reserves n bytes if the budget then holds at most half its
// bytes.
func (q QueueShare) TryTake(n int64) bool { return q.tryTakeBelow(n, q.Max/queueShare) }

// queueShare is the part of the budget past which the memory queues take
// no more: a half, which leaves the rest to the batches being encoded and
// the spans waiting for them.
const queueShare = 2
