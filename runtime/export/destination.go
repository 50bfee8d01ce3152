package export

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
)

// DestinationConfig configures one OTLP destination.
type DestinationConfig struct {
	Name       string
	Endpoint   Endpoint
	Translator Translator
	// Mask, when set, rewrites every prompt and completion of the
	// translation, and the attributes of MaskKeys, before they are encoded.
	// It must be safe for concurrent use.
	Mask     func(key attribute.Key, value string) string
	MaskKeys []attribute.Key
	Breaker  *breaker.Breaker
	// SpoolDir is the destination's directory on disk, for what cannot be
	// sent now (see spoolSet for its layout). Empty keeps data in memory
	// only, and what does not fit is dropped (counted as no_spool).
	SpoolDir string
	// SpoolMaxBytes caps the spool on disk; SpoolSync fsyncs every append.
	SpoolMaxBytes int64
	SpoolSync     bool
	// OnDelivered, when set, is told of one trace of every batch delivered
	// (its ID and a span's start time), for a check that delivered traces
	// appear at the destination. It must not block.
	OnDelivered func(trace.TraceID, time.Time)
	// OnlyGenAITraces keeps the traces that contain no GenAI span from the
	// destination and sends the others whole (see gate).
	OnlyGenAITraces bool
	// Credentials names where the credentials come from (for example
	// "LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY"), for the message when
	// the destination refuses them.
	Credentials string
	// Durable writes every batch to the spool before it is sent, so that a
	// process killed at any moment loses only what was not yet encoded.
	Durable bool
	// QueueMaxBytes bounds the in-memory queue of encoded batches (default
	// 32 MiB).
	QueueMaxBytes int64
	// MaxInFlight is the number of concurrent exports when there is a
	// backlog (default 4).
	MaxInFlight int
	// InboxBatches bounds the batches waiting for this destination's
	// encoder (default 2): while it is busy, spans wait in the pipeline,
	// where they can be shed by value.
	InboxBatches int
	Retry        RetryPolicy
	// PollInterval is how often idle senders look for spooled work and due
	// probes (default 1 s).
	PollInterval time.Duration
	Logger       *slog.Logger
}

// Destination delivers spans to one OTLP/HTTP endpoint. Create it with
// NewDestination; it implements Consumer.
//
// It is a short chain of stages, each in its own file: an encoder
// (translate, encode, compress), a backlog (memory queue in front of the
// disk spool), senders (breaker, pause and retries around one HTTP
// attempt). This file wires them and owns the lifecycle: Flush, Shutdown.
type Destination struct {
	cfg     DestinationConfig
	log     *slog.Logger
	c       counters
	backlog backlog
	send    sender
	pause   pause

	inboxMu sync.RWMutex // guards closing inbox against Consume
	closed  bool
	inbox   chan []*Span
	wake    chan struct{}

	sendCtx    context.Context // cancelled when shutdown runs out of time
	cancelSend context.CancelFunc
	draining   atomic.Bool
	encoderWG  sync.WaitGroup
	workerWG   sync.WaitGroup
	warnedDown atomic.Bool
	stopAdopt  chan struct{}
	adoptDone  chan struct{}
	// stalled is set while the encoder has not taken a batch for
	// encoderStallTimeout: batches for it are then given up at once.
	stalled atomic.Bool
	// gate, when set, lets only traces with GenAI work through.
	gate     *gate
	gateDone chan struct{}
}

