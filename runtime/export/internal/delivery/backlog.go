package delivery

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
	"github.com/genaitrace/genaitrace/runtime/internal/hooks"
	"github.com/genaitrace/genaitrace/runtime/internal/redact"
)

// Config configures one destination's delivery. Every field but the
// optional ones (Spool, OnDelivered) must be set: defaults are
// resolved once, by runtime.
type Config struct {
	Target  Target
	Breaker *breaker.Breaker
	Retry   RetryPolicy
	// MaxInFlight is the number of concurrent requests when there is a
	// backlog.
	MaxInFlight int
	// PollInterval is how often idle senders look for spooled work and due
	// probes.
	PollInterval time.Duration
	// QueueMaxBytes bounds the memory queue of encoded batches.
	QueueMaxBytes int64
	// Spool holds what cannot be sent now; nil keeps data in memory only,
	// and what does not fit is dropped (no_spool).
	Spool *spool.Set
	// Durable writes every batch to the spool before it is sent.
	Durable bool
	// Uncompressed is set when the destination takes its requests
	// uncompressed (a JSON target always does). The spool always stores
	// batches gzip'd (a disk of a given size holds twelve times more
	// spans); those replayed to such a destination are decompressed before
	// they are sent.
	Uncompressed bool
	// Credentials names where the credentials come from, for the message
	// when the destination refuses a request; EndpointFrom where the URL
	// comes from, for the message when nothing takes traces there.
	Credentials  string
	EndpointFrom string
	// Items names what the batches hold, in log messages: "spans"
	// (the default) or "scores".
	Items string
	// Pace, when set, is the least time between the starts of two
	// requests after a burst of PaceBurst: for an API whose rate limit is
	// counted in requests (one score per request, for Langfuse's scores
	// API).
	Pace      time.Duration
	PaceBurst int
	// OnDelivered, when set, is told of one trace of every batch delivered.
	// It must not block.
	OnDelivered func(trace.TraceID, time.Time)
	// OnOutcome, when set, is told what became of each batch's traces:
	// delivered, spooled, set aside or dropped (with the reason). It runs
	// in the senders and the encoder, and must not block.
	OnOutcome func(traces []trace.TraceID, o hooks.Outcome, reason string)
	// StoredCheck, when set, is asked which spans of a batch the
	// destination holds before a batch a request may already have
	// delivered is sent again; those are not sent again.
	StoredCheck *hooks.StoredCheck
	Logger      *slog.Logger
}

// Backlog holds what a destination has not delivered yet and delivers it:
// a memory queue bounded in bytes in front of the disk spool, and the
// senders that take from them. Every batch it is handed is settled here,
// once: delivered, split, set aside, kept for later (back to the spool it
// came from or onto it) or dropped, counted.
//
// Live batches wait in memory while the destination keeps up; they go to
// disk when memory is full or the destination cannot take them, and come
// back from disk, oldest first, once it can. In durable mode every batch is
// written to the spool before it is queued: the queue then holds a copy,
// sent from memory and acknowledged on disk when delivered, so a process
// killed at any moment loses only what was not yet encoded.
type Backlog struct {
	cfg   Config
	log   *slog.Logger
	c     *Counters
	queue *batchQueue
	spool *spool.Set // nil: memory only
	send  sender
	pause pause
	turn  atomic.Uint64
	// inMemory counts batches held in memory (announced by Expect, queued
	// or in flight): what Flush waits for.
	inMemory atomic.Int64

	wake       chan struct{}
	sendCtx    context.Context // cancelled when shutdown runs out of time
	cancelSend context.CancelFunc
	draining   atomic.Bool
	// drainReplayDone ends the replay of this process's own records during
	// shutdown (replayOwnOnShutdown).
	drainReplayDone atomic.Bool
	workers         sync.WaitGroup
	warnedDown      atomic.Bool
	drain           chan struct{} // closed when shutdown begins
	stopAdopt       chan struct{}
	adoptDone       chan struct{}
	shutdownOnce    sync.Once
}

