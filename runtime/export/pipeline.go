package export

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
	"github.com/genaitrace/genaitrace/runtime/internal/units"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// Consumer receives batches of finished spans: a destination, the console,
// the diagnostics store. Consume must not wait on I/O; the spans are shared
// by all consumers and must not be modified.
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
	holdSpans(*memoryBudget)
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
	// at GOGC=100; see liveShare): it is the heap, not the live data, that
	// a container's limit counts.
	MemoryMaxBytes int64
	// Prices estimate cost; nil disables cost estimation.
	Prices *pricing.Table
	// Resolve, when set, attaches trace-level facts to each span before
	// its GenAI facts are derived. It runs in the pipeline's goroutine.
	Resolve func(*Span)
	Logger  *slog.Logger
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
	// Untrusted counts, by dialect ("conventions" for spans in the GenAI
	// conventions' own names), the values other instrumentation supplied
	// that could not be trusted and were left out for every destination:
	// counts that are negative, fractional, wrapped or past any model's,
	// durations that are not finite or longer than their span, numbers
	// that are not numbers.
	Untrusted map[string]int64 `json:"untrusted_values"`
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
	cfg       PipelineConfig
	consumers []Consumer
	holders   int32
	budget    *memoryBudget

	mu      sync.Mutex
	pending [numValues]spanQueue
	closed  bool

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
	p := &Pipeline{
		cfg:       cfg,
		consumers: consumers,
		budget:    newMemoryBudget(liveShare(cfg.MemoryMaxBytes)),
		wake:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	for _, c := range consumers {
		if h, ok := c.(holder); ok {
			p.holders++
			h.holdSpans(p.budget)
		}
	}
	go p.run()
	return p
}

// Accept takes one finished span, of the value v and the size Inspect
// estimated. It is the caller's whole cost of export: a lock, an append
// and, once per batch, a non-blocking signal. When the budget is full it
// sheds: the span itself, or less valuable spans still waiting.
func (p *Pipeline) Accept(s Span, v Value, size int64) {
	s.size = size
	p.accepted.Add(1)
	p.mu.Lock()
	if p.closed || (!p.budget.TryTake(size) && !p.evictFor(size, v)) {
		p.mu.Unlock()
		p.shed[v].Add(1)
		return
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

// dispatch hands everything pending to the consumers, a batch at a time,
// the most valuable spans first. A destination's Consume waits while its
// encoder is busy: what cannot be encoded yet stays pending, where it can
// still be shed by value.
func (p *Pipeline) dispatch() {
	p.dispatchMu.Lock()
	defer p.dispatchMu.Unlock()
	for {
		batch := p.takeBatch()
		if batch == nil {
			return
		}
		for _, c := range p.consumers {
			c.Consume(batch)
		}
		if p.holders == 0 {
			batch[0].batch.release()
		}
	}
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
	maxBytes := max(p.budget.max/8, 1)
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
	sb.refs.Store(max(p.holders, 1))
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

// spanBatch is the memory a dispatched batch holds until every destination
// has encoded it.
type spanBatch struct {
	budget *memoryBudget
	bytes  int64
	refs   atomic.Int32
}

// release is called once by each holder; the last one returns the bytes.
func (b *spanBatch) release() {
	if b.refs.Add(-1) == 0 {
		b.budget.Give(b.bytes)
	}
}

// releaseBatch tells the pipeline that a holder is done with a batch it
// consumed.
func releaseBatch(spans []*Span) {
	if len(spans) > 0 && spans[0].batch != nil {
		spans[0].batch.release()
	}
}

// Flush hands everything pending to the consumers and waits, for all of
// them in parallel, until it is delivered or ctx ends.
func (p *Pipeline) Flush(ctx context.Context) error {
	p.dispatch()
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
	return p.each(func(c Consumer) error { return c.Shutdown(ctx) })
}

func (p *Pipeline) each(fn func(Consumer) error) error {
	errs := make([]error, len(p.consumers))
	var wg sync.WaitGroup
	for i, c := range p.consumers {
		wg.Go(func() { errs[i] = fn(c) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Stats returns the pipeline's counters.
func (p *Pipeline) Stats() PipelineStats {
	st := PipelineStats{Accepted: p.accepted.Load(), Dispatched: p.dispatched.Load(), Shed: map[string]int64{},
		MemoryBytes: p.budget.used.Load(), LiveMaxBytes: p.budget.max, MemoryMaxBytes: p.cfg.MemoryMaxBytes,
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
	return st
}
