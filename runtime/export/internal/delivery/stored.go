package delivery

import (
	"time"

	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
	"github.com/genaitrace/genaitrace/runtime/internal/hooks"
)

// checkStep is what the backlog does with a batch after asking which of
// its spans the destination holds.
type checkStep int

const (
	sendRest checkStep = iota // send what b still holds
	settled                   // b is settled: nothing left to send, or kept for later
)

// dedupe takes out of b the spans the destination already holds, once the
// grace period since the request that may have delivered them is over. A
// batch the destination holds whole is settled as delivered, without a
// request. The rest stays maybe-sent: a span the destination did not show
// may still be on its way in (possible duplicates stay an upper bound),
// and is asked about again if the batch comes back from the spool. During
// shutdown nothing is asked (the deadline is for sending): a batch is kept
// for the next process, which asks, or, without a spool, sent as it is.
func (bl *Backlog) dedupe(b *Batch) checkStep {
	check := bl.cfg.StoredCheck
	b.checked = true
	if !bl.waitGrace(b.uncertainAt.Add(check.Grace)) {
		if bl.spool != nil {
			bl.keep(b)
			return settled
		}
		return sendRest
	}
	raw, err := b.raw()
	var refs []otlp.SpanRef
	if err == nil {
		refs, err = otlp.SpanRefs(raw)
	}
	if err != nil || len(refs) == 0 {
		return sendRest
	}
	asked := make([]hooks.SpanRef, len(refs))
	for i, r := range refs {
		asked[i] = hooks.SpanRef(r)
	}
	stored := check.Stored(bl.sendCtx, asked)
	stored = stored[:min(len(stored), len(refs))]
	keep := make([]bool, len(refs))
	held := 0
	for i := range refs {
		keep[i] = i >= len(stored) || !stored[i]
		if !keep[i] {
			held++
		}
	}
	switch {
	case held == 0:
		return sendRest
	case held == len(refs):
		b.stored += held
		b.Spans = 0
		bl.heldAlready(b)
		return settled
	}
	rest, n, err := otlp.KeepSpans(raw, keep)
	if err != nil {
		return sendRest
	}
	b.Data, b.Spans, b.stored = b.encoded(rest), n, b.stored+held
	return sendRest
}

// waitGrace waits until due, or until the backlog shuts down; it reports
// whether due came.
func (bl *Backlog) waitGrace(due time.Time) bool {
	if bl.draining.Load() {
		return false
	}
	wait := time.Until(due)
	if wait <= 0 {
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-bl.drain:
	case <-bl.sendCtx.Done():
	}
	return false
}

// heldAlready settles a batch whose spans the destination showed it holds,
// all of them: delivered by the request whose answer was lost.
func (bl *Backlog) heldAlready(b *Batch) {
	bl.bookStored(b)
	bl.outcome(b, hooks.Delivered, "")
	bl.done(b)
}

// bookStored counts the spans taken out of b because the destination
// holds them: delivered (by the earlier request), not sent again. It runs
// when b leaves the backlog in its present form; a batch returned to the
// spool record it came from, which still holds them, is asked about again
// instead.
func (bl *Backlog) bookStored(b *Batch) {
	if b.stored == 0 {
		return
	}
	n := int64(b.stored)
	bl.c.Exported.Add(n)
	bl.c.Deduplicated.Add(n)
	if b.replay {
		bl.c.Replayed.Add(n)
	}
	b.stored = 0
}