// New starts a destination's senders and, with a spool, the adoption of
// what processes now gone left in it. Its counts go to c.
func New(cfg Config, c *Counters) *Backlog {
	bl := &Backlog{cfg: cfg, log: cfg.Logger, c: c, queue: newBatchQueue(cfg.QueueMaxBytes), spool: cfg.Spool,
		wake: make(chan struct{}, cfg.MaxInFlight), drain: make(chan struct{}), stopAdopt: make(chan struct{}), adoptDone: make(chan struct{})}
	bl.queue.spills = cfg.Spool != nil
	bl.cfg.Items = cmp.Or(bl.cfg.Items, "spans")
	bl.send = sender{target: &bl.cfg.Target, retry: cfg.Retry, breaker: cfg.Breaker, pause: &bl.pause, c: c,
		pace: pacer{every: cfg.Pace, burst: cfg.PaceBurst}, recheck: cfg.StoredCheck != nil}
	bl.sendCtx, bl.cancelSend = context.WithCancel(context.Background())
	for range cfg.MaxInFlight {
		bl.workers.Add(1)
		go bl.sendLoop()
	}
	go bl.adoptLoop()
	return bl
}

// Expect counts a batch on its way to Add (waiting to be encoded) as held
// in memory, so that Flush waits for it; Forget takes it back when it
// never comes.
func (bl *Backlog) Expect() { bl.inMemory.Add(1) }

// Forget undoes an Expect whose batch will never be added.
func (bl *Backlog) Forget() { bl.inMemory.Add(-1) }

// Add takes a newly encoded batch, announced by Expect. While the
// destination cannot take data for a while, it goes straight to disk:
// memory is for traffic that can leave soon.
func (bl *Backlog) Add(b *Batch) {
	b.live = true
	switch {
	case bl.spool == nil:
	case bl.Down():
		bl.toDisk(b)
		return
	case bl.cfg.Durable:
		bl.writeThrough(b)
	}
	if !bl.queue.TryPush(b) {
		bl.leaveMemory(b)
	}
}

// Down reports whether the destination cannot take data for a while: its
// breaker is open, or it asked for a pause longer than a batch would wait
// in place.
func (bl *Backlog) Down() bool {
	return bl.cfg.Breaker.State() == breaker.Open || bl.pause.remaining() > bl.cfg.Retry.MaxRetryAfter
}

// Kick wakes the senders, e.g. after the breaker closed or was reset, so
// spooled data is replayed without waiting for the next poll.
func (bl *Backlog) Kick() {
	for range bl.cfg.MaxInFlight {
		select {
		case bl.wake <- struct{}{}:
		default:
		}
	}
}

// settle decides a batch's fate from what its sender concluded: the one
// place a batch leaves the backlog.
func (bl *Backlog) settle(b *Batch, v verdict, a attempt) {
	switch v {
	case delivered:
		bl.delivered(b)
	case halve:
		bl.split(b, a)
	case setAside:
		bl.setAside(b, a)
	case keep:
		bl.warnDown(a)
		bl.keep(b)
	}
}

func (bl *Backlog) delivered(b *Batch) {
	bl.bookStored(b)
	bl.c.Exported.Add(int64(b.Spans))
	bl.c.SentBytes.Add(int64(len(b.Data)))
	bl.c.LastSuccess.Store(time.Now().UnixNano())
	if bl.cfg.OnDelivered != nil && b.Probe.IsValid() {
		bl.cfg.OnDelivered(b.Probe, b.ProbeStart)
	}
	if b.replay {
		bl.c.Replayed.Add(int64(b.Spans))
	}
	if b.maybeSent() {
		// One copy per request that may have delivered it, this process's
		// and, through the spool, earlier ones.
		bl.c.PossibleDuplicates.Add(int64(b.Spans * b.uncertain))
	}
	bl.outcome(b, hooks.Delivered, "")
	bl.done(b)
	if bl.warnedDown.CompareAndSwap(true, false) {
		bl.log.Info("genaitrace: destination reachable again; replaying spooled " + bl.cfg.Items)
	}
}

// split answers a 413: the batch is sent in halves, recursively; a single
// span the destination still finds too large is set aside.
func (bl *Backlog) split(b *Batch, a attempt) {
	if bl.cfg.Target.JSON {
		bl.setAside(b, a) // one JSON document: nothing to split
		return
	}
	halves, err := b.halves()
	if err != nil {
		bl.setAside(b, a)
		return
	}
	bl.bookStored(b)
	for _, h := range halves {
		// A half that cannot be sent is kept, so nothing is lost here.
		bl.handle(h)
	}
	bl.done(b) // its spans now live in the halves
}

