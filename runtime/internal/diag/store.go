package diag

import (
	"cmp"
	"context"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/internal/hooks"
)

// Store keeps the most recent traces, bounded in bytes: each finished span
// with its facts, and the span itself for translating again what each
// destination was sent. Content attributes are never kept unless shown.
// It is a consumer of the pipeline.
type Store struct {
	maxBytes int64
	content  bool

	mu     sync.Mutex
	traces map[trace.TraceID]*storedTrace
	order  []trace.TraceID // first seen, oldest first
	seq    uint64
	bytes  int64
	evicts int64
	admit  admission
}

type storedTrace struct {
	id    trace.TraceID
	seq   uint64 // when the trace was first seen: the listing's order
	spans []*storedSpan
	bytes int64
	state *traceState
}

// traceState is what is learnt of a stored trace after its spans were
// stored: why the pipeline's sampler kept it, or that it did not, and
// what became of it at each destination.
type traceState struct {
	kept atomic.Uint32 // an export.KeepReason

	mu sync.Mutex
	// outcomes, one per destination that told one (three kinds at most:
	// an array, not a map, as there is one per stored trace).
	outcomes [4]outcomeRecord
}

// outcomeRecord is the last thing that became of a trace's spans at a
// destination.
type outcomeRecord struct {
	dest    string
	outcome hooks.Outcome
	reason  string
	at      time.Time
}

func (t *traceState) outcome(dest string) (outcomeRecord, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, o := range t.outcomes {
		if o.dest == dest {
			return o, true
		}
	}
	return outcomeRecord{}, false
}

// setOutcome records o in the slot of its destination, or a free one.
func (t *traceState) setOutcome(o outcomeRecord) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.outcomes {
		if t.outcomes[i].dest == o.dest || t.outcomes[i].dest == "" {
			t.outcomes[i] = o
			return
		}
	}
}

type storedSpan struct {
	traceID          trace.TraceID
	spanID, parentID trace.SpanID
	remoteParent     bool
	name             string
	kind             trace.SpanKind
	service          string
	start, end       time.Time
	status           codes.Code
	statusMessage    string
	attrs            []attribute.KeyValue
	events           []event
	facts            export.Facts
	trace            export.TraceFields
	state            *traceState // shared by the trace's spans
	// src is the span as the pipeline carried it, for translating again:
	// it holds the whole span, which the store's bytes count.
	src export.Span
}

type event struct {
	name  string
	time  time.Time
	attrs []attribute.KeyValue
}

// NewStore returns a store bounded by maxBytes, showing content when
// content is set.
func NewStore(maxBytes int64, content bool) *Store {
	return &Store{maxBytes: maxBytes, content: content, traces: map[trace.TraceID]*storedTrace{},
		admit: admission{threshold: math.MaxUint64, windowStart: time.Now()}}
}

// admission keeps the store's cost flat under load. Under storeSpanRate
// spans per second every trace is stored; above it, a share of traces
// chosen by trace ID, the same for all spans of a trace, so those stored
// are whole. At such rates the store's bytes hold only the last moment of
// traffic anyway, and recording every span cost the background more than
// a destination's gzip.
type admission struct {
	threshold   uint64 // a trace is stored when the top of its ID is below it
	windowStart time.Time
	seen        int64 // spans seen in the current window
	skipped     int64 // spans not stored, in all
}

// storeSpanRate is the most spans per second the store records in full.
const storeSpanRate = 1000

// admits reports whether spans of trace id are stored, counting the span.
func (a *admission) admits(id trace.TraceID, now time.Time) bool {
	if now.Sub(a.windowStart) >= time.Second {
		a.threshold = thresholdFor(a.seen, now.Sub(a.windowStart))
		a.windowStart, a.seen = now, 0
	}
	a.seen++
	if a.threshold == math.MaxUint64 || binary.BigEndian.Uint64(id[8:]) < a.threshold {
		return true
	}
	a.skipped++
	return false
}

