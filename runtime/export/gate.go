package export

import (
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// gate keeps from a destination the traces that contain no GenAI span
// (Langfuse's "LLM traces only"), and lets through, whole, the traces that
// contain one: their HTTP root and plain children included.
//
// A trace is decided by its first GenAI span (it goes through, with every
// span of the trace held until then) or by its local root (which ends
// last: no GenAI span by then, and the trace is dropped, counted as
// filtered). Until decided, its plain spans wait here, in the memory
// budget; the wait is bounded in time and in bytes, and when either runs
// out the oldest waiting traces go through undecided: the gate fails open,
// never losing what it is unsure of. A decision is remembered for a while
// for spans that end after their root.
type gate struct {
	budget   *memoryBudget // nil: not counted (tests)
	maxBytes int64
	wait     time.Duration
	remember time.Duration
	now      func() time.Time

	mu      sync.Mutex
	held    map[trace.TraceID]*heldTrace
	order   []trace.TraceID // traces in held, oldest first (may name gone ones)
	bytes   int64
	decided map[trace.TraceID]decision
	swept   time.Time
}

type heldTrace struct {
	spans []Span
	bytes int64
	since time.Time
}

type decision struct {
	genai bool
	at    time.Time
}

// Defaults of the gate: how long and how many bytes undecided traces may
// wait, and how long a decision is remembered.
const (
	gateWait     = 30 * time.Second
	gateRemember = time.Minute
)

func newGate(maxBytes int64) *gate {
	return &gate{maxBytes: maxBytes, wait: gateWait, remember: gateRemember, now: time.Now,
		held: map[trace.TraceID]*heldTrace{}, decided: map[trace.TraceID]decision{}}
}

// admitted is what the gate lets through of a batch: pass, the spans of
// the batch itself; freed, spans held before and let go now (detached
// from their batches, their bytes in a spanBatch of their own); and the
// number of spans filtered out.
type admitted struct {
	pass     []*Span
	freed    []*Span
	filtered int
}

// admit sorts one batch.
func (g *gate) admit(spans []*Span) admitted {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	var out admitted
	var freed []Span
	for _, s := range spans {
		tid := s.SpanContext().TraceID()
		d, known := g.decided[tid]
		switch {
		case isGenAISpan(s) || s.Trace.HasGenAI() || (known && d.genai):
			out.pass = append(out.pass, s)
			freed = append(freed, g.release(tid)...)
			g.decided[tid] = decision{genai: true, at: now}
		case known:
			out.filtered++
		case isLocalRoot(s):
			out.filtered += 1 + g.drop(tid)
			g.decided[tid] = decision{at: now}
		default:
			g.hold(tid, s, now)
		}
	}
	freed = append(freed, g.expire(now)...)
	out.freed = g.detachedBatch(freed)
	return out
}

// hold keeps a copy of s, detached from its batch, in the budget.
func (g *gate) hold(tid trace.TraceID, s *Span, now time.Time) {
	h := g.held[tid]
	if h == nil {
		h = &heldTrace{since: now}
		g.held[tid] = h
		g.order = append(g.order, tid)
	}
	c := *s
	facts := *s.Facts // the batch's facts array must not be pinned
	c.Facts, c.batch = &facts, nil
	h.spans = append(h.spans, c)
	h.bytes += s.size
	g.bytes += s.size
	if g.budget != nil {
		g.budget.Take(s.size) // the batch gives its own bytes back when encoded
	}
}

// release returns the spans held for tid and forgets them.
func (g *gate) release(tid trace.TraceID) []Span {
	h := g.held[tid]
	if h == nil {
		return nil
	}
	delete(g.held, tid)
	g.bytes -= h.bytes
	return h.spans
}

// drop forgets the spans held for tid, giving their bytes back, and
// returns how many there were.
func (g *gate) drop(tid trace.TraceID) int {
	spans := g.release(tid)
	if g.budget != nil {
		for _, s := range spans {
			g.budget.Give(s.size)
		}
	}
	return len(spans)
}

// expire lets through, undecided, the traces that waited longer than the
// gate allows, and the oldest ones while the held bytes are over its
// bound; and forgets old decisions (at most once a second).
func (g *gate) expire(now time.Time) []Span {
	var out []Span
	for len(g.order) > 0 {
		tid := g.order[0]
		h := g.held[tid]
		if h != nil && now.Sub(h.since) < g.wait && g.bytes <= g.maxBytes {
			break
		}
		g.order = g.order[1:]
		out = append(out, g.release(tid)...)
	}
	if now.Sub(g.swept) >= time.Second {
		g.swept = now
		for tid, d := range g.decided {
			if now.Sub(d.at) > g.remember {
				delete(g.decided, tid)
			}
		}
	}
	return out
}

// drain lets every held span through: at shutdown, undecided is not a
// reason to lose anything.
func (g *gate) drain() []*Span {
	g.mu.Lock()
	defer g.mu.Unlock()
	var all []Span
	for _, tid := range g.order {
		all = append(all, g.release(tid)...)
	}
	g.order = nil
	return g.detachedBatch(all)
}

// detachedBatch gives held spans a spanBatch of their own, holding their
// bytes in the budget until the destination has encoded them.
func (g *gate) detachedBatch(spans []Span) []*Span {
	if len(spans) == 0 {
		return nil
	}
	sb := &spanBatch{budget: g.budget}
	sb.refs.Store(1)
	out := make([]*Span, len(spans))
	for i := range spans {
		spans[i].batch = sb
		sb.bytes += spans[i].size
		out[i] = &spans[i]
	}
	if g.budget == nil {
		sb.budget = newMemoryBudget(0) // counts nothing that matters
	}
	return out
}

// heldSpans and heldBytes report what waits for a decision.
func (g *gate) heldSpans() (spans int, bytes int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, h := range g.held {
		spans += len(h.spans)
	}
	return spans, g.bytes
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
		case <-d.stopGate:
			return
		case <-t.C:
			if freed := d.gate.admit(nil).freed; len(freed) > 0 {
				d.enqueue(freed)
			}
		}
	}
}