func (bl *Backlog) setAside(b *Batch, a attempt) {
	bl.bookStored(b)
	bl.c.SetAside.Add(int64(b.Spans))
	bl.c.Drop(DropRejected, b.Spans)
	bl.log.Warn("genaitrace: destination rejected a batch; it is set aside, not retried",
		bl.cfg.Items, b.Spans, "error", a.err)
	if bl.spool != nil {
		bl.spool.SetAside(b.diskData(), b.Spans)
	}
	bl.outcome(b, hooks.SetAside, a.errText())
	bl.done(b)
}

// warnDown says once, until the destination takes data again, that it
// does not, and what to check: the credentials when it refused them, the
// URL (which it names) when nothing takes traces there.
func (bl *Backlog) warnDown(a attempt) {
	if a.outcome == abandoned || a.err == nil || !bl.warnedDown.CompareAndSwap(false, true) {
		return
	}
	endpoint := redact.URL(bl.cfg.Target.URL)
	switch a.status {
	case http.StatusUnauthorized, http.StatusForbidden:
		bl.log.Warn(fmt.Sprintf("genaitrace: destination refused the request (HTTP %d); check %s; %s are kept and sent once it accepts them",
			a.status, cmp.Or(bl.cfg.Credentials, "its credentials"), bl.cfg.Items), "endpoint", endpoint, "status", a.status, "error", a.err)
	case http.StatusNotFound:
		bl.log.Warn("genaitrace: nothing takes "+bl.what()+" at "+endpoint+" (HTTP 404); check "+cmp.Or(bl.cfg.EndpointFrom, "its URL")+"; "+bl.cfg.Items+" are kept and sent once it accepts them",
			"endpoint", endpoint, "status", a.status, "error", a.err)
	default:
		bl.log.Warn("genaitrace: destination unavailable; "+bl.cfg.Items+" are kept and sent when it recovers",
			"endpoint", endpoint, "error", a.err, "check", cmp.Or(bl.cfg.EndpointFrom, "its URL"))
	}
}

// what names what the destination takes at its URL, for the 404 message.
func (bl *Backlog) what() string {
	if bl.cfg.Items == "spans" {
		return "traces"
	}
	return bl.cfg.Items
}

// done settles a batch the destination took, or rejected for good.
func (bl *Backlog) done(b *Batch) {
	if b.record != nil {
		bl.spool.Ack(*b.record)
	}
	bl.release(b)
}

