package export

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/export/internal/budget"
	"github.com/genaitrace/genaitrace/runtime/export/internal/delivery"
	"github.com/genaitrace/genaitrace/runtime/export/internal/mask"
	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
	"github.com/genaitrace/genaitrace/runtime/export/internal/pressure"
	"github.com/genaitrace/genaitrace/runtime/export/internal/scoring"
	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
	"github.com/genaitrace/genaitrace/runtime/internal/hooks"
	"github.com/genaitrace/genaitrace/runtime/internal/redact"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// Destination delivers spans to one OTLP/HTTP endpoint, a Consumer: an
// encoder goroutine (translate, encode, compress) in front of a backlog
// (memory queue, spool, senders) that settles every batch.
type Destination struct {
	cfg DestinationConfig
	log *slog.Logger
	c   delivery.Counters
	// delivery is what backlog was made with.
	delivery delivery.Config
	backlog  *delivery.Backlog
	mask     *mask.Masker
	// scores is nil when the destination takes none.
	scores *scoring.Channel

	inboxMu sync.RWMutex // guards closing inbox against Consume
	closed  bool
	inbox   chan []*Span
	encoder sync.WaitGroup
	// stalled is set while the encoder has not taken a batch for
	// encoderStallTimeout: batches for it are then given up at once.
	stalled atomic.Bool
	// onRoom is called each time the encoder takes a batch (whenRoom);
	// the encoder gives way to the pipeline's batcher under pressure.
	onRoom   atomic.Pointer[func()]
	pressure atomic.Pointer[pressure.Pressure]
}

// inboxBatches bounds the batches waiting for a destination's encoder:
// while it is busy, spans wait in the pipeline, where they can be shed by
// value.
const inboxBatches = 2

// NewDestination starts a destination. It fails only if the spool
// directory cannot be created; what an earlier process left there is
// adopted in the background.
func NewDestination(cfg DestinationConfig) (*Destination, error) {
	d := &Destination{cfg: cfg, log: cfg.Logger.With("destination", cfg.Name), inbox: make(chan []*Span, inboxBatches),
		mask: mask.New(cfg.Mask, cfg.MaskKeys)}
	var set *spool.Set
	st := cfg.Settings
	if st.SpoolDir != "" {
		var err error
		set, err = spool.Open(st.SpoolDir, spool.Options{MaxBytes: st.SpoolMaxBytes, Sync: cfg.SpoolSync, Identity: cfg.Identity, Logger: d.log})
		if err != nil {
			return nil, err
		}
	}
	d.delivery = delivery.Config{
		Target:  delivery.Target{URL: cfg.URL, Client: cfg.Client, AttemptTimeout: st.AttemptTimeout, UserAgent: cfg.UserAgent},
		Breaker: cfg.Breaker, Retry: st.Retry, MaxInFlight: st.MaxInFlight, PollInterval: st.PollInterval,
		QueueMaxBytes: st.QueueMaxBytes, Spool: set, Durable: st.Durable && set != nil, Uncompressed: cfg.Compression == NoCompression,
		Credentials: st.Credentials, EndpointFrom: st.EndpointFrom, OnDelivered: cfg.OnDelivered, OnOutcome: cfg.OnOutcome,
		StoredCheck: cfg.StoredCheck, Logger: d.log,
	}
	d.backlog = delivery.New(d.delivery, &d.c)
	if cfg.Scores.Format != scores.NoFormat {
		d.scores = newScoreChannel(d)
	}
	d.encoder.Add(1)
	go d.encodeLoop()
	return d, nil
}

// Name returns the destination's name.
func (d *Destination) Name() string { return d.cfg.Name }

// Kick wakes the senders (after the breaker closed, say) to replay the
// spool without waiting for the next poll.
func (d *Destination) Kick() {
	d.backlog.Kick()
	if d.scores != nil {
		d.scores.Kick()
	}
}

// Consume hands a batch to the destination's encoder, waiting while it
// encodes earlier ones (CPU, never the network), and releases the spans
// once encoded.
func (d *Destination) Consume(spans []*Span) {
	d.c.Accepted.Add(int64(len(spans)))
	d.enqueue(spans)
}

// takesPlainTraces is false for a destination that takes only traces with
// GenAI work (LLM traces only).
func (d *Destination) takesPlainTraces() bool { return !d.cfg.OnlyGenAITraces }

// filtered counts spans the sampler kept from the destination on purpose:
// offered to it (accepted) and filtered, as Langfuse's own "LLM traces
// only" would.
func (d *Destination) filtered(n int) {
	d.c.Accepted.Add(int64(n))
	d.c.Filtered.Add(int64(n))
}

// enqueue hands spans to the encoder; the encoder releases their batch.
func (d *Destination) enqueue(spans []*Span) {
	d.inboxMu.RLock()
	defer d.inboxMu.RUnlock()
	if d.closed {
		d.dropped(spans, delivery.DropAfterShutdown)
		return
	}
	d.backlog.Expect()
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
		d.backlog.Forget()
		d.dropped(spans, delivery.DropEncoderStalled)
	}
}