// thresholdFor is the admission threshold after seeing n spans in window:
// all when they were within the rate, else the share that fits.
func thresholdFor(n int64, window time.Duration) uint64 {
	rate := float64(n) / window.Seconds()
	if rate <= storeSpanRate {
		return math.MaxUint64
	}
	return uint64(storeSpanRate / rate * math.MaxUint64)
}

// share is the fraction of traces stored now.
func (a *admission) share() float64 { return float64(a.threshold) / math.MaxUint64 }

// Name returns "diagnostics".
func (s *Store) Name() string { return "diagnostics" }

// Consume stores a batch. It runs in the pipeline's goroutine before the
// destinations encode the batch.
func (s *Store) Consume(spans []*export.Span) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sp := range spans {
		tid := sp.SpanContext().TraceID()
		if !s.admit.admits(tid, now) {
			continue
		}
		rec := s.record(sp)
		t := s.traces[tid]
		if t == nil {
			s.seq++
			t = &storedTrace{id: tid, seq: s.seq, state: &traceState{}}
			s.traces[tid] = t
			s.order = append(s.order, tid)
		}
		rec.state = t.state
		t.spans = append(t.spans, rec)
		n := max(spanBytes(rec), sp.Size()) // src pins the whole span, content the store does not show included
		t.bytes += n
		s.bytes += n
	}
	s.evict()
}

func (s *Store) record(sp *export.Span) *storedSpan {
	sc, parent := sp.SpanContext(), sp.Parent()
	rec := &storedSpan{
		traceID:       sc.TraceID(),
		spanID:        sc.SpanID(),
		parentID:      parent.SpanID(),
		remoteParent:  parent.IsRemote(),
		name:          sp.Name(),
		kind:          sp.SpanKind(),
		start:         sp.StartTime(),
		end:           sp.EndTime(),
		status:        sp.Status().Code,
		statusMessage: sp.Status().Description,
		attrs:         s.filter(sp.Attributes()),
		trace:         *sp.Trace.Fields(),
		src:           *sp,
	}
	for _, e := range sp.Events() {
		rec.events = append(rec.events, event{name: e.Name, time: e.Time, attrs: s.filterEvent(e.Name, e.Attributes)})
	}
	if sp.Facts != nil {
		rec.facts = *sp.Facts
	}
	// src must not pin what it shares with its batch: the batch's facts
	// (one array for all of its spans) and its memory accounting.
	rec.src.Facts, rec.src.Trace = &rec.facts, sp.Trace
	rec.src.ForgetBatch()
	if v, ok := sp.Resource().Set().Value(semconv.ServiceNameKey); ok {
		rec.service = v.AsString()
	}
	return rec
}

// filter drops content unless it may be shown. The slices handed in are
// immutable snapshots, kept as they are when nothing is dropped.
func (s *Store) filter(attrs []attribute.KeyValue) []attribute.KeyValue {
	if s.content || !slices.ContainsFunc(attrs, func(kv attribute.KeyValue) bool { return isShownContent(kv.Key) }) {
		return attrs
	}
	out := make([]attribute.KeyValue, 0, len(attrs))
	for _, kv := range attrs {
		if !isShownContent(kv.Key) {
			out = append(out, kv)
		}
	}
	return out
}

// filterEvent drops an event's content unless it may be shown.
func (s *Store) filterEvent(name string, attrs []attribute.KeyValue) []attribute.KeyValue {
	isContent := func(kv attribute.KeyValue) bool { return export.IsEventContent(name, kv.Key) }
	if s.content || !slices.ContainsFunc(attrs, isContent) {
		return attrs
	}
	return slices.DeleteFunc(slices.Clone(attrs), isContent)
}

func isShownContent(k attribute.Key) bool {
	return export.IsContent(k) || strings.HasPrefix(string(k), "traceloop.entity.")
}

