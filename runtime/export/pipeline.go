package export

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/genaitrace/genaitrace/runtime/export/internal/budget"
	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
	"github.com/genaitrace/genaitrace/runtime/export/internal/pressure"
	"github.com/genaitrace/genaitrace/runtime/export/internal/scoring"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
	"github.com/genaitrace/genaitrace/runtime/internal/units"
	"github.com/genaitrace/genaitrace/runtime/pricing"
	"go.opentelemetry.io/otel/trace"
)

// Consumer receives batches of finished spans: a destination, the console,
// the diagnostics store. Consume must not wait on I/O; the spans (and the
// slice) are shared by all consumers and must not be modified.
type Consumer interface {
	Name() string
	Consume(spans []*Span)
	// Flush waits until what was consumed so far is delivered, or ctx ends.
	Flush(ctx context.Context) error
	// Shutdown delivers or keeps what it holds and returns by ctx's deadline.
	Shutdown(ctx context.Context) error
}

// holder is a consumer that keeps the spans of a batch after Consume
// returns (to encode them) and releases them when done, so that the
// memory they hold is counted until then; holdSpans gives it the budget
// to count them in, with whatever else it holds. Its Consume may wait for
// room.
type holder interface {
	Consumer
	holdSpans(*budget.Budget)
	// filtered counts spans kept from a consumer that takes no plain
	// traces.
	filtered(n int)
	// room reports whether Consume would take a batch now without
	// waiting; whenRoom gives it a function to call each time it takes
	// one, so that the pipeline hands over what waits.
	room() bool
	whenRoom(func())
	// yieldTo makes the consumer's encoder give way to the batcher under
	// pressure.
	yieldTo(*pressure.Pressure)
}

// plainTaker is a consumer that may take no plain traces: Langfuse's
// LLM traces only. Consumers that do not implement it take them.
type plainTaker interface {
	takesPlainTraces() bool
}

// An Accountant counts model calls. An observer that implements it is also
// told of the calls whose spans were shed for memory, as their facts
// alone: what was made is counted, whatever cannot be sent.
type Accountant interface {
	// Account counts one model call with facts f that ran from start to end.
	Account(f *Facts, start, end time.Time)
}

// PipelineConfig configures a Pipeline. Zero fields take defaults.
type PipelineConfig struct {
	// MaxBatch is the most spans encoded into one request (default 512).
	MaxBatch int
	// BatchTimeout is the longest a finished span waits for its batch
	// (default 500 ms).
	BatchTimeout time.Duration
	// MemoryMaxBytes bounds what waits between span.End and the wire, in
	// bytes: spans not yet encoded by every destination (estimated) and
	// the destinations' memory queues (default 64 MiB). Of it, the pipeline
	// keeps live only the share Go's collector leaves room for (an eighth,
	// at GOGC=100): it is the heap, not the live data, that a container's
	// limit counts.
	MemoryMaxBytes int64
	// Prices estimate cost; nil disables cost estimation.
	Prices *pricing.Table
	// Resolve, when set, attaches trace-level facts to each span before
	// its GenAI facts are derived. It runs in the pipeline's goroutine.
	Resolve func(*Span)
	// Sampling says which traces are kept whole; the share of plain traces
	// kept is their sampled flag (see sampler).
	Sampling Sampling
	// ContentRate is the share of traces whose prompts, completions and
	// tool payloads are sent, chosen by trace ID (default 1: all); the
	// others' spans are sent whole without them, their usage and cost
	// intact. (None at all is capture off, which records none.)
	ContentRate float64
	// OnDecision, when set, is told of the sampler's verdict on each
	// trace. It runs in the pipeline's goroutine and must not block.
	OnDecision func(trace.TraceID, KeepReason)
	// Observers see every span the pipeline takes, sampled out or not,
	// before the consumers do (the usage ledger, the GenAI metrics, the
	// diagnostics store); the Accountants among them are told of the calls
	// of spans shed for memory too.
	Observers []Consumer
	Logger    *slog.Logger
	pipelineWiring
}

