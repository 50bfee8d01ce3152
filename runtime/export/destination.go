package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/genaitrace/genaitrace/runtime/breaker"
)

// RetryPolicy bounds the retries of one batch before it is spooled.
type RetryPolicy struct {
	// MaxAttempts per batch, the first included (default 3).
	MaxAttempts int
	// Initial and Max bound the jittered exponential backoff between
	// attempts (defaults 250 ms and 5 s).
	Initial, Max time.Duration
	// MaxRetryAfter is the longest Retry-After waited for in place; a longer
	// one spools the batch and postpones the breaker's probe (default 30 s).
	MaxRetryAfter time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 3
	}
	if p.Initial <= 0 {
		p.Initial = 250 * time.Millisecond
	}
	if p.Max < p.Initial {
		p.Max = max(5*time.Second, p.Initial)
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 30 * time.Second
	}
	return p
}

// backoff is the wait before attempt n+1: full jitter over an exponential.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.Initial << min(n-1, 20)
	if d > p.Max || d <= 0 {
		d = p.Max
	}
	return d/2 + rand.N(d/2+1)
}

// DestinationConfig configures one OTLP destination.
type DestinationConfig struct {
	Name       string
	Endpoint   Endpoint
	Translator Translator
	Breaker    *breaker.Breaker
	// Spool holds what cannot be sent now; nil keeps data in memory only,
	// and what does not fit is dropped (counted as no_spool).
	Spool *Spool
	// Rejected receives batches the destination rejected as bad (4xx), so
	// they can be inspected; they are never replayed. May be nil.
	Rejected *Spool
	// QueueMaxBytes bounds the in-memory queue of encoded batches (default
	// 32 MiB).
	QueueMaxBytes int64
	// MaxInFlight is the number of concurrent exports when there is a
	// backlog (default 4).
	MaxInFlight int
	// InboxBatches bounds the batches waiting for this destination's
	// encoder (default 256).
	InboxBatches int
	Retry        RetryPolicy
	// PollInterval is how often idle senders look for spooled work and due
	// probes (default 1 s).
	PollInterval time.Duration
	Logger       *slog.Logger
}

// Destination delivers spans to one OTLP/HTTP endpoint. Create it with
// NewDestination; it implements Consumer.
type Destination struct {
	cfg   DestinationConfig
	log   *slog.Logger
	queue *Queue
	c     counters

	inboxMu  sync.RWMutex // guards closing inbox against Consume
	closed   bool
	inbox    chan []*Span
	encoding atomic.Int64 // batches handed over and not yet queued or spooled
	wake     chan struct{}

	sendCtx    context.Context // cancelled when shutdown runs out of time
	cancelSend context.CancelFunc
	draining   atomic.Bool
	encoderWG  sync.WaitGroup
	workerWG   sync.WaitGroup
	turn       atomic.Uint64
	warnedDown atomic.Bool
}

// NewDestination starts a destination's goroutines.
func NewDestination(cfg DestinationConfig) *Destination {
	if cfg.QueueMaxBytes <= 0 {
		cfg.QueueMaxBytes = 32 << 20
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 4
	}
	if cfg.InboxBatches <= 0 {
		cfg.InboxBatches = 256
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
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
		queue: NewQueue(cfg.QueueMaxBytes),
		inbox: make(chan []*Span, cfg.InboxBatches),
		wake:  make(chan struct{}, cfg.MaxInFlight),
	}
	d.sendCtx, d.cancelSend = context.WithCancel(context.Background())
	d.encoderWG.Add(1)
	go d.encodeLoop()
	for range cfg.MaxInFlight {
		d.workerWG.Add(1)
		go d.sendLoop()
	}
	return d
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

// Consume hands a batch to the destination without blocking. The spans are
// shared with other destinations and must not be modified.
func (d *Destination) Consume(spans []*Span) {
	d.inboxMu.RLock()
	defer d.inboxMu.RUnlock()
	if d.closed {
		d.c.accepted.Add(int64(len(spans)))
		d.c.drop(DropInboxFull, len(spans))
		return
	}
	d.encoding.Add(1)
	select {
	case d.inbox <- spans:
		d.c.accepted.Add(int64(len(spans)))
	default:
		d.encoding.Add(-1)
		d.c.accepted.Add(int64(len(spans)))
		d.c.drop(DropInboxFull, len(spans))
	}
}

func (d *Destination) encodeLoop() {
	defer d.encoderWG.Done()
	enc := NewEncoder(d.cfg.Translator)
	var z compressor
	for spans := range d.inbox {
		b := &Batch{Data: z.compress(enc.Encode(spans)), Spans: len(spans), Created: time.Now()}
		if d.cfg.Spool != nil && d.cfg.Breaker.State() == breaker.Open {
			d.park(b) // keep memory free while the destination is down
		} else if !d.queue.TryPush(b) {
			d.park(b)
		}
		d.encoding.Add(-1)
	}
}

func (d *Destination) sendLoop() {
	defer d.workerWG.Done()
	for {
		b := d.take()
		if b == nil {
			if d.draining.Load() {
				return
			}
			d.idle(d.cfg.PollInterval)
			continue
		}
		done, err := d.cfg.Breaker.Allow()
		if err != nil {
			if d.cfg.Spool == nil && !d.draining.Load() {
				d.queue.PushFront(b) // memory only: keep it first in line
			} else {
				d.park(b)
			}
			d.spillQueue()
			if d.draining.Load() {
				return
			}
			d.idle(d.untilProbe())
			continue
		}
		res, retryAfter := d.deliver(b)
		done(res)
		if retryAfter > 0 {
			d.cfg.Breaker.PostponeProbe(time.Now().Add(retryAfter))
		}
	}
}

// take picks the next batch: live traffic and spool replay alternate, so a
// backlog never starves new spans and new spans never stall the replay.
// Spooled data is replayed only while the breaker is not open, and not
// during shutdown.
func (d *Destination) take() *Batch {
	replay := d.cfg.Spool != nil && !d.draining.Load() && d.cfg.Breaker.State() != breaker.Open
	if replay && d.turn.Add(1)%2 == 0 {
		if b := d.replayNext(); b != nil {
			return b
		}
	}
	if b := d.queue.Pop(); b != nil {
		return b
	}
	if replay {
		return d.replayNext()
	}
	return nil
}

func (d *Destination) replayNext() *Batch {
	r, ok := d.cfg.Spool.Next()
	if !ok {
		return nil
	}
	return &Batch{Data: r.Data, Spans: r.Spans, Created: r.Time, record: &r}
}

func (d *Destination) idle(wait time.Duration) {
	wait = min(max(wait, time.Millisecond), d.cfg.PollInterval)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-d.queue.Ready():
	case <-d.wake:
	case <-t.C:
	case <-d.sendCtx.Done():
	}
}

