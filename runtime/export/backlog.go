package export

import (
	"log/slog"
	"sync/atomic"
)

// backlog holds what a destination has not delivered yet: a memory queue
// bounded in bytes in front of the disk spool. Live batches wait in memory
// while the destination keeps up; they go to disk when memory is full or
// the destination cannot take them, and come back from disk, oldest first,
// once it can. Without a spool, memory is all there is, and what does not
// fit is dropped and counted.
type backlog struct {
	queue *Queue
	spool *Spool // nil: memory only
	c     *counters
	log   *slog.Logger
	turn  atomic.Uint64
	// inMemory counts batches held in memory (waiting to be encoded, queued
	// or in flight): what Flush waits for.
	inMemory atomic.Int64
}

// hold marks b as held in memory. A batch is held from the moment it is
// handed over until it is delivered, written to disk or dropped.
func (bl *backlog) hold(b *Batch) {
	if !b.live {
		b.live = true
		bl.inMemory.Add(1)
	}
}

// release ends b's hold on memory.
func (bl *backlog) release(b *Batch) {
	if b.live {
		b.live = false
		bl.inMemory.Add(-1)
	}
}

// add takes a newly encoded batch. toDisk sends it straight to the spool,
// as when the destination is known to be down.
func (bl *backlog) add(b *Batch, toDisk bool) {
	if toDisk && bl.spool != nil {
		bl.toDisk(b)
		return
	}
	if !bl.queue.TryPush(b) {
		if bl.spool != nil {
			bl.toDisk(b)
		} else {
			bl.drop(b, DropNoSpool)
		}
	}
}

// next picks the next batch to send: live traffic and spool replay
// alternate, so a backlog never starves new spans and new spans never stall
// the replay. replay is false while spooled data must stay where it is.
func (bl *backlog) next(replay bool) *Batch {
	replay = replay && bl.spool != nil
	if replay && bl.turn.Add(1)%2 == 0 {
		if b := bl.replayNext(); b != nil {
			return b
		}
	}
	if b := bl.queue.Pop(); b != nil {
		return b
	}
	if replay {
		return bl.replayNext()
	}
	return nil
}

func (bl *backlog) replayNext() *Batch {
	r, ok := bl.spool.Next()
	if !ok {
		return nil
	}
	return &Batch{Data: r.Data, Spans: r.Spans, Created: r.Time, record: &r}
}

// done settles a batch the destination took, or rejected for good.
func (bl *backlog) done(b *Batch) {
	if b.record != nil {
		bl.spool.Ack(*b.record)
	}
	bl.release(b)
}

// keep holds a batch that cannot be delivered now: back to the spool it
// came from or onto it; without a spool, back to the head of the memory
// queue unless draining (then it is dropped, as nothing would send it).
func (bl *backlog) keep(b *Batch, draining bool) {
	switch {
	case b.record != nil:
		bl.spool.Nack(*b.record) // a record dropped past the cap is counted by the spool
		bl.release(b)
	case bl.spool != nil:
		bl.toDisk(b)
	case draining:
		bl.drop(b, DropNoSpool)
	case b.live:
		bl.queue.PushFront(b) // it was first in line a moment ago
	default: // half of a split batch
		bl.hold(b)
		if !bl.queue.TryPush(b) {
			bl.drop(b, DropNoSpool)
		}
	}
}

// spill moves the memory queue to disk: memory is for traffic that can
// leave soon.
func (bl *backlog) spill() {
	if bl.spool == nil {
		return
	}
	for b := bl.queue.Pop(); b != nil; b = bl.queue.Pop() {
		bl.toDisk(b)
	}
}

// drain empties the memory queue at shutdown: to disk, or dropped.
func (bl *backlog) drain() {
	for b := bl.queue.Pop(); b != nil; b = bl.queue.Pop() {
		bl.keep(b, true)
	}
}

func (bl *backlog) toDisk(b *Batch) {
	defer bl.release(b)
	if err := bl.spool.Append(b.Data, b.Spans); err != nil {
		bl.c.drop(DropSpoolError, b.Spans)
		bl.c.setError(err.Error())
		bl.log.Warn("genaitrace: cannot spool spans; they are dropped", "spans", b.Spans, "error", err)
		return
	}
	bl.c.spooled.Add(int64(b.Spans))
}

func (bl *backlog) drop(b *Batch, reason string) {
	bl.c.drop(reason, b.Spans)
	bl.release(b)
}