// evict drops the oldest traces until the store fits its budget.
func (s *Store) evict() {
	for s.bytes > s.maxBytes && len(s.order) > 0 {
		tid := s.order[0]
		s.order = s.order[1:]
		if t := s.traces[tid]; t != nil {
			s.bytes -= t.bytes
			delete(s.traces, tid)
			s.evicts++
		}
	}
}

// Decided notes why the pipeline's sampler kept a trace, or that it
// sampled it out. It runs in the pipeline's goroutine.
func (s *Store) Decided(tid trace.TraceID, why export.KeepReason) {
	s.mu.Lock()
	t := s.traces[tid]
	s.mu.Unlock()
	if t != nil {
		t.state.kept.Store(uint32(why))
	}
}

// Outcome notes what became of traces' spans at a destination: the
// destinations' senders tell it batch by batch. Traces the store does not
// hold are ignored.
func (s *Store) Outcome(dest string, tids []trace.TraceID, o hooks.Outcome, reason string) {
	now := time.Now()
	s.mu.Lock()
	states := make([]*traceState, 0, len(tids))
	for _, tid := range tids {
		if t := s.traces[tid]; t != nil {
			states = append(states, t.state)
		}
	}
	s.mu.Unlock()
	for _, st := range states {
		st.setOutcome(outcomeRecord{dest: dest, outcome: o, reason: reason, at: now})
	}
}

// Flush has nothing to deliver.
func (s *Store) Flush(context.Context) error { return nil }

// Shutdown keeps the traces: the page can still show them.
func (s *Store) Shutdown(context.Context) error { return nil }

func spanBytes(r *storedSpan) int64 {
	// The retained SDK snapshot costs about what the attributes do again.
	n := 400 + int64(len(r.name)+len(r.statusMessage)+len(r.service)) + 2*attrsBytes(r.attrs)
	for _, e := range r.events {
		n += 64 + int64(len(e.name)) + attrsBytes(e.attrs)
	}
	return n
}

func attrsBytes(attrs []attribute.KeyValue) int64 {
	n := int64(24)
	for _, kv := range attrs {
		n += int64(len(kv.Key)) + 32
		switch kv.Value.Type() {
		case attribute.STRING:
			n += int64(len(kv.Value.AsString()))
		case attribute.STRINGSLICE:
			for _, v := range kv.Value.AsStringSlice() {
				n += int64(len(v)) + 16
			}
		case attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.BOOLSLICE:
			n += 64
		}
	}
	return n
}

// get copies a trace's spans for reading without the lock.
func (s *Store) get(tid trace.TraceID) ([]*storedSpan, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.traces[tid]
	if t == nil {
		return nil, false
	}
	return slices.Clone(t.spans), true // stored spans are not modified after Consume
}

// listed is one stored trace, with the sequence of its first sighting.
type listed struct {
	seq   uint64
	spans []*storedSpan
}

// list returns every stored trace, newest first, with before > 0 only
// those first seen before that sequence number.
func (s *Store) list(before uint64) []listed {
	s.mu.Lock()
	out := make([]listed, 0, len(s.traces))
	for _, t := range s.traces {
		if before == 0 || t.seq < before {
			out = append(out, listed{seq: t.seq, spans: slices.Clone(t.spans)})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b listed) int { return cmp.Compare(b.seq, a.seq) })
	return out
}

// storeStats describes the store.
type storeStats struct {
	Traces        int   `json:"traces"`
	Bytes         int64 `json:"bytes"`
	MaxBytes      int64 `json:"max_bytes"`
	EvictedTraces int64 `json:"evicted_traces"`
	// StoredShare is the fraction of traces stored now: 1 unless spans
	// arrive faster than the store records in full.
	StoredShare  float64 `json:"stored_share"`
	SkippedSpans int64   `json:"skipped_spans"`
}

func (s *Store) stats() storeStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return storeStats{Traces: len(s.traces), Bytes: s.bytes, MaxBytes: s.maxBytes, EvictedTraces: s.evicts,
		StoredShare: s.admit.share(), SkippedSpans: s.admit.skipped}
}