// PipelineStats counts what the pipeline took from span.End:
// Accepted = Dispatched + shed + Pending.
type PipelineStats struct {
	// Accepted counts every span span.End handed over.
	Accepted int64 `json:"accepted"`
	// Dispatched counts the spans handed to the destinations.
	Dispatched int64 `json:"dispatched"`
	// Shed counts, by reason (shed_plain, shed_genai_trace, shed_genai),
	// the spans given up because the memory budget was full: the least
	// valuable first (and under internal_error those a defect lost).
	Shed map[string]int64 `json:"shed"`
	// Pending spans wait for their batch; PendingBytes is what they hold
	// (while the destinations' encoders are busy, spans beyond a batch
	// wait compactly, in a tenth of their estimate).
	Pending      int   `json:"pending"`
	PendingBytes int64 `json:"pending_bytes"`
	// MemoryBytes is what the budget holds now, of LiveMaxBytes: the share
	// of MemoryMaxBytes kept live (see PipelineConfig.MemoryMaxBytes).
	MemoryBytes    int64 `json:"memory_bytes"`
	LiveMaxBytes   int64 `json:"live_max_bytes"`
	MemoryMaxBytes int64 `json:"memory_max_bytes"`
	// MaxBatch and BatchTimeout are the settings the pipeline runs with.
	MaxBatch     int           `json:"max_batch"`
	BatchTimeout time.Duration `json:"-"`
	// Dialects counts, by dialect (openinference, openllmetry, ...), the
	// spans other instrumentation made that were normalised to the GenAI
	// conventions (docs/dialects.md). A span may speak several.
	Dialects map[string]int64 `json:"dialects"`
	// Sampling counts the traces kept, by reason, and those sampled out.
	Sampling SamplingStats `json:"sampling"`
	// ContentShed counts GenAI spans kept without their content because
	// the memory budget could not hold them whole: their model, usage and
	// cost go on.
	ContentShed int64 `json:"content_shed"`
	// ShedCalls counts the model calls among the shed spans: each was
	// still counted, with its usage and cost, by the observers that
	// account (the ledger, the GenAI metrics).
	ShedCalls int64 `json:"shed_calls"`
	// Untrusted counts, by dialect ("conventions" for spans in the GenAI
	// conventions' own names), the values other instrumentation supplied
	// that could not be trusted and were left out for every destination:
	// counts that are negative, fractional, wrapped or past any model's,
	// durations that are not finite or longer than their span, numbers
	// that are not numbers.
	Untrusted map[string]int64 `json:"untrusted_values"`
	// Scores counts the evaluations handed over by genai.Score.
	Scores ScoreStats `json:"scores"`
}

// MarshalJSON writes the stats with the batch timeout in milliseconds
// (batch_timeout_ms), genaitrace's one unit of time in JSON.
func (s PipelineStats) MarshalJSON() ([]byte, error) {
	type plain PipelineStats
	return json.Marshal(struct {
		plain
		BatchTimeoutMS float64 `json:"batch_timeout_ms"`
	}{plain(s), units.MS(s.BatchTimeout)})
}

// ShedTotal sums Shed.
func (s PipelineStats) ShedTotal() int64 {
	var n int64
	for _, v := range s.Shed {
		n += v
	}
	return n
}

// Pipeline is the single stream of finished spans: span.End appends to it,
// and one background goroutine batches the spans, derives their GenAI facts
// once, and hands each batch to every consumer. Everything it holds, up to
// the moment each destination has encoded it, is bounded by one memory
// budget in bytes; when the budget is full, the least valuable spans are
// shed first: plain spans before plain spans of GenAI traces before GenAI
// and failed spans, which may evict less valuable ones still waiting.
type Pipeline struct {
	cfg         PipelineConfig
	consumers   []Consumer
	accountants []Accountant
	// scores is nil unless PipelineConfig.Scores.
	scores      *scoring.Hub
	budget      *budget.Budget
	sampler     *sampler
	samplerMu   sync.Mutex // the sampler's state, for Stats
	shedCalls   atomic.Int64
	contentShed atomic.Int64

	mu      sync.Mutex
	pending [numValues]spanQueue
	closed  bool
	// shedTraces are the traces of the last spans shed, for the
	// diagnostics' "why is this trace incomplete" (a ring, under mu).
	shedTraces [shedRing]trace.TraceID
	shedNext   int

	accepted   atomic.Int64
	dispatched atomic.Int64
	shed       [numValues]atomic.Int64
	normalized [dialect.Count]atomic.Int64
	untrusted  [dialect.Count + 1]atomic.Int64 // the last: spans in the conventions' names

	dispatchMu sync.Mutex // orders batches between the batcher and Flush
	// held are pending spans held compactly while the consumers that keep
	// spans could take no more, oldest first (under mu); heldScratch are
	// the buffers they are written in (under dispatchMu); gatedSince is
	// when the consumers last had no room (under dispatchMu).
	held        []*heldBatch
	heldSpans   int
	heldBytes   int64
	heldScratch [2][]byte
	gatedSince  time.Time
	lost        atomic.Int64
	// pressure is raised while pending spans are more than the batcher
	// can hold at once (internal/pressure).
	pressure   *pressure.Pressure
	pressureAt int64
	wake       chan struct{}
	stop       chan struct{}
	done       chan struct{}
	stopOnce   sync.Once
}