// NewDestination starts a destination's goroutines. It fails only if the
// spool directory cannot be created; it reads nothing an earlier process
// left there: that is adopted in the background.
func NewDestination(cfg DestinationConfig) (*Destination, error) {
	if cfg.QueueMaxBytes <= 0 {
		cfg.QueueMaxBytes = DefaultMemoryMaxBytes / 4
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.InboxBatches <= 0 {
		cfg.InboxBatches = 2
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Translator == nil {
		cfg.Translator = Passthrough{}
	}
	cfg.Retry = cfg.Retry.withDefaults()
	d := &Destination{
		cfg:   cfg,
		log:   cfg.Logger.With("destination", cfg.Name),
		inbox: make(chan []*Span, cfg.InboxBatches),
		wake:  make(chan struct{}, cfg.MaxInFlight),
	}
	d.backlog = backlog{queue: newBatchQueue(cfg.QueueMaxBytes), c: &d.c, log: d.log}
	if cfg.SpoolDir != "" {
		opts := spool.Options{MaxBytes: cfg.SpoolMaxBytes, Sync: cfg.SpoolSync, Identity: cfg.Endpoint.identity(cfg.Name), Logger: d.log}
		set, err := spool.Open(cfg.SpoolDir, opts)
		if err != nil {
			return nil, err
		}
		d.backlog.spool, d.backlog.durable = set, cfg.Durable
	}
	d.send = sender{ep: &d.cfg.Endpoint, retry: cfg.Retry, breaker: cfg.Breaker, pause: &d.pause, c: &d.c}
	d.sendCtx, d.cancelSend = context.WithCancel(context.Background())
	d.encoderWG.Add(1)
	go d.encodeLoop()
	for range cfg.MaxInFlight {
		d.workerWG.Add(1)
		go d.sendLoop()
	}
	d.stopAdopt, d.adoptDone = make(chan struct{}), make(chan struct{})
	go d.adoptLoop()
	if cfg.OnlyGenAITraces {
		d.gate = newGate(defaultGateMaxBytes)
		d.gateDone = make(chan struct{})
		go d.gateLoop()
	}
	return d, nil
}

// defaultGateMaxBytes bounds the spans waiting for their trace to be
// decided, unless the memory budget's share is smaller.
const defaultGateMaxBytes = 8 << 20

// gateLoop lets through, once a second, the traces that waited too long
// for a decision, even when no batch comes to do it.
func (d *Destination) gateLoop() {
	defer close(d.gateDone)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-d.stopAdopt:
			return
		case <-t.C:
			if freed := d.gate.admit(nil).freed; len(freed) > 0 {
				d.enqueue(freed)
			}
		}
	}
}

// adoptLoop adopts, now and every few poll intervals, the spool
// directories that processes now gone left behind: at start, those of the
// processes before; later, those of a process replaced by a rolling deploy
// after this one started.
func (d *Destination) adoptLoop() {
	defer close(d.adoptDone)
	if d.backlog.spool == nil {
		return
	}
	// The first look waits a poll interval: an application starting up has
	// better use for its CPU than reading back an earlier process's spool.
	wait := time.NewTimer(d.cfg.PollInterval)
	defer wait.Stop()
	for {
		select {
		case <-wait.C:
		case <-d.stopAdopt:
			return
		}
		if d.backlog.spool.Adopt() > 0 {
			d.Kick()
		}
		wait.Reset(5 * d.cfg.PollInterval)
	}
}

// Name returns the destination's name.
func (d *Destination) Name() string { return d.cfg.Name }

