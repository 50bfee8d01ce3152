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
	// valuable first.
	Shed map[string]int64 `json:"shed"`
	// Pending spans wait for their batch; PendingBytes is their estimate.
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
		wake:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	plainOnly := false
	for _, c := range consumers {
		if h, ok := c.(holder); ok {
			h.holdSpans(p.budget)
		}
		plainOnly = plainOnly || !takesPlain(c)
	}
	for _, o := range cfg.Observers {
		if a, ok := o.(Accountant); ok {
			p.accountants = append(p.accountants, a)
		}
	}
	p.sampler = newSampler(cfg.Sampling, p.budget, plainOnly)
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
	full := p.pendingLen() == p.cfg.MaxBatch
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
// size bytes fit; it reports whether they do. It runs under p.mu.
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
	}
	return false
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
		case <-t.C:
		}
		p.dispatch()
	}
}

// dispatch hands everything pending to the observers and, as the sampler
// routes each trace, to the consumers: a batch at a time, the most valuable
// spans first. A destination's Consume waits while its encoder is busy:
// what cannot be encoded yet stays pending, where it can still be shed by
// value.
func (p *Pipeline) dispatch() {
	p.dispatchMu.Lock()
	defer p.dispatchMu.Unlock()
	for {
		batch := p.takeBatch()
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

// takeBatch removes up to MaxBatch spans from pending, most valuable
// first, derives their facts and returns them sharing one spanBatch that
// keeps their bytes in the budget until every holder released it.
func (p *Pipeline) takeBatch() []*Span {
	p.mu.Lock()
	n := min(p.pendingLen(), p.cfg.MaxBatch)
	if n == 0 {
		p.mu.Unlock()
		return nil
	}
	// A batch takes at most an eighth of the budget: the few batches on
	// their way through the encoders must leave room for pending spans,
	// which are the ones a more valuable span can evict.
	maxBytes := max(p.budget.Max/8, 1)
	chunk := make([]Span, 0, n)
	var bytes int64
	for v := numValues - 1; v < numValues && len(chunk) < n; v-- {
		for q := &p.pending[v]; q.len() > 0 && len(chunk) < n && (len(chunk) == 0 || bytes+q.spans[q.head].size <= maxBytes); {
			s := q.pop()
			bytes += s.size
			chunk = append(chunk, s)
		}
		if len(chunk) > 0 && bytes >= maxBytes {
			break
		}
	}
	p.mu.Unlock()
	p.dispatched.Add(int64(len(chunk)))
	sb := &spanBatch{budget: p.budget}
	sb.refs.Store(1) // the round's hold: see deliver
	batch := make([]*Span, len(chunk))
	facts := make([]Facts, len(chunk))
	for i := range chunk {
		sb.bytes += chunk[i].size
		chunk[i].batch = sb
		if p.cfg.Resolve != nil {
			p.cfg.Resolve(&chunk[i])
		}
		if extra := chunk[i].normalize(); extra > 0 {
			// What the derived attributes add is held with the span: it
			// comes back with the batch.
			p.budget.Take(extra)
			sb.bytes += extra
		}
		if r := chunk[i].norm; r != nil {
			p.countDialects(r.Dialects, r.Untrusted)
		}
		deriveFacts(&chunk[i], &facts[i], p.cfg.Prices)
		chunk[i].noContent = !contentSampled(chunk[i].SpanContext().TraceID(), p.cfg.ContentRate)
		chunk[i].Trace.learn(&chunk[i])
		batch[i] = &chunk[i]
	}
	return batch
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
	p.dispatch()
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
	p.dispatch()
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
	p.mu.Unlock()
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