// spanQueue is a FIFO of spans of one value.
type spanQueue struct {
	spans []Span
	head  int
	bytes int64
}

func (q *spanQueue) len() int { return len(q.spans) - q.head }

func (q *spanQueue) push(s Span) {
	q.spans = append(q.spans, s)
	q.bytes += s.size
}

func (q *spanQueue) pop() Span {
	s := q.spans[q.head]
	q.spans[q.head] = Span{}
	q.head++
	q.bytes -= s.size
	switch {
	case q.head == len(q.spans):
		q.spans, q.head = q.spans[:0], 0
	case q.head > 1024 && 2*q.head > len(q.spans):
		// A queue that never empties must not grow its array forever.
		q.spans = append(q.spans[:0], q.spans[q.head:]...)
		q.head = 0
	}
	return s
}

// NewPipeline starts a pipeline feeding consumers.
func NewPipeline(cfg PipelineConfig, consumers ...Consumer) *Pipeline {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.BatchTimeout <= 0 {
		cfg.BatchTimeout = DefaultBatchTimeout
	}
	if cfg.MemoryMaxBytes <= 0 {
		cfg.MemoryMaxBytes = DefaultMemoryMaxBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ContentRate <= 0 {
		cfg.ContentRate = 1
	}
	p := &Pipeline{
		cfg:       cfg,
		consumers: consumers,
		budget:    budget.New(budget.LiveShare(cfg.MemoryMaxBytes)),
		pressure:  pressure.New(),
		wake:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	p.pressureAt = 2 * p.maxBatchBytes()
	plainOnly := false
	for _, c := range consumers {
		if h, ok := c.(holder); ok {
			h.holdSpans(p.budget)
			h.whenRoom(p.signal)
			h.yieldTo(p.pressure)
		}
		plainOnly = plainOnly || !takesPlain(c)
	}
	for _, o := range cfg.Observers {
		if a, ok := o.(Accountant); ok {
			p.accountants = append(p.accountants, a)
		}
	}
	p.sampler = newSampler(cfg.Sampling, p.budget, plainOnly)
	p.sampler.traceFacts = cfg.Resolve != nil
	p.sampler.onDecision = cfg.OnDecision
	if cfg.Scores {
		p.scores = newScoreHub(cfg.Logger, consumers)
	}
	go p.run()
	return p
}

func takesPlain(c Consumer) bool {
	pt, ok := c.(plainTaker)
	return !ok || pt.takesPlainTraces()
}

// Accept takes one finished span, of the value v and the size Inspect
// estimated. It is the caller's whole cost of export: a lock, an append
// and, once per batch, a non-blocking signal. When the budget is full it
// sheds: the span itself, or less valuable spans still waiting.
func (p *Pipeline) Accept(s Span, v Value, size int64) {
	p.accepted.Add(1)
	if p.admit(s, v, size, 0) {
		return
	}
	if v == ValueGenAI && mayHoldContent(s.ReadOnlySpan, size) && !p.isClosed() {
		// A model call's span is worth more than its content: without it,
		// it fits, in the reserve kept for such spans if need be.
		lean := withoutContent(s.ReadOnlySpan)
		if n, _ := Inspect(lean); n < size && p.admit(Span{ReadOnlySpan: lean}, v, n, p.budget.Max/leanReserve) {
			p.contentShed.Add(1)
			return
		}
	}
	p.shed[v].Add(1)
	p.mu.Lock()
	p.noteShed(s.SpanContext().TraceID())
	p.mu.Unlock()
	if v == ValueGenAI {
		p.account(&s)
	}
}

// shedRing is how many shed spans' traces the pipeline remembers.
const shedRing = 4096

// noteShed remembers the trace of a shed span. It runs under p.mu.
func (p *Pipeline) noteShed(tid trace.TraceID) {
	p.shedTraces[p.shedNext] = tid
	p.shedNext = (p.shedNext + 1) % shedRing
}

// WasShed reports whether a span of the trace was among the last spans
// shed for memory.
func (p *Pipeline) WasShed(tid trace.TraceID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Contains(p.shedTraces[:], tid)
}

// leanReserve: a sixteenth of the live share is kept for model calls'
// spans without their content (a few hundred bytes each, a thousand in
// half a MiB), so that a budget full of prompts still takes the calls.
const leanReserve = 16

// admit queues s if its size fits the budget, up to over bytes past it,
// shedding less valuable waiting spans to make room, and reports whether
// it did.
func (p *Pipeline) admit(s Span, v Value, size, over int64) bool {
	s.size = size
	p.mu.Lock()
	if p.closed || (!p.budget.TryTakeOver(size, over) && !p.evictFor(size, v)) {
		p.mu.Unlock()
		return false
	}
	p.pending[v].push(s)
	// A batch more, in spans or in bytes (a batch takes at most
	// maxBatchBytes): worth handing over, or holding.
	bytes, batch := p.pendingBytes(), p.maxBatchBytes()
	full := p.pendingLen()%p.cfg.MaxBatch == 0 || bytes/batch != (bytes-size)/batch
	if full && bytes > p.pressureAt {
		p.pressure.Raise()
	}
	p.mu.Unlock()
	if full {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
	return true
}

func (p *Pipeline) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// contentSampled reports whether a trace is in the share whose content is
// sent: by the high half of its ID, as TraceIDRatioBased reads the low
// half, so that which traces are kept and which carry content are chosen
// independently, and the same in every process.
func contentSampled(tid trace.TraceID, rate float64) bool {
	if rate >= 1 {
		return true
	}
	return binary.BigEndian.Uint64(tid[0:8])>>1 < uint64(rate*(1<<63))
}

// account counts the model call of a span shed for memory: its facts, read
// from its own attributes (a dialect's names are not normalised on the
// caller's path), go to the accountants. It runs on the caller's path, but
// only when a GenAI span is shed, which happens only under overload.
func (p *Pipeline) account(s *Span) {
	if len(p.accountants) == 0 {
		return
	}
	var f Facts
	deriveFacts(s, &f, p.cfg.Prices)
	if !f.IsModelCall() {
		return
	}
	p.shedCalls.Add(1)
	for _, a := range p.accountants {
		a.Account(&f, s.StartTime(), s.EndTime())
	}
}

// evictFor sheds waiting spans less valuable than v, oldest first, until
// size bytes fit; it reports whether they do. Of each value, pending spans
// go before held batches (a pending span frees some twenty times the bytes
// of a held one). It runs under p.mu.
func (p *Pipeline) evictFor(size int64, v Value) bool {
	for low := ValuePlain; low < v; low++ {
		q := &p.pending[low]
		for q.len() > 0 {
			s := q.pop()
			p.budget.Give(s.size)
			p.shed[low].Add(1)
			p.noteShed(s.SpanContext().TraceID())
			if p.budget.TryTake(size) {
				return true
			}
		}
		if p.evictHeld(size, low) {
			return true
		}
	}
	return false
}

// evictHeld sheds held batches of value v, oldest first, until size bytes
// fit; it reports whether they do. Their spans are counted as shed; their
// traces are not noted for the diagnostics (that would mean reading the
// batch back here, on the caller's path). It runs under p.mu.
func (p *Pipeline) evictHeld(size int64, v Value) bool {
	for i := 0; i < len(p.held); {
		hb := p.held[i]
		if hb.value != v {
			i++
			continue
		}
		p.held = slices.Delete(p.held, i, i+1)
		p.heldSpans -= hb.n
		p.heldBytes -= hb.bytes
		p.budget.Give(hb.bytes)
		p.shed[v].Add(int64(hb.n))
		if p.budget.TryTake(size) {
			return true
		}
	}
	return false
}

// pendingBytes is what the pending spans hold. It runs under p.mu.
func (p *Pipeline) pendingBytes() int64 {
	var n int64
	for i := range p.pending {
		n += p.pending[i].bytes
	}
	return n
}

func (p *Pipeline) pendingLen() int {
	n := 0
	for i := range p.pending {
		n += p.pending[i].len()
	}
	return n
}

func (p *Pipeline) run() {
	defer close(p.done)
	t := time.NewTicker(p.cfg.BatchTimeout)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-p.wake:
			// A batch more, or room for one: whole batches go, the rest
			// waits for the batch timeout (or the next wake).
			p.dispatchAll(handBatches)
		case <-t.C:
			p.dispatch()
		}
	}
}

// What dispatchAll hands over.
const (
	// handBatches: held batches and whole batches of pending spans, as
	// long as the consumers have room.
	handBatches = iota
	// handPending: everything pending, as long as the consumers have room.
	handPending
	// handAll: everything, waiting for the consumers (Flush, Shutdown).
	handAll
)

// dispatch hands what is pending to the observers and, as the sampler
// routes each trace, to the consumers: a batch at a time, the most valuable
// spans first, as long as the destinations' encoders can take them; the
// rest waits (see dispatchAll).
func (p *Pipeline) dispatch() { p.dispatchAll(handPending) }

// dispatchAll hands batches to the consumers while they can take them.
// While the consumers that keep spans cannot (their encoders are busy), or
// spans pile up faster than they are handed over (internal/pressure), what
// waits beyond a batch is held compactly instead (held.go): the snapshots
// are let go, and a burst waits in a twentieth of the memory, where the
// newest batch can still be shed by value. With handAll (Flush, Shutdown),
// it hands over everything, waiting for the consumers.
func (p *Pipeline) dispatchAll(what int) {
	all := what == handAll
	p.dispatchMu.Lock()
	defer p.dispatchMu.Unlock()
	defer p.relieve(all)
	for {
		p.relieve(all)
		if !all {
			// Under pressure spans are held first and handed over once the
			// batcher has caught up: holding a batch costs a fraction of
			// handing it over (facts, observers, sampler, the encoders'
			// turn), and what is not held yet can only be shed.
			room := p.consumersHaveRoom()
			if (!room || p.pressure.On()) && p.shouldHold() {
				p.holdPending()
				continue
			}
			if !room {
				break
			}
		}
		batch := p.nextBatch(what != handBatches)
		if batch == nil {
			break
		}
		for _, o := range p.cfg.Observers {
			o.Consume(batch)
		}
		p.samplerMu.Lock()
		r := p.sampler.route(batch)
		p.samplerMu.Unlock()
		p.deliver(r, batch[0].batch)
	}
	p.samplerMu.Lock()
	r := p.sampler.route(nil) // traces that waited too long, when nothing comes
	p.samplerMu.Unlock()
	p.deliver(r, nil)
}

// deliver hands one round's spans to the consumers: those that take plain
// traces get every span for all and the plain ones, the others every span
// for all and those of traces the plain ones had before. Each consumer
// that keeps spans holds each batch its spans come from until it releases
// them; the round's own hold on its batches ends here.
func (p *Pipeline) deliver(r routed, round *spanBatch) {
	withPlain := append(slices.Clip(r.all), r.plain...)
	withoutPlain := append(slices.Clip(r.all), r.notPlain...)
	batches := distinctBatches(round, withPlain, withoutPlain)
	for _, c := range p.consumers {
		spans := withoutPlain
		if takesPlain(c) {
			spans = withPlain
		} else if h, ok := c.(holder); ok && r.filtered > 0 {
			h.filtered(r.filtered)
		}
		if _, ok := c.(holder); ok {
			holdBatches(spans)
		}
		if len(spans) > 0 {
			c.Consume(spans)
		}
	}
	for _, b := range batches {
		b.release() // the round's hold
	}
}

// distinctBatches lists the batches the round's spans come from, the
// round's own first.
func distinctBatches(round *spanBatch, lists ...[]*Span) []*spanBatch {
	var out []*spanBatch
	if round != nil {
		out = append(out, round)
	}
	for _, l := range lists {
		for _, s := range l {
			if !slices.Contains(out, s.batch) {
				out = append(out, s.batch)
			}
		}
	}
	return out
}

// takeChunk removes up to MaxBatch spans from pending, most valuable
// first.
func (p *Pipeline) takeChunk() []Span {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.takeChunkOf(ValuePlain, numValues-1)
}

// takeChunkOf removes up to MaxBatch spans of values from low to high
// from pending, most valuable first. It runs under p.mu.
func (p *Pipeline) takeChunkOf(low, high Value) []Span {
	n := 0
	for v := low; v <= high; v++ {
		n += p.pending[v].len()
	}
	n = min(n, p.cfg.MaxBatch)
	if n == 0 {
		return nil
	}
	// A batch takes at most an eighth of the budget: the few batches on
	// their way through the encoders must leave room for pending spans,
	// which are the ones a more valuable span can evict.
	maxBytes := p.maxBatchBytes()
	chunk := make([]Span, 0, n)
	var bytes int64
	for v := high; v >= low && v <= high && len(chunk) < n; v-- {
		for q := &p.pending[v]; q.len() > 0 && len(chunk) < n && (len(chunk) == 0 || bytes+q.spans[q.head].size <= maxBytes); {
			s := q.pop()
			bytes += s.size
			chunk = append(chunk, s)
		}
		if len(chunk) > 0 && bytes >= maxBytes {
			break
		}
	}
	return chunk
}

func (p *Pipeline) maxBatchBytes() int64 { return max(p.budget.Max/8, 1) }

// nextBatch returns the next batch for the consumers: the oldest held one,
// else the most valuable pending spans, a whole batch of them unless
// partial is set.
func (p *Pipeline) nextBatch(partial bool) []*Span {
	if chunk := p.unhold(); chunk != nil {
		return p.prepare(chunk, false)
	}
	if !partial && !p.batchPending() {
		return nil
	}
	if chunk := p.takeChunk(); chunk != nil {
		return p.prepare(chunk, true)
	}
	return nil
}

// batchPending reports whether a whole batch is pending, in spans or in
// bytes.
func (p *Pipeline) batchPending() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pendingLen() >= p.cfg.MaxBatch || p.pendingBytes() >= p.maxBatchBytes()
}

