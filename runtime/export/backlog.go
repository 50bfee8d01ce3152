package export

import (
	"log/slog"
	"sync/atomic"

	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
)

// backlog holds what a destination has not delivered yet: a memory queue
// bounded in bytes in front of the disk spool. Live batches wait in memory
// while the destination keeps up; they go to disk when memory is full or
// the destination cannot take them, and come back from disk, oldest first,
// once it can. Without a spool, memory is all there is, and what does not
// fit is dropped and counted.
//
// In durable mode every batch is written to the spool before it is queued:
// the queue then holds a copy, sent from memory and acknowledged on disk
// when delivered, so a process killed at any moment loses only what was
// not yet encoded.
type backlog struct {
	queue   *batchQueue
	spool   *spool.Set // nil: memory only
	durable bool
	c       *counters
	log     *slog.Logger
	turn    atomic.Uint64
	// inMemory counts batches held in memory (waiting to be encoded, queued
	// or in flight): what Flush waits for.
	inMemory atomic.Int64
}

// hold marks b as held in memory. A batch is held from the moment it is
// handed over until it is delivered, written to disk or dropped.
func (bl *backlog) hold(b *encodedBatch) {
	if !b.live {
		b.live = true
		bl.inMemory.Add(1)
	}
}

// release ends b's hold on memory.
func (bl *backlog) release(b *encodedBatch) {
	if b.live {
		b.live = false
		bl.inMemory.Add(-1)
	}
}

// add takes a newly encoded batch. toDisk sends it straight to the spool,
// as when the destination is known to be unavailable.
func (bl *backlog) add(b *encodedBatch, toDisk bool) {
	switch {
	case bl.spool == nil:
	case toDisk:
		bl.toDisk(b)
		return
	case bl.durable:
		bl.writeThrough(b)
	}
	if !bl.queue.TryPush(b) {
		bl.leaveMemory(b)
	}
}

// writeThrough puts a batch on disk and keeps it in memory too. If the
// disk fails, the batch stays in memory only rather than being lost.
func (bl *backlog) writeThrough(b *encodedBatch) {
	rec, err := bl.spool.Append(b.Data, b.Spans, spool.AppendHeld)
	if err != nil {
		bl.spoolFailed(err, b.Spans, "genaitrace: cannot write a batch to the spool; it is kept in memory only")
		return
	}
	b.record = &rec
	bl.c.spooled.Add(int64(b.Spans))
}

// next picks the next batch to send: live traffic and spool replay
// alternate, so a backlog never starves new spans and new spans never stall
// the replay. replay is false while spooled data must stay where it is.
func (bl *backlog) next(replay bool) *encodedBatch {
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

func (bl *backlog) replayNext() *encodedBatch {
	r, ok := bl.spool.Next()
	if !ok {
		return nil
	}
	return &encodedBatch{Data: r.Data, Spans: r.Spans, Created: r.Time, record: &r, replay: true, maybeSent: r.MaybeSent}
}

// done settles a batch the destination took, or rejected for good.
func (bl *backlog) done(b *encodedBatch) {
	if b.record != nil {
		bl.spool.Ack(*b.record)
	}
	bl.release(b)
}

// keep holds a batch that cannot be delivered now: back to the spool it
// came from or onto it; without a spool, back to the head of the memory
// queue unless draining (then it is dropped, as nothing would send it).
func (bl *backlog) keep(b *encodedBatch, draining bool) {
	switch {
	case bl.spool != nil:
		bl.leaveMemory(b)
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

// leaveMemory moves a batch out of memory: to the spool (where a durable
// or replayed batch already is), or, without a spool, nowhere.
func (bl *backlog) leaveMemory(b *encodedBatch) {
	switch {
	case b.record != nil:
		b.record.MaybeSent = b.maybeSent
		bl.spool.Nack(*b.record) // a record dropped past the cap is counted by the spool
		bl.release(b)
	case bl.spool != nil:
		bl.toDisk(b)
	default:
		bl.drop(b, DropNoSpool)
	}
}

// spill moves the memory queue to disk: memory is for traffic that can
// leave soon.
func (bl *backlog) spill() {
	if bl.spool == nil {
		return
	}
	for b := bl.queue.Pop(); b != nil; b = bl.queue.Pop() {
		bl.leaveMemory(b)
	}
}

// drain empties the memory queue at shutdown: to disk, or dropped.
func (bl *backlog) drain() {
	for b := bl.queue.Pop(); b != nil; b = bl.queue.Pop() {
		bl.keep(b, true)
	}
}

func (bl *backlog) toDisk(b *encodedBatch) {
	defer bl.release(b)
	mode := spool.AppendMode(0)
	if b.maybeSent {
		mode = spool.AppendMaybeSent
	}
	if _, err := bl.spool.Append(b.Data, b.Spans, mode); err != nil {
		bl.c.drop(DropSpoolError, b.Spans)
		bl.spoolFailed(err, b.Spans, "genaitrace: cannot spool spans; they are dropped")
		return
	}
	bl.c.spooled.Add(int64(b.Spans))
}

func (bl *backlog) spoolFailed(err error, spans int, msg string) {
	bl.c.setError(err.Error())
	bl.log.Warn(msg, "spans", spans, "error", err)
}

func (bl *backlog) drop(b *encodedBatch, reason string) {
	bl.c.drop(reason, b.Spans)
	bl.release(b)
}
