package export

import (
	"time"

	"github.com/genaitrace/genaitrace/runtime/export/internal/budget"
	"github.com/genaitrace/genaitrace/runtime/export/internal/verdicts"

	"go.opentelemetry.io/otel/trace"
)

// Sampling says which traces are worth keeping whole, whatever the share
// of the others kept.
type Sampling struct {
	// KeepGenAI keeps every trace with a GenAI span (a model call, an
	// embedding, a tool, an agent), in genaitrace's names or a dialect's.
	KeepGenAI bool
	// KeepErrors keeps every trace with a failed span.
	KeepErrors bool
	// KeepSlowerThan keeps every trace whose local root lasted longer
	// (0: none is kept for its duration).
	KeepSlowerThan time.Duration
}

// The sampler decides, per trace and once, which consumers get it: every
// consumer when it holds something of value (by Sampling) or when it
// cannot be decided in time; the consumers that take plain traces when it
// is a plain trace that was sampled in (its sampled flag, set at its
// start by the share of plain traces kept, consistently by trace ID, or by
// the caller upstream); none when it was sampled out. One trace, one
// verdict, the same for every destination: the Langfuse filter (LLM traces
// only) is the consumers that take no plain traces.
//
// A trace is decided by its first valuable span, or by its local root
// (which ends last: its duration is then known). Until decided, its spans
// wait here, in the memory budget: those of a sampled-out trace for every
// consumer, those of a sampled-in one only for the consumers that take no
// plain traces (the others have them already). The wait is bounded in time
// and in bytes, and when either runs out the oldest waiting traces go to
// every consumer undecided: the sampler fails open, never losing what it is
// unsure of. A decision is remembered for a while for spans that end after
// their root.
type sampler struct {
	rules    Sampling
	budget   *budget.Budget
	maxBytes int64
	wait     time.Duration
	remember time.Duration
	now      func() time.Time
	// plainOnly is set when some consumer takes no plain traces: then
	// sampled-in traces wait too, for them.
	plainOnly bool
	// traceFacts is set when spans come with their trace's facts when it
	// has any (PipelineConfig.Resolve): see firstOfItsTrace.
	traceFacts bool

	held       map[trace.TraceID]*heldTrace
	order      []trace.TraceID // traces in held, oldest first (may name gone ones)
	bytes      int64
	decided    verdicts.Map[KeepReason]
	stats      SamplingStats
	onDecision func(trace.TraceID, KeepReason)
}

type heldTrace struct {
	spans []Span
	bytes int64
	since time.Time
	// forAll is set for a sampled-out trace, whose spans no consumer has
	// yet; a sampled-in trace's were given to the plain consumers.
	forAll bool
}

// KeepReason is why a trace was kept, or that it was not.
type KeepReason uint8

// Why traces are kept.
const (
	// KeptUndecided: not decided yet.
	KeptUndecided KeepReason = iota
	// KeptGenAI: the trace has a GenAI span.
	KeptGenAI
	// KeptError: the trace has a failed span.
	KeptError
	// KeptSlow: the trace's local root lasted longer than KeepSlowerThan.
	KeptSlow
	// KeptSampled: a plain trace in the share of plain traces kept (for the
	// destinations that take plain traces).
	KeptSampled
	// KeptUnsure: the trace waited longer, or held more bytes, than the
	// sampler allows, and went through undecided.
	KeptUnsure
	// SampledOut: a plain trace outside the share kept; no destination
	// got it.
	SampledOut
	numKeepReasons
)

var keepReasonNames = [numKeepReasons]string{"undecided", "genai", "error", "slow", "sampled", "unsure", "sampled_out"}

// String names the reason as /stats does.
func (r KeepReason) String() string {
	if r < numKeepReasons {
		return keepReasonNames[r]
	}
	return "unknown"
}

// valuable reports whether the verdict sends the trace to every consumer.
func (r KeepReason) valuable() bool {
	return r == KeptGenAI || r == KeptError || r == KeptSlow || r == KeptUnsure
}

// SamplingStats counts the sampler's decisions, in traces unless named
// otherwise.
type SamplingStats struct {
	// Kept counts the traces kept, by reason (genai, error, slow, sampled,
	// unsure).
	Kept map[string]int64 `json:"kept"`
	// SampledOut counts the plain traces no destination got, and
	// SampledOutSpans their spans.
	SampledOut      int64 `json:"sampled_out"`
	SampledOutSpans int64 `json:"sampled_out_spans"`
	// HeldSpans and HeldBytes wait for their trace's decision.
	HeldSpans int   `json:"held_spans"`
	HeldBytes int64 `json:"held_bytes"`
	// Forgotten counts verdicts forgotten early to stay in memory.
	Forgotten int64 `json:"verdicts_forgotten"`
}