// prepare derives the facts of a chunk of spans (resolving their trace's
// facts first, unless that was done when they were held) and returns them
// sharing one spanBatch that keeps their bytes in the budget until every
// holder released it.
func (p *Pipeline) prepare(chunk []Span, resolve bool) []*Span {
	p.dispatched.Add(int64(len(chunk)))
	sb := &spanBatch{budget: p.budget}
	sb.refs.Store(1) // the round's hold: see deliver
	batch := make([]*Span, len(chunk))
	facts := make([]Facts, len(chunk))
	for i := range chunk {
		sb.bytes += chunk[i].size
		chunk[i].batch = sb
		if resolve && p.cfg.Resolve != nil {
			p.cfg.Resolve(&chunk[i])
		}
		if extra := chunk[i].derive(&facts[i], p.cfg.Prices); extra > 0 {
			// What the derived attributes add is held with the span: it
			// comes back with the batch.
			p.budget.Take(extra)
			sb.bytes += extra
		}
		if r := chunk[i].norm; r != nil {
			p.countDialects(r.Dialects, r.Untrusted)
		}
		chunk[i].noContent = !contentSampled(chunk[i].SpanContext().TraceID(), p.cfg.ContentRate)
		chunk[i].Trace.learn(&chunk[i])
		batch[i] = &chunk[i]
	}
	return batch
}

