package export

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// Consumer receives batches of finished spans: a destination, the console,
// the diagnostics store. Consume must hand the batch off without blocking on
// I/O; the spans are shared by all consumers and must not be modified.
type Consumer interface {
	Name() string
	Consume(spans []*Span)
	// Flush waits until what was consumed so far is delivered, or ctx ends.
	Flush(ctx context.Context) error
	// Shutdown delivers or keeps what it holds and returns by ctx's deadline.
	Shutdown(ctx context.Context) error
}

// PipelineConfig configures a Pipeline. Zero fields take defaults.
type PipelineConfig struct {
	// MaxBatch is the most spans encoded into one request (default 512).
	MaxBatch int
	// BatchTimeout is the longest a finished span waits for its batch
	// (default 500 ms).
	BatchTimeout time.Duration
	// MaxPending bounds spans handed over by span.End and not yet batched
	// (default 65,536). They stay there for one BatchTimeout at most, unless
	// the process is out of CPU.
	MaxPending int
	// Prices estimate cost; nil disables cost estimation.
	Prices *pricing.Table
	// Resolve, when set, attaches trace-level facts to each span before
	// its GenAI facts are derived. It runs in the pipeline's goroutine.
	Resolve func(*Span)
	Logger  *slog.Logger
}

// PipelineStats counts what the pipeline took from span.End.
type PipelineStats struct {
	Accepted int64 `json:"accepted"`
	// DroppedFull counts spans refused because the hand-off buffer was full.
	DroppedFull int64 `json:"dropped_ingest_full"`
	Pending     int   `json:"pending"`
}

// Pipeline is the single stream of finished spans: span.End appends to it,
// and one background goroutine batches the spans, derives their GenAI facts
// once, and hands each batch to every consumer.
type Pipeline struct {
	cfg       PipelineConfig
	consumers []Consumer

	mu      sync.Mutex
	pending []Span
	closed  bool

	accepted atomic.Int64
	dropped  atomic.Int64

	dispatchMu sync.Mutex // orders batches between the batcher and Flush
	wake       chan struct{}
	stop       chan struct{}
	done       chan struct{}
	stopOnce   sync.Once
}

// NewPipeline starts a pipeline feeding consumers.
func NewPipeline(cfg PipelineConfig, consumers ...Consumer) *Pipeline {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 512
	}
	if cfg.BatchTimeout <= 0 {
		cfg.BatchTimeout = 500 * time.Millisecond
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 1 << 16
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	p := &Pipeline{
		cfg:       cfg,
		consumers: consumers,
		pending:   make([]Span, 0, cfg.MaxBatch),
		wake:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	go p.run()
	return p
}

// Consumers returns the consumers, in the order given.
func (p *Pipeline) Consumers() []Consumer { return p.consumers }

// Accept takes one finished span. It is the caller's whole cost of export:
// a lock, an append and, once per batch, a non-blocking signal.
func (p *Pipeline) Accept(s Span) {
	p.mu.Lock()
	if p.closed || len(p.pending) >= p.cfg.MaxPending {
		p.mu.Unlock()
		p.dropped.Add(1)
		return
	}
	p.pending = append(p.pending, s)
	full := len(p.pending) == p.cfg.MaxBatch
	p.mu.Unlock()
	p.accepted.Add(1)
	if full {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
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

// dispatch hands everything pending to the consumers, in batches.
func (p *Pipeline) dispatch() {
	p.dispatchMu.Lock()
	defer p.dispatchMu.Unlock()
	for {
		p.mu.Lock()
		spans := p.pending
		if len(spans) > 0 {
			p.pending = make([]Span, 0, p.cfg.MaxBatch)
		}
		p.mu.Unlock()
		if len(spans) == 0 {
			return
		}
		for start := 0; start < len(spans); start += p.cfg.MaxBatch {
			chunk := spans[start:min(start+p.cfg.MaxBatch, len(spans))]
			batch := make([]*Span, len(chunk))
			facts := make([]Facts, len(chunk))
			for i := range chunk {
				if p.cfg.Resolve != nil {
					p.cfg.Resolve(&chunk[i])
				}
				DeriveFacts(&chunk[i], &facts[i], p.cfg.Prices)
				batch[i] = &chunk[i]
			}
			for _, c := range p.consumers {
				c.Consume(batch)
			}
		}
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
	p.mu.Lock()
	n := len(p.pending)
	p.mu.Unlock()
	return PipelineStats{Accepted: p.accepted.Load(), DroppedFull: p.dropped.Load(), Pending: n}
}