// dropped counts spans lost before they were encoded, and releases them.
func (d *Destination) dropped(spans []*Span, reason string) {
	d.c.Drop(reason, len(spans))
	if d.cfg.OnOutcome != nil {
		d.cfg.OnOutcome(delivery.TraceIDs(spans), hooks.Dropped, reason)
	}
	releaseSpans(spans)
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

// holdSpans counts the destination's memory queue in the pipeline's
// memory budget: the destination keeps the spans of a batch after Consume
// returns, until encoded. With a spool the queue takes only from the
// budget's first half (budget.QueueShare: a batch refused goes to disk); without
// one a refused batch is dropped, so the queue takes from all of it, as
// the pending spans do.
func (d *Destination) holdSpans(b *budget.Budget) {
	if d.cfg.Settings.SpoolDir == "" {
		d.backlog.UseBudget(b)
		return
	}
	d.backlog.UseBudget(budget.QueueShare{Budget: b})
}

// room reports whether Consume would take a batch now without waiting: the
// encoder's inbox has room, or the encoder is stuck (batches are then
// given up at once).
func (d *Destination) room() bool { return len(d.inbox) < cap(d.inbox) || d.stalled.Load() }

// whenRoom makes the encoder call fn each time it takes a batch.
func (d *Destination) whenRoom(fn func()) { d.onRoom.Store(&fn) }

// yieldTo makes the encoder give way to the pipeline's batcher while pr is
// on, before each batch.
func (d *Destination) yieldTo(pr *pressure.Pressure) { d.pressure.Store(pr) }

func (d *Destination) encodeLoop() {
	defer d.encoder.Done()
	enc := newEncoder(d.cfg.Translator, d.cfg.Conventions)
	enc.mask = d.mask
	var z otlp.Compressor
	plain := d.cfg.Compression == NoCompression
	yield := time.NewTimer(time.Hour)
	yield.Stop()
	for spans := range d.inbox {
		d.stalled.Store(false)
		if fn := d.onRoom.Load(); fn != nil {
			(*fn)()
		}
		d.pressure.Load().Yield(yield)
		b := &delivery.Batch{Spans: len(spans), Created: time.Now(), Plain: plain}
		if plain {
			b.Data = bytes.Clone(enc.Encode(spans))
		} else {
			b.Data = z.Compress(enc.Encode(spans))
		}
		if len(spans) > 0 {
			b.Probe, b.ProbeStart = spans[0].SpanContext().TraceID(), spans[0].StartTime()
		}
		if d.cfg.OnOutcome != nil {
			b.Traces = delivery.TraceIDs(spans)
		}
		releaseSpans(spans)
		d.backlog.Add(b)
	}
}

// Flush waits until every batch handed over, and its scores, have left
// memory (sent, or spooled when the destination cannot take them now), or
// ctx ends; spooled data is replayed in the background, not waited for.
func (d *Destination) Flush(ctx context.Context) error {
	err := d.backlog.Flush(ctx)
	if d.scores != nil && err == nil {
		err = d.scores.Flush(ctx)
	}
	return err
}

// scoreChannel is the destination's scores, nil when it takes none. The
// score hub's goroutine hands them scores, and is done before Shutdown.
func (d *Destination) scoreChannel() *scoring.Channel { return d.scores }

// Shutdown sends what it can until shortly before ctx's deadline, spools
// the rest, and returns by the deadline, leaving no goroutine or idle
// connection behind; no Consume may follow.
func (d *Destination) Shutdown(ctx context.Context) error {
	d.inboxMu.Lock()
	if !d.closed {
		d.closed = true
		close(d.inbox)
	}
	d.inboxMu.Unlock()
	d.encoder.Wait()
	if d.scores == nil {
		d.backlog.Shutdown(ctx)
		return nil
	}
	var wg sync.WaitGroup
	wg.Go(func() { d.scores.Shutdown(ctx) })
	d.backlog.Shutdown(ctx)
	wg.Wait()
	return nil
}

// ReplaySetAside sends the batches set aside as encoded for another
// endpoint or credentials to this destination after all, and returns
// their spans.
func (d *Destination) ReplaySetAside() int64 { return d.backlog.ReplaySetAside() }

// DiscardSetAside deletes the set-aside batches, counting their spans as
// dropped (discarded), and returns them.
func (d *Destination) DiscardSetAside() int64 { return d.backlog.DiscardSetAside() }

// Attributes returns what the destination sends of s's attributes.
func (d *Destination) Attributes(s *Span) []attribute.KeyValue {
	return translate(d.cfg.Translator, d.cfg.Conventions, d.mask, nil, s)
}

// Format prints the destination's name and URL for every verb: printing
// its live state by reflection would race with its goroutines.
func (d *Destination) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "destination %s (%s)", d.cfg.Name, redact.URL(d.cfg.URL))
}