// Kick wakes the senders, e.g. after the breaker closed or was reset, so
// spooled data is replayed without waiting for the next poll.
func (d *Destination) Kick() {
	for range d.cfg.MaxInFlight {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

// Consume hands a batch to the destination's encoder, waiting while it is
// busy with earlier ones (CPU, never the network: the encoder hands its
// output to the backlog without waiting). The spans are shared with other
// destinations and must not be modified; the destination releases them
// (Release) once encoded.
func (d *Destination) Consume(spans []*Span) {
	d.c.accepted.Add(int64(len(spans)))
	if d.gate == nil {
		d.enqueue(spans)
		return
	}
	a := d.gate.admit(spans)
	d.c.filtered.Add(int64(a.filtered))
	if len(a.freed) > 0 {
		d.enqueue(a.freed)
	}
	if len(a.pass) == 0 {
		releaseBatch(spans) // this destination's hold on the batch
		return
	}
	d.enqueue(a.pass)
}

// enqueue hands spans to the encoder; the encoder releases their batch.
func (d *Destination) enqueue(spans []*Span) {
	d.inboxMu.RLock()
	defer d.inboxMu.RUnlock()
	if d.closed {
		d.c.drop(DropAfterShutdown, len(spans))
		releaseBatch(spans)
		return
	}
	d.backlog.inMemory.Add(1)
	select {
	case d.inbox <- spans:
		return
	default:
	}
	// The encoder is busy: wait, so that the backlog stays in the pipeline
	// where it is shed by value. An encoder stuck for long (a spool on a
	// hung disk) must not hold up the other destinations: then this
	// destination alone loses batches, counted, without waiting again
	// until its encoder takes one.
	var timeout <-chan time.Time
	if !d.stalled.Load() {
		t := time.NewTimer(encoderStallTimeout)
		defer t.Stop()
		timeout = t.C
	} else {
		timeout = closedTime
	}
	select {
	case d.inbox <- spans:
	case <-timeout:
		d.stalled.Store(true)
		d.backlog.inMemory.Add(-1)
		d.c.drop(DropEncoderStalled, len(spans))
		releaseBatch(spans)
	}
}

// closedTime is a timeout that has already happened.
var closedTime = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

// encoderStallTimeout is how long the pipeline waits for a destination's
// encoder before that destination gives up a batch.
var encoderStallTimeout = 5 * time.Second

func (d *Destination) holdsSpans() {}

// useBudget counts the destination's memory queue, and the spans its gate
// holds, in the pipeline's memory budget.
func (d *Destination) useBudget(b *memoryBudget) {
	d.backlog.queue.budget = b
	if d.gate != nil {
		d.gate.budget = b
		d.gate.maxBytes = min(d.gate.maxBytes, max(b.max/4, 1))
	}
}

func (d *Destination) encodeLoop() {
	defer d.encoderWG.Done()
	enc := NewEncoder(d.cfg.Translator)
	enc.mask = newMasker(d.cfg.Mask, d.cfg.MaskKeys)
	var z compressor
	for spans := range d.inbox {
		d.stalled.Store(false)
		b := &encodedBatch{Data: z.compress(enc.Encode(spans)), Spans: len(spans), Created: time.Now(), live: true}
		if len(spans) > 0 {
			b.probe, b.probeStart = spans[0].SpanContext().TraceID(), spans[0].StartTime()
		}
		releaseBatch(spans)
		d.backlog.add(b, d.down()) // keep memory free while the destination is down
	}
}

// down reports whether the destination cannot take data for a while: its
// breaker is open, or it asked for a pause longer than a batch would wait
// in place. Memory is for traffic that can leave soon; the rest goes to
// disk.
func (d *Destination) down() bool {
	return d.cfg.Breaker.State() == breaker.Open || d.pause.remaining() > d.cfg.Retry.MaxRetryAfter
}

func (d *Destination) sendLoop() {
	defer d.workerWG.Done()
	for d.sendCtx.Err() == nil {
		if d.down() {
			d.backlog.spill()
		}
		if d.down() || d.pause.remaining() > 0 {
			if d.draining.Load() {
				return
			}
			d.idle(d.untilAvailable())
			continue
		}
		// Spooled data is not replayed during shutdown: it stays for the
		// next process. A replayed batch may be the breaker's probe.
		replay := !d.draining.Load()
		b := d.backlog.next(replay)
		if b == nil {
			if d.draining.Load() {
				return
			}
			d.idle(d.cfg.PollInterval)
			continue
		}
		d.handle(b)
	}
}

// handle sends one batch and settles it according to the verdict.
func (d *Destination) handle(b *encodedBatch) {
	d.c.inFlight.Add(1)
	defer d.c.inFlight.Add(-1)
	v, a := d.send.deliver(d.sendCtx, b)
	switch v {
	case delivered:
		d.delivered(b)
	case halve:
		d.split(b, a)
	case setAside:
		d.setAside(b, a)
	case keep:
		if a.outcome != abandoned && a.err != nil && d.warnedDown.CompareAndSwap(false, true) {
			if a.status == http.StatusUnauthorized || a.status == http.StatusForbidden {
				d.log.Warn("genaitrace: destination refused the credentials; check "+cmp.Or(d.cfg.Credentials, "its credentials")+"; spans are kept and sent once it accepts them",
					"endpoint", displayURL(d.cfg.Endpoint.URL), "status", a.status, "error", a.err)
			} else {
				d.log.Warn("genaitrace: destination unavailable; spans are kept and sent when it recovers",
					"endpoint", displayURL(d.cfg.Endpoint.URL), "error", a.err)
			}
		}
		d.backlog.keep(b, d.draining.Load())
	}
}

func (d *Destination) idle(wait time.Duration) {
	wait = min(max(wait, time.Millisecond), d.cfg.PollInterval)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-d.backlog.queue.Ready():
	case <-d.wake:
	case <-t.C:
	case <-d.sendCtx.Done():
	}
}

// untilAvailable is how long until the breaker's next probe or the end of
// the pause, whichever is later.
func (d *Destination) untilAvailable() time.Duration {
	wait := d.pause.remaining()
	if next := d.cfg.Breaker.Status().NextProbe; !next.IsZero() {
		wait = max(wait, time.Until(next))
	}
	if wait <= 0 {
		return d.cfg.PollInterval
	}
	return wait
}

func (d *Destination) delivered(b *encodedBatch) {
	d.c.exported.Add(int64(b.Spans))
	d.c.sentBytes.Add(int64(len(b.Data)))
	d.c.lastSuccess.Store(time.Now().UnixNano())
	if d.cfg.OnDelivered != nil && b.probe.IsValid() {
		d.cfg.OnDelivered(b.probe, b.probeStart)
	}
	if b.replay {
		d.c.replayed.Add(int64(b.Spans))
	}
	if b.maybeSent {
		d.c.possibleDups.Add(int64(b.Spans))
	}
	d.backlog.done(b)
	if d.warnedDown.CompareAndSwap(true, false) {
		d.log.Info("genaitrace: destination reachable again; replaying spooled spans")
	}
}

// split answers a 413: the batch is sent in halves, recursively; a single
// span the destination still finds too large is set aside.
func (d *Destination) split(b *encodedBatch, a attempt) {
	raw, err := gunzip(b.Data)
	var left, right []byte
	if err == nil {
		left, right, err = splitRequest(raw)
	}
	if err != nil {
		d.setAside(b, a)
		return
	}
	for _, half := range [][]byte{left, right} {
		n, _ := countSpans(half)
		// handle keeps a half it cannot send, so nothing is lost here.
		d.handle(&encodedBatch{Data: gzipBytes(half), Spans: n, Created: b.Created})
	}
	d.backlog.done(b) // its spans now live in the halves
}

func (d *Destination) setAside(b *encodedBatch, a attempt) {
	d.c.setAside.Add(int64(b.Spans))
	d.c.drop(DropRejected, b.Spans)
	d.log.Warn("genaitrace: destination rejected a batch; it is set aside, not retried",
		"spans", b.Spans, "error", a.err)
	if d.backlog.spool != nil {
		d.backlog.spool.SetAside(b.Data, b.Spans)
	}
	d.backlog.done(b)
}

// Flush waits until every batch handed over has left memory: sent or, when
// the destination cannot take it now, safely spooled; or until ctx ends.
// Spooled data is replayed in the background, not waited for.
func (d *Destination) Flush(ctx context.Context) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for d.backlog.inMemory.Load() > 0 {
		d.Kick()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// Shutdown sends what it can until shortly before ctx's deadline, spools
// the rest, and returns by the deadline, leaving no goroutine or idle
// connection behind. No Consume may follow it.
func (d *Destination) Shutdown(ctx context.Context) error {
	if d.gate != nil {
		// Undecided traces are sent, not lost: the process is ending.
		if held := d.gate.drain(); len(held) > 0 {
			d.enqueue(held)
		}
	}
	d.inboxMu.Lock()
	if !d.closed {
		d.closed = true
		close(d.inbox)
		close(d.stopAdopt) // adopting a large spool may take a while: waited for below, by the deadline
	}
	d.inboxMu.Unlock()
	if d.gateDone != nil {
		<-d.gateDone // it stops at once when stopAdopt closes
	}
	d.encoderWG.Wait()
	d.draining.Store(true)
	d.Kick()

	stop := d.cancelSend
	if deadline, ok := ctx.Deadline(); ok {
		margin := min(250*time.Millisecond, time.Until(deadline)/10)
		t := time.AfterFunc(time.Until(deadline)-margin, stop)
		defer t.Stop()
	}
	finished := make(chan struct{})
	go func() { d.workerWG.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-ctx.Done():
		stop()
		<-finished // senders return promptly once their context is cancelled
	}
	stop()
	select {
	case <-d.adoptDone:
	case <-ctx.Done():
	}
	d.backlog.drain()
	if d.backlog.spool != nil {
		_ = d.backlog.spool.Close()
	}
	if d.cfg.Endpoint.Client != nil {
		d.cfg.Endpoint.Client.CloseIdleConnections()
	}
	return nil
}

// Stats returns a snapshot of the destination's counters.
func (d *Destination) Stats() DestinationStats {
	st := DestinationStats{Name: d.cfg.Name, Endpoint: displayURL(d.cfg.Endpoint.URL), PausedUntil: d.pause.end()}
	if st.PausedUntil.Before(time.Now()) {
		st.PausedUntil = time.Time{}
	}
	d.c.snapshot(&st)
	st.QueueBytes = d.backlog.queue.Bytes()
	st.QueueBatches = d.backlog.queue.Len()
	if d.backlog.spool != nil {
		ss := d.backlog.spool.Stats()
		st.Spool = &ss
		st.addDropped(DropSpoolFull, ss.DroppedSpans)
		st.addDropped(DropSpoolDamaged, ss.DamagedSpans)
		st.addDropped(DropDiscarded, ss.DiscardedSpans)
	}
	st.Breaker = d.cfg.Breaker.Status()
	if d.gate != nil {
		st.HeldSpans, st.HeldBytes = d.gate.heldSpans()
	}
	st.Settings = DestinationSettings{QueueMaxBytes: d.cfg.QueueMaxBytes, MaxInFlight: d.cfg.MaxInFlight,
		AttemptTimeout: cmp.Or(d.cfg.Endpoint.AttemptTimeout, DefaultAttemptTimeout), PollInterval: d.cfg.PollInterval,
		Retry: d.cfg.Retry, Durable: d.backlog.durable, Credentials: d.cfg.Credentials}
	if d.backlog.spool != nil {
		st.Settings.SpoolDir, st.Settings.SpoolMaxBytes = d.cfg.SpoolDir, d.backlog.spool.MaxBytes()
	}
	return st
}

// ReplaySetAside sends the spooled batches that were set aside because
// they were encoded for another endpoint or other credentials to this
// destination after all, and returns their spans.
func (d *Destination) ReplaySetAside() int64 {
	if d.backlog.spool == nil {
		return 0
	}
	n := d.backlog.spool.ReplaySetAside()
	d.Kick()
	return n
}

// DiscardSetAside deletes the set-aside batches, counting their spans as
// dropped (discarded), and returns them.
func (d *Destination) DiscardSetAside() int64 {
	if d.backlog.spool == nil {
		return 0
	}
	return d.backlog.spool.DiscardSetAside()
}

// Endpoint returns where the destination sends.
func (d *Destination) Endpoint() Endpoint { return d.cfg.Endpoint }

// Translator returns the destination's translator.
func (d *Destination) Translator() Translator { return d.cfg.Translator }

// Attributes returns the attributes the destination sends for s:
// translated, then masked.
func (d *Destination) Attributes(s *Span) []attribute.KeyValue {
	return translate(d.cfg.Translator, newMasker(d.cfg.Mask, d.cfg.MaskKeys), nil, s)
}

// Breaker returns the destination's circuit breaker.
func (d *Destination) Breaker() *breaker.Breaker { return d.cfg.Breaker }
