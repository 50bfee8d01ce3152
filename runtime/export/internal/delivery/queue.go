package delivery

import (
	"sync"
)

// Budget is a memory budget shared with the pipeline, in bytes: what the
// queue holds counts in it besides the queue's own bound.
type Budget interface {
	// TryTake reserves n bytes if they fit.
	TryTake(n int64) bool
	// Take reserves n bytes whether they fit or not: for what was held a
	// moment ago and comes back.
	Take(n int64)
	// Give returns n bytes.
	Give(n int64)
}

// batchQueue is a FIFO of batches bounded in bytes, not in span counts: spans
// with prompts and completions are kilobytes, plain ones a few hundred
// bytes, and a count bound would let the former exhaust memory.
type batchQueue struct {
	// budget, when set, is the memory budget the queue's bytes count in,
	// besides its own bound.
	budget   Budget
	mu       sync.Mutex
	items    []*Batch
	head     int
	bytes    int64
	maxBytes int64
	ready    chan struct{}
	// spills is set when a refused batch goes to disk: the bounds then
	// hold for an empty queue too.
	spills bool
}

// newBatchQueue returns a queue holding at most maxBytes.
func newBatchQueue(maxBytes int64) *batchQueue {
	return &batchQueue{maxBytes: maxBytes, ready: make(chan struct{}, 1)}
}

// TryPush appends b unless that would exceed the queue's bound or the
// memory budget. Where refused batches spill to disk, both bounds hold
// strictly: a batch of big prompts held regardless would take the budget
// that the spans not yet handed out need (the pipeline would shed them),
// while the disk holds it for nothing. Without a disk, an empty queue takes
// any batch, so that one oversized batch is never refused forever.
func (q *batchQueue) TryPush(b *Batch) bool {
	q.mu.Lock()
	if !q.admit(b.size()) {
		q.mu.Unlock()
		return false
	}
	q.items = append(q.items, b)
	q.bytes += b.size()
	q.mu.Unlock()
	q.signal()
	return true
}

// admit takes n bytes from the budget for a batch the queue will hold, or
// reports that the batch is refused. q.mu is held.
func (q *batchQueue) admit(n int64) bool {
	if q.len() == 0 && !q.spills {
		if q.budget != nil {
			q.budget.Take(n)
		}
		return true
	}
	if q.bytes+n > q.maxBytes {
		return false
	}
	return q.budget == nil || q.budget.TryTake(n)
}

// PushFront returns a batch to the head of the queue, ignoring the budget:
// it was in the queue a moment ago.
func (q *batchQueue) PushFront(b *Batch) {
	q.mu.Lock()
	if q.head > 0 {
		q.head--
		q.items[q.head] = b
	} else {
		q.items = append([]*Batch{b}, q.items...)
	}
	q.bytes += b.size()
	if q.budget != nil {
		q.budget.Take(b.size())
	}
	q.mu.Unlock()
	q.signal()
}

// Pop removes the oldest batch, or returns nil.
func (q *batchQueue) Pop() *Batch {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.len() == 0 {
		return nil
	}
	b := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	q.bytes -= b.size()
	if q.budget != nil {
		q.budget.Give(b.size())
	}
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head > 1024 && q.head*2 > len(q.items) {
		q.items = append(q.items[:0], q.items[q.head:]...)
		q.head = 0
	}
	return b
}

func (q *batchQueue) len() int { return len(q.items) - q.head }

// Len reports the number of batches queued.
func (q *batchQueue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.len()
}

// Bytes reports the bytes queued.
func (q *batchQueue) Bytes() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes
}

// Ready is signalled after a push. It is a hint: receivers must Pop and
// handle nil.
func (q *batchQueue) Ready() <-chan struct{} { return q.ready }

func (q *batchQueue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}