// Defaults of the sampler: how long and how many bytes undecided traces
// may wait, and how long a decision is remembered.
const (
	samplerWait     = 30 * time.Second
	samplerRemember = time.Minute
)

func newSampler(rules Sampling, b *budget.Budget, plainOnly bool) *sampler {
	sm := &sampler{rules: rules, budget: b, maxBytes: max(b.Max/4, 1), wait: samplerWait, remember: samplerRemember,
		now: time.Now, plainOnly: plainOnly, held: map[trace.TraceID]*heldTrace{},
		stats: SamplingStats{Kept: map[string]int64{}}}
	// The verdicts take at most half the live budget's bytes beside it
	// (4 MiB, 65,536 traces, at the default; unbounded, they took some
	// 100 MiB at 20,000 traces a second): a minute's worth up to about
	// 1,000 traces a second, less above.
	sm.decided = verdicts.New[KeepReason](sm.remember, int(b.Max/2/verdicts.EntryBytes), sm.now())
	return sm
}

// routed is where the spans of one round go: every consumer, the
// consumers that take plain traces, or only those that do not (spans of a
// trace the others had already). filtered counts the spans kept from the
// consumers that take no plain traces.
type routed struct {
	all, plain, notPlain []*Span
	filtered             int
}

// route decides, span by span, where the spans of one batch go, and lets
// go of held spans whose trace was decided or waited too long.
func (sm *sampler) route(spans []*Span) routed {
	now := sm.now()
	var r routed
	for _, s := range spans {
		sm.routeSpan(s, now, &r)
	}
	sm.expire(now, &r)
	return r
}

func (sm *sampler) routeSpan(s *Span, now time.Time, r *routed) {
	tid := s.SpanContext().TraceID()
	if !sm.firstOfItsTrace(s) {
		if keep, ok := sm.decided.Get(tid); ok {
			sm.send(s, keep, r)
			return
		}
	}
	if keep := sm.valueOf(s); keep != KeptUndecided {
		// Even a lone root's verdict is noted: a goroutine may still
		// start a span from its context after it ended.
		sm.decide(tid, keep, now, r)
		sm.send(s, keep, r)
		return
	}
	sampledIn := s.SpanContext().IsSampled()
	if sampledIn {
		r.plain = append(r.plain, s)
		if !sm.plainOnly {
			return // nothing waits: every consumer that could want it has it
		}
	}
	sm.hold(tid, s, now, !sampledIn)
}

// firstOfItsTrace reports a span no other span of its trace can have come
// before: a trace's own root (no parent, not even a remote one) whose trace
// had no child started in this process when it ended (no trace facts:
// the processor registers a trace when its first child starts). Such a
// trace has no verdict yet, and looking one up in a map of every trace of
// the last minute is a miss in memory the caches do not hold (0.4 µs a
// span at 20,000 spans/s). It is known only where the pipeline resolves
// trace facts (traceFacts).
func (sm *sampler) firstOfItsTrace(s *Span) bool {
	return sm.traceFacts && s.Trace == nil && !s.Parent().IsValid()
}

// valueOf is the verdict s alone makes of its trace, or KeptUndecided.
func (sm *sampler) valueOf(s *Span) KeepReason {
	switch {
	case sm.rules.KeepGenAI && (isGenAISpan(s) || s.Trace.HasGenAI()):
		return KeptGenAI
	case sm.rules.KeepErrors && s.Facts.Error:
		return KeptError
	case !s.IsLocalRoot():
		return KeptUndecided
	case sm.rules.KeepSlowerThan > 0 && s.EndTime().Sub(s.StartTime()) > sm.rules.KeepSlowerThan:
		return KeptSlow
	case s.SpanContext().IsSampled():
		return KeptSampled
	}
	return SampledOut
}

// send routes a span of a decided trace.
func (sm *sampler) send(s *Span, keep KeepReason, r *routed) {
	switch {
	case keep.valuable():
		r.all = append(r.all, s)
	case keep == KeptSampled:
		r.plain = append(r.plain, s)
		if sm.plainOnly {
			r.filtered++
		}
	default:
		sm.stats.SampledOutSpans++
	}
}