// consumersHaveRoom reports whether every consumer that keeps spans can
// take a batch now, or has not for encoderStallTimeout (an encoder stuck
// on a hung disk: the consumer then gives up batches itself, counted, and
// the others go on).
func (p *Pipeline) consumersHaveRoom() bool {
	for _, c := range p.consumers {
		if h, ok := c.(holder); ok && !h.room() {
			now := time.Now()
			if p.gatedSince.IsZero() {
				p.gatedSince = now
			}
			return now.Sub(p.gatedSince) >= encoderStallTimeout
		}
	}
	p.gatedSince = time.Time{}
	return true
}

// shouldHold reports whether pending spans beyond a batch are worth
// holding compactly, and there is room for them.
func (p *Pipeline) shouldHold() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	bytes := p.pendingBytes()
	if p.heldBytes >= p.budget.Max/heldShare {
		return false
	}
	return p.pendingLen() > p.cfg.MaxBatch || bytes > p.maxBatchBytes()
}

// heldShare bounds what held batches take of the live budget: a half,
// some 50,000 spans of ten attributes at the default budget.
const heldShare = 2

// holdPending holds a chunk of pending spans of one value compactly, the
// most valuable first (valueToHold), their trace facts resolved now (the
// trace table forgets a trace a while after its root ended, and records
// when it did). A held batch has one value so that a more valuable span
// can still shed it (evictFor).
func (p *Pipeline) holdPending() {
	p.mu.Lock()
	v := p.valueToHold()
	chunk := p.takeChunkOf(v, v)
	p.mu.Unlock()
	if chunk == nil {
		return
	}
	var bytes int64
	for i := range chunk {
		if p.cfg.Resolve != nil {
			p.cfg.Resolve(&chunk[i])
		}
		bytes += chunk[i].size
	}
	hb := holdBatch(chunk, &p.heldScratch)
	hb.value = v
	p.budget.Take(hb.bytes)
	p.budget.Give(bytes)
	p.mu.Lock()
	p.held = append(p.held, hb)
	p.heldSpans += hb.n
	p.heldBytes += hb.bytes
	p.mu.Unlock()
}