func (d *Destination) untilProbe() time.Duration {
	next := d.cfg.Breaker.Status().NextProbe
	if next.IsZero() {
		return d.cfg.PollInterval
	}
	return time.Until(next)
}

// spillQueue moves the in-memory queue to the spool while the breaker is
// open: memory is for traffic that can leave soon.
func (d *Destination) spillQueue() {
	if d.cfg.Spool == nil {
		return
	}
	for b := d.queue.Pop(); b != nil; b = d.queue.Pop() {
		d.park(b)
	}
}

// deliver sends one batch, retrying transient failures in place. It returns
// the outcome for the breaker and a Retry-After to honour.
func (d *Destination) deliver(b *Batch) (breaker.Result, time.Duration) {
	d.c.inFlight.Add(1)
	defer d.c.inFlight.Add(-1)
	for try := 1; ; try++ {
		d.c.requests.Add(1)
		a := d.cfg.Endpoint.post(d.sendCtx, b.Data)
		switch a.outcome {
		case sent:
			d.sent(b)
			return breaker.Success, 0
		case tooLarge:
			d.split(b, a)
			return breaker.Success, 0
		case rejected:
			d.setAside(b, a)
			return breaker.Success, 0
		case abandoned:
			d.park(b)
			return breaker.Ignore, 0
		case retryable:
			if try < d.cfg.Retry.MaxAttempts && a.retryAfter <= d.cfg.Retry.MaxRetryAfter {
				wait := max(a.retryAfter, d.cfg.Retry.backoff(try))
				if d.sleep(wait) {
					d.c.retried.Add(1)
					continue
				}
			}
		}
		d.failed(b, a)
		return breaker.Failure, a.retryAfter
	}
}

func (d *Destination) sleep(wait time.Duration) bool {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-d.sendCtx.Done():
		return false
	}
}

func (d *Destination) sent(b *Batch) {
	d.c.exported.Add(int64(b.Spans))
	d.c.sentBytes.Add(int64(len(b.Data)))
	d.c.lastSuccess.Store(time.Now().UnixNano())
	if b.record != nil {
		d.c.replayed.Add(int64(b.Spans))
		d.cfg.Spool.Ack(*b.record)
	}
	if d.warnedDown.CompareAndSwap(true, false) {
		d.log.Info("genaitrace: destination reachable again; replaying spooled spans")
	}
}

func (d *Destination) failed(b *Batch, a attempt) {
	d.c.failures.Add(1)
	if a.err != nil {
		d.c.setError(a.err.Error())
	}
	if d.warnedDown.CompareAndSwap(false, true) {
		d.log.Warn("genaitrace: destination unavailable; spans are kept and sent when it recovers",
			"endpoint", d.cfg.Endpoint.URL, "error", a.err)
	}
	d.park(b)
}