// decide records a trace's verdict and lets its held spans go where it
// says.
func (sm *sampler) decide(tid trace.TraceID, keep KeepReason, now time.Time, r *routed) {
	sm.note(tid, keep)
	sm.count(keep)
	sm.notify(tid, keep)
	h := sm.release(tid)
	if h == nil {
		return
	}
	switch {
	case keep.valuable() && h.forAll:
		r.all = append(r.all, sm.detached(h.spans)...)
	case keep.valuable():
		r.notPlain = append(r.notPlain, sm.detached(h.spans)...)
	default: // plain: the plain consumers had them (sampled in) or they are lost on purpose (sampled out)
		if keep == SampledOut {
			sm.stats.SampledOutSpans += int64(len(h.spans))
		} else {
			r.filtered += len(h.spans)
		}
		sm.drop(h)
	}
}

// count counts a trace's verdict.
func (sm *sampler) count(keep KeepReason) {
	if keep == SampledOut {
		sm.stats.SampledOut++
	} else {
		sm.stats.Kept[keep.String()]++
	}
}

// notify tells OnDecision of a verdict.
func (sm *sampler) notify(tid trace.TraceID, keep KeepReason) {
	if sm.onDecision != nil {
		sm.onDecision(tid, keep)
	}
}

// note records a verdict for the trace's spans still to come.
func (sm *sampler) note(tid trace.TraceID, keep KeepReason) {
	sm.stats.Forgotten += int64(sm.decided.Put(tid, keep))
}

// hold keeps a copy of s, detached from its batch, in the budget.
func (sm *sampler) hold(tid trace.TraceID, s *Span, now time.Time, forAll bool) {
	h := sm.held[tid]
	if h == nil {
		h = &heldTrace{since: now, forAll: forAll}
		sm.held[tid] = h
		sm.order = append(sm.order, tid)
	}
	c := *s
	facts := *s.Facts // the batch's facts array must not be pinned
	c.Facts, c.batch = &facts, nil
	h.spans = append(h.spans, c)
	h.bytes += s.size
	sm.bytes += s.size
	sm.budget.Take(s.size) // the batch gives its own bytes back when released
}

// release forgets the spans held for tid and returns them.
func (sm *sampler) release(tid trace.TraceID) *heldTrace {
	h := sm.held[tid]
	if h == nil {
		return nil
	}
	delete(sm.held, tid)
	sm.bytes -= h.bytes
	return h
}

// drop gives the bytes of spans no consumer gets back.
func (sm *sampler) drop(h *heldTrace) { sm.budget.Give(h.bytes) }

// expire lets through, undecided, the traces that waited longer than the
// sampler allows, and the oldest ones while the held bytes are over its
// bound; and forgets old decisions, a generation at a time.
func (sm *sampler) expire(now time.Time, r *routed) {
	for len(sm.order) > 0 {
		tid := sm.order[0]
		h := sm.held[tid]
		if h != nil && now.Sub(h.since) < sm.wait && sm.bytes <= sm.maxBytes {
			break
		}
		sm.order = sm.order[1:]
		if h != nil {
			sm.decide(tid, KeptUnsure, now, r)
		}
	}
	sm.decided.Age(now)
}

// drain lets every held span through: at shutdown, undecided is not a
// reason to lose anything.
func (sm *sampler) drain() routed {
	var r routed
	now := sm.now()
	for _, tid := range sm.order {
		if sm.held[tid] != nil {
			sm.decide(tid, KeptUnsure, now, &r)
		}
	}
	sm.order = nil
	return r
}

// detached gives held spans a spanBatch of their own, holding their bytes
// in the budget until the consumers that get them are done.
func (sm *sampler) detached(spans []Span) []*Span {
	sb := &spanBatch{budget: sm.budget}
	sb.refs.Store(1) // the round's hold: see Pipeline.deliver
	out := make([]*Span, len(spans))
	for i := range spans {
		spans[i].batch = sb
		sb.bytes += spans[i].size
		out[i] = &spans[i]
	}
	return out
}

// snapshot returns the sampler's counts.
func (sm *sampler) snapshot() SamplingStats {
	st := sm.stats
	st.Kept = make(map[string]int64, len(sm.stats.Kept))
	for k, v := range sm.stats.Kept {
		st.Kept[k] = v
	}
	for _, h := range sm.held {
		st.HeldSpans += len(h.spans)
	}
	st.HeldBytes = sm.bytes
	return st
}