// valueToHold is the value whose pending spans are held next: the most
// valuable pending, as takeChunk takes them. Spans go to the consumers in
// that order, held or not: a model call's span before the root of its
// trace, which ends after it and is worth less (the sampler decides a
// trace at its root, knowing the model calls before it). It runs under
// p.mu.
func (p *Pipeline) valueToHold() Value {
	for v := numValues - 1; v > ValuePlain; v-- {
		if p.pending[v].len() > 0 {
			return v
		}
	}
	return ValuePlain
}

// unhold reads the oldest held batch back, its spans' bytes taken in the
// budget again, or returns nil. A batch that cannot be read back (a
// defect) is counted as lost.
func (p *Pipeline) unhold() []Span {
	for {
		p.mu.Lock()
		if len(p.held) == 0 {
			p.mu.Unlock()
			return nil
		}
		hb := p.held[0]
		p.held[0] = nil
		p.held = p.held[1:]
		p.heldSpans -= hb.n
		p.heldBytes -= hb.bytes
		p.mu.Unlock()
		chunk, err := hb.spans()
		p.budget.Give(hb.bytes)
		if err != nil {
			p.cfg.Logger.Error("genaitrace: "+err.Error()+"; its spans are lost (a defect: please report it)", "spans", hb.n)
			p.lost.Add(int64(hb.n))
			continue
		}
		var bytes int64
		for i := range chunk {
			bytes += chunk[i].size
		}
		p.budget.Take(bytes)
		return chunk
	}
}