// park keeps an undeliverable batch for later: back to the spool it came
// from, or appended to it.
func (d *Destination) park(b *Batch) {
	if b.record != nil {
		d.cfg.Spool.Nack(*b.record) // a record dropped past the cap is counted by the spool
		return
	}
	if d.cfg.Spool == nil {
		// Memory only: wait in the queue while the budget allows.
		if d.draining.Load() || !d.queue.TryPush(b) {
			d.c.drop(DropNoSpool, b.Spans)
		}
		return
	}
	if err := d.cfg.Spool.Append(b.Data, b.Spans); err != nil {
		d.c.drop(DropSpoolError, b.Spans)
		d.c.setError(err.Error())
		d.log.Warn("genaitrace: cannot spool spans; they are dropped", "spans", b.Spans, "error", err)
		return
	}
	d.c.spooled.Add(int64(b.Spans))
}

// split answers a 413: the batch is sent in halves, recursively; a single
// span the destination still finds too large is set aside.
func (d *Destination) split(b *Batch, a attempt) {
	raw, err := gunzip(b.Data)
	var left, right []byte
	if err == nil {
		left, right, err = SplitRequest(raw)
	}
	if err != nil {
		d.setAside(b, a)
		return
	}
	for _, half := range [][]byte{left, right} {
		n, _ := CountSpans(half)
		// deliver parks a half it cannot send, so nothing is lost here.
		d.deliver(&Batch{Data: gzipBytes(half), Spans: n, Created: b.Created})
	}
	if b.record != nil {
		d.cfg.Spool.Ack(*b.record) // its spans now live in the halves
	}
}

func (d *Destination) setAside(b *Batch, a attempt) {
	d.c.setAside.Add(int64(b.Spans))
	d.c.drop(DropRejected, b.Spans)
	if a.err != nil {
		d.c.setError(a.err.Error())
	}
	d.log.Warn("genaitrace: destination rejected a batch; it is set aside, not retried",
		"spans", b.Spans, "error", a.err)
	if d.cfg.Rejected != nil {
		_ = d.cfg.Rejected.Append(b.Data, b.Spans)
	}
	if b.record != nil {
		d.cfg.Spool.Ack(*b.record)
	}
}

// Flush waits until every batch handed over has been sent or, when the
// destination cannot take it now, safely spooled; or until ctx ends.
// Spooled data is replayed in the background, not waited for.
func (d *Destination) Flush(ctx context.Context) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if d.encoding.Load() == 0 && d.queue.Len() == 0 && d.c.inFlight.Load() == 0 {
			return nil
		}
		d.Kick()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Shutdown sends what it can until shortly before ctx's deadline, spools
// the rest, and returns by the deadline. No Consume may follow it.
func (d *Destination) Shutdown(ctx context.Context) error {
	d.inboxMu.Lock()
	if !d.closed {
		d.closed = true
		close(d.inbox)
	}
	d.inboxMu.Unlock()
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
	for b := d.queue.Pop(); b != nil; b = d.queue.Pop() {
		d.park(b) // draining: spooled, or counted as dropped without a spool
	}
	if d.cfg.Spool != nil {
		_ = d.cfg.Spool.Close()
	}
	if d.cfg.Rejected != nil {
		_ = d.cfg.Rejected.Close()
	}
	return nil
}

// Stats returns a snapshot of the destination's counters.
func (d *Destination) Stats() DestinationStats {
	st := DestinationStats{Name: d.cfg.Name, Endpoint: d.cfg.Endpoint.URL}
	d.c.snapshot(&st)
	st.QueueBytes = d.queue.Bytes()
	st.QueueBatches = d.queue.Len()
	if d.cfg.Spool != nil {
		ss := d.cfg.Spool.Stats()
		st.Spool = &ss
		if ss.DroppedSpans > 0 {
			st.Dropped[DropSpoolFull] += ss.DroppedSpans
		}
	}
	st.Breaker = d.cfg.Breaker.Status()
	return st
}

// Endpoint returns where the destination sends.
func (d *Destination) Endpoint() Endpoint { return d.cfg.Endpoint }

// Translator returns the destination's translator.
func (d *Destination) Translator() Translator { return d.cfg.Translator }

// Breaker returns the destination's circuit breaker.
func (d *Destination) Breaker() *breaker.Breaker { return d.cfg.Breaker }

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func gzipBytes(b []byte) []byte {
	var z compressor
	return z.compress(b)
}

// compressor gzips at BestSpeed, reusing its writer and buffer: encoding,
// not the network, is the background's bottleneck.
type compressor struct {
	buf bytes.Buffer
	zw  *gzip.Writer
}

// compress returns a gzip copy of b that does not alias the compressor.
func (z *compressor) compress(b []byte) []byte {
	z.buf.Reset()
	if z.zw == nil {
		z.zw, _ = gzip.NewWriterLevel(&z.buf, gzip.BestSpeed)
	} else {
		z.zw.Reset(&z.buf)
	}
	_, _ = z.zw.Write(b)
	_ = z.zw.Close()
	return bytes.Clone(z.buf.Bytes())
}