// keep holds a batch that cannot be delivered now: back to the spool it
// came from or onto it; without a spool, back to the head of the memory
// queue unless draining (then it is dropped, as nothing would send it).
func (bl *Backlog) keep(b *Batch) {
	if b.replay && bl.draining.Load() {
		bl.drainReplayDone.Store(true)
	}
	switch {
	case bl.spool != nil:
		bl.leaveMemory(b)
	case bl.draining.Load():
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

// hold marks b as held in memory. A batch is held from the moment it is
// handed over until it is delivered, written to disk or dropped.
func (bl *Backlog) hold(b *Batch) {
	if !b.live {
		b.live = true
		bl.inMemory.Add(1)
	}
}

// release ends b's hold on memory.
func (bl *Backlog) release(b *Batch) {
	if b.live {
		b.live = false
		bl.inMemory.Add(-1)
	}
}

// writeThrough puts a batch on disk and keeps it in memory too. If the
// disk fails, the batch stays in memory only rather than being lost.
func (bl *Backlog) writeThrough(b *Batch) {
	rec, err := bl.spool.Append(b.diskData(), b.Spans, spool.AppendHeld)
	if err != nil {
		bl.spoolFailed(err, b.Spans, "genaitrace: cannot write a batch to the spool; it is kept in memory only")
		return
	}
	b.record = &rec
	bl.c.Spooled.Add(int64(b.Spans))
}

// leaveMemory moves a batch out of memory: to the spool (where a durable
// or replayed batch already is), or, without a spool, nowhere.
func (bl *Backlog) leaveMemory(b *Batch) {
	switch {
	case b.record != nil:
		// The record on disk still holds any span taken out as stored:
		// asked about again when it is read back.
		b.record.Copies = b.copies()
		b.record.SentAt, b.stored = b.uncertainAt, 0
		bl.spool.Nack(*b.record) // a record dropped past the cap is counted by the spool
		bl.outcome(b, hooks.Spooled, "")
		bl.release(b)
	case bl.spool != nil:
		bl.toDisk(b)
	default:
		bl.drop(b, DropNoSpool)
	}
}

func (bl *Backlog) toDisk(b *Batch) {
	defer bl.release(b)
	bl.bookStored(b)
	_, err := bl.spool.Append(b.diskData(), b.Spans, spool.AppendMaybeSent(b.copies()))
	if errors.Is(err, spool.ErrRecordTooLarge) {
		bl.toDiskInHalves(b)
		return
	}
	if err != nil {
		bl.c.Drop(DropSpoolError, b.Spans)
		bl.spoolFailed(err, b.Spans, "genaitrace: cannot spool "+bl.cfg.Items+"; they are dropped")
		bl.outcome(b, hooks.Dropped, DropSpoolError)
		return
	}
	bl.c.Spooled.Add(int64(b.Spans))
	bl.outcome(b, hooks.Spooled, "")
}

// toDiskInHalves spools a batch larger than the whole spool in halves,
// recursively: an uncompressed batch, or one of long prompts, can be. A
// single item (or a JSON document) larger than the spool is dropped,
// counted as spool_full.
func (bl *Backlog) toDiskInHalves(b *Batch) {
	var halves []*Batch
	err := errors.New("one item")
	if b.Spans > 1 && !bl.cfg.Target.JSON {
		halves, err = b.halves()
	}
	if err != nil {
		bl.log.Warn("genaitrace: a record larger than the whole spool is dropped (raise TELEMETRY_SPOOL_MAX_BYTES)", bl.cfg.Items, b.Spans, "bytes", len(b.Data))
		bl.c.Drop(DropSpoolFull, b.Spans)
		bl.outcome(b, hooks.Dropped, DropSpoolFull)
		return
	}
	for _, h := range halves {
		bl.toDisk(h)
	}
}

func (bl *Backlog) spoolFailed(err error, n int, msg string) {
	bl.c.SetError(err.Error())
	bl.log.Warn(msg, bl.cfg.Items, n, "error", err)
}

func (bl *Backlog) drop(b *Batch, reason string) {
	bl.bookStored(b)
	bl.c.Drop(reason, b.Spans)
	bl.outcome(b, hooks.Dropped, reason)
	bl.release(b)
}

// spill moves the memory queue to disk: memory is for traffic that can
// leave soon.
func (bl *Backlog) spill() {
	if bl.spool == nil {
		return
	}
	for b := bl.queue.Pop(); b != nil; b = bl.queue.Pop() {
		bl.leaveMemory(b)
	}
}

// next picks the next batch to send: live traffic and spool replay
// alternate, so a backlog never starves new spans and new spans never stall
// the replay. During shutdown, once what is in memory is sent, what this
// process spooled itself is replayed while the destination takes it and
// the deadline allows (a burst that outran the senders, a batch job that
// ends: its spans leave with it); what it adopted stays for the next
// process, and so does everything once the destination fails.
func (bl *Backlog) next() *Batch {
	draining := bl.draining.Load()
	replay := bl.spool != nil && !draining
	if replay && bl.turn.Add(1)%2 == 0 {
		if b := bl.replayNext(bl.spool.Next); b != nil {
			return b
		}
	}
	if b := bl.queue.Pop(); b != nil {
		return b
	}
	switch {
	case replay:
		return bl.replayNext(bl.spool.Next)
	case draining && bl.spool != nil && !bl.drainReplayDone.Load():
		return bl.replayOwnOnShutdown()
	}
	return nil
}

// replayOwnOnShutdown returns the oldest record this process spooled, to
// send during shutdown, or nil, ending the shutdown's replay: at a record
// that may have reached the destination already (it is asked about before
// it is sent again, which is the next process's work: the deadline is for
// sending), and once a replayed batch could not be sent (keep sets
// drainReplayDone), so that no record is tried twice.
func (bl *Backlog) replayOwnOnShutdown() *Batch {
	r, ok := bl.spool.NextOwn()
	if !ok {
		return nil
	}
	if r.Copies > 0 {
		bl.spool.Nack(r)
		bl.drainReplayDone.Store(true)
		return nil
	}
	return bl.replayNext(func() (spool.Record, bool) { return r, true })
}

func (bl *Backlog) replayNext(next func() (spool.Record, bool)) *Batch {
	r, ok := next()
	if !ok {
		return nil
	}
	b := &Batch{Data: r.Data, Spans: r.Spans, Created: r.Time, record: &r, replay: true, uncertain: r.Copies, uncertainAt: r.SentAt}
	if bl.cfg.Uncompressed || bl.cfg.Target.JSON {
		if raw, err := otlp.Gunzip(r.Data); err == nil {
			b.Data, b.Plain = raw, true
		} // else sent as it was stored, gzip'd: what a receiver decodes
	}
	return b
}

// Flush waits until every batch handed over has left memory: sent or, when
// the destination cannot take it now, safely spooled; or until ctx ends.
// Spooled data is replayed in the background, not waited for.
func (bl *Backlog) Flush(ctx context.Context) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for bl.inMemory.Load() > 0 {
		bl.Kick()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// Shutdown sends what is in memory until shortly before ctx's deadline,
// spools the rest, and returns by the deadline, leaving no goroutine or
// idle connection behind. No Add may follow it.
//
// Only the first call shuts down; a later one waits for it to finish (a
// Manager's Shutdown and a deferred one in the same program are common).
func (bl *Backlog) Shutdown(ctx context.Context) { bl.shutdownOnce.Do(func() { bl.shutdown(ctx) }) }

func (bl *Backlog) shutdown(ctx context.Context) {
	close(bl.stopAdopt) // adopting a large spool may take a while: waited for below, by the deadline
	bl.draining.Store(true)
	close(bl.drain)
	bl.Kick()
	stop := bl.cancelSend
	if deadline, ok := ctx.Deadline(); ok {
		margin := min(250*time.Millisecond, time.Until(deadline)/10)
		bl.send.cutoff.Store(deadline.Add(-margin).UnixNano())
		t := time.AfterFunc(time.Until(deadline)-margin, stop)
		defer t.Stop()
	}
	finished := make(chan struct{})
	go func() { bl.workers.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-ctx.Done():
		stop()
		<-finished // senders return promptly once their context is cancelled
	}
	stop()
	select {
	case <-bl.adoptDone:
	case <-ctx.Done():
	}
	for b := bl.queue.Pop(); b != nil; b = bl.queue.Pop() {
		bl.keep(b)
	}
	if bl.spool != nil {
		_ = bl.spool.Close()
	}
	if c := bl.cfg.Target.Client; c != nil {
		c.CloseIdleConnections()
	}
}

// Queue reports the bytes and batches waiting in memory.
func (bl *Backlog) Queue() (bytes int64, batches int) { return bl.queue.Bytes(), bl.queue.Len() }

// PausedUntil is when the destination's Retry-After pause ends, zero when
// none is in force.
func (bl *Backlog) PausedUntil() time.Time {
	if end := bl.pause.end(); end.After(time.Now()) {
		return end
	}
	return time.Time{}
}

// Spool returns the spool, nil when the destination has none.
func (bl *Backlog) Spool() *spool.Set { return bl.spool }

// ReplaySetAside sends the spooled batches that were set aside because
// they were encoded for another endpoint or other credentials to this
// destination after all, and returns their spans.
func (bl *Backlog) ReplaySetAside() int64 {
	if bl.spool == nil {
		return 0
	}
	n := bl.spool.ReplaySetAside()
	bl.Kick()
	return n
}

// DiscardSetAside deletes the set-aside batches, counting their spans as
// dropped (discarded), and returns them.
func (bl *Backlog) DiscardSetAside() int64 {
	if bl.spool == nil {
		return 0
	}
	return bl.spool.DiscardSetAside()
}

// UseBudget counts the memory queue in b too, the pipeline's memory
// budget. It must be called before the first Add.
func (bl *Backlog) UseBudget(b Budget) { bl.queue.budget = b }