// relieve turns the pressure off once the batcher has caught up, or when
// all must be handed over (the encoders are then what it waits for).
func (p *Pipeline) relieve(all bool) {
	p.mu.Lock()
	caughtUp := p.pendingBytes() <= p.pressureAt/2
	p.mu.Unlock()
	if all || caughtUp {
		p.pressure.Relieve()
	}
}

// signal wakes the batcher.
func (p *Pipeline) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// countDialects counts a normalised span under each dialect it speaks,
// and its untrusted values once, under the most specific of them (the
// peer's own, listed last: eino's spans speak OpenLLMetry's and the old
// conventions' names too).
func (p *Pipeline) countDialects(d dialect.Set, untrusted int) {
	last := dialect.Count // no dialect: the conventions' own names
	for i := range dialect.Count {
		if d&(1<<i) != 0 {
			p.normalized[i].Add(1)
			last = i
		}
	}
	p.untrusted[last].Add(int64(untrusted))
}

// spanBatch is the memory spans hold until every consumer that keeps them
// has encoded them.
type spanBatch struct {
	budget *budget.Budget
	bytes  int64
	refs   atomic.Int32
}

// release is called once by each holder; the last one returns the bytes.
func (b *spanBatch) release() {
	if b.refs.Add(-1) == 0 {
		b.budget.Give(b.bytes)
	}
}

// holdBatches takes one hold on each batch spans come from, for a
// consumer that releases them with releaseSpans.
func holdBatches(spans []*Span) {
	forEachBatch(spans, func(b *spanBatch) { b.refs.Add(1) })
}

// releaseSpans tells the pipeline that a holder is done with spans it
// consumed.
func releaseSpans(spans []*Span) {
	forEachBatch(spans, (*spanBatch).release)
}

// forEachBatch calls fn once for each batch spans come from; spans of one
// batch are next to each other.
func forEachBatch(spans []*Span, fn func(*spanBatch)) {
	var seen []*spanBatch
	for _, s := range spans {
		if b := s.batch; b != nil && !slices.Contains(seen, b) {
			seen = append(seen, b)
			fn(b)
		}
	}
}

// Flush hands everything pending to the consumers and waits, for all of
// them in parallel, until it is delivered or ctx ends.
func (p *Pipeline) Flush(ctx context.Context) error {
	p.dispatchAll(handAll)
	if p.scores != nil {
		p.scores.Flush()
	}
	return p.each(func(c Consumer) error { return c.Flush(ctx) })
}

// Shutdown stops accepting spans, hands over what is pending, and shuts
// every consumer down in parallel, each by ctx's deadline: a slow
// destination never starves a healthy one of its last batch.
func (p *Pipeline) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.stopOnce.Do(func() { close(p.stop) })
	<-p.done
	p.dispatchAll(handAll)
	p.dispatchMu.Lock()
	p.samplerMu.Lock()
	r := p.sampler.drain() // the process is ending: undecided is not a reason to lose anything
	p.samplerMu.Unlock()
	p.deliver(r, nil)
	p.dispatchMu.Unlock()
	if p.scores != nil {
		p.scores.Shutdown()
	}
	return p.each(func(c Consumer) error { return c.Shutdown(ctx) })
}

func (p *Pipeline) each(fn func(Consumer) error) error {
	all := slices.Concat(p.cfg.Observers, p.consumers)
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for i, c := range all {
		wg.Go(func() { errs[i] = fn(c) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Stats returns the pipeline's counters.
func (p *Pipeline) Stats() PipelineStats {
	st := PipelineStats{Accepted: p.accepted.Load(), Dispatched: p.dispatched.Load(), Shed: map[string]int64{},
		MemoryBytes: p.budget.Used(), LiveMaxBytes: p.budget.Max, MemoryMaxBytes: p.cfg.MemoryMaxBytes,
		MaxBatch: p.cfg.MaxBatch, BatchTimeout: p.cfg.BatchTimeout}
	for v := range numValues {
		if n := p.shed[v].Load(); n > 0 {
			st.Shed[v.shedReason()] = n
		}
	}
	st.Dialects, st.Untrusted = map[string]int64{}, map[string]int64{}
	for i := range dialect.Count {
		if n := p.normalized[i].Load(); n > 0 {
			st.Dialects[dialect.Set(1<<i).String()] = n
		}
		if n := p.untrusted[i].Load(); n > 0 {
			st.Untrusted[dialect.Set(1<<i).String()] = n
		}
	}
	if n := p.untrusted[dialect.Count].Load(); n > 0 {
		st.Untrusted["conventions"] = n
	}
	p.mu.Lock()
	for i := range p.pending {
		st.Pending += p.pending[i].len()
		st.PendingBytes += p.pending[i].bytes
	}
	st.Pending += p.heldSpans
	st.PendingBytes += p.heldBytes
	p.mu.Unlock()
	if n := p.lost.Load(); n > 0 {
		st.Shed[DropInternalError] = n
	}
	p.samplerMu.Lock()
	st.Sampling = p.sampler.snapshot()
	p.samplerMu.Unlock()
	st.ShedCalls = p.shedCalls.Load()
	st.ContentShed = p.contentShed.Load()
	if p.scores != nil {
		st.Scores = ScoreStats(p.scores.Stats())
	} else {
		st.Scores.Dropped = scores.Dropped()
	}
	return st
}
