package runtime

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/spancopy"
)

// processor is genaitrace's SpanProcessor: it records trace-level facts when
// spans start and hands finished spans to the pipeline. Both do a bounded
// amount of work and never wait on the network or the disk.
type processor struct {
	pipe   *export.Pipeline
	traces *traceTable
	down   atomic.Bool
	// quiet are the diagnostics handler's own spans, never exported.
	quiet quietSpans
}

var _ sdktrace.SpanProcessor = (*processor)(nil)

// OnStart records what spans of the same trace will need and cannot get
// from their own data: attributes attached to the context (session, user,
// tags, a trace name the application chose). A trace is registered when
// its first child starts, or when the context carries such attributes; a
// lone span costs nothing here. The trace's name is not taken here: a
// root is often renamed after its children start (otelhttp names its span
// after the route once the handler has run), so the name is published
// when the root ends (see lookup).
func (p *processor) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	p.quiet.starts(ctx, s.SpanContext())
	parent := trace.SpanContextFromContext(ctx)
	attrs := genai.FromContext(ctx)
	if !parent.IsValid() || parent.IsRemote() { // s is a local root
		if attrs != nil {
			p.traces.started(s.SpanContext().TraceID(), attrs)
		}
		return
	}
	if attrs != nil || parentIsLocalRoot(ctx) {
		p.traces.started(s.SpanContext().TraceID(), attrs)
	}
}

// parentIsLocalRoot reports whether the span in ctx is its trace's root in
// this process: its first child registers the trace, so that spans
// translated after the root ended share the root's final name.
func parentIsLocalRoot(ctx context.Context) bool {
	ps, ok := trace.SpanFromContext(ctx).(sdktrace.ReadOnlySpan)
	if !ok {
		return false
	}
	pp := ps.Parent()
	return !pp.IsValid() || pp.IsRemote()
}

// OnEnd hands a recorded span to the pipeline, sampled in or not (the
// pipeline's sampler decides its trace): one pass over its attributes
// (its size, whether it is GenAI work), a look at its trace when it is
// not, and an append. Its trace's facts are attached later, by resolve, in
// the background.
func (p *processor) OnEnd(s sdktrace.ReadOnlySpan) {
	if p.quiet.ends(s.SpanContext()) || p.down.Load() {
		return
	}
	size, v := export.Inspect(s)
	if size > spancopy.MaxValueBytes {
		// A value no destination is sent in full is cut before it is
		// weighed.
		if cut, ok := spancopy.CutLongValues(s); ok {
			s = cut
			size, _ = export.Inspect(cut)
		}
	}
	if v == export.ValueGenAI {
		p.traces.markGenAI(s.SpanContext().TraceID())
	} else if p.traces.hasGenAI(s.SpanContext().TraceID()) {
		v = export.ValueInGenAITrace
	}
	p.pipe.Accept(export.Span{ReadOnlySpan: s}, v, size)
}

// resolve attaches a span's trace facts; the pipeline calls it off the
// caller's path, well within the time a trace's entry outlives its root.
func (p *processor) resolve(s *export.Span) {
	parent := s.Parent()
	root := !parent.IsValid() || parent.IsRemote()
	s.Trace = p.traces.lookup(s.SpanContext().TraceID(), root, s.Name())
}

// ForceFlush exports everything handed over so far.
func (p *processor) ForceFlush(ctx context.Context) error { return p.pipe.Flush(ctx) }

// Shutdown flushes every destination in parallel and returns by ctx's
// deadline; what cannot be sent is spooled.
func (p *processor) Shutdown(ctx context.Context) error {
	p.down.Store(true)
	p.traces.close()
	return p.pipe.Shutdown(ctx)
}

// traceTable maps live traces to their shared TraceInfo. It is sharded so
// concurrent requests rarely contend on one lock.
type traceTable struct {
	shards [64]traceShard
	stop   chan struct{}
	once   sync.Once
	// keep is how long an entry outlives its local root, for spans that end
	// after it; maxAge bounds entries whose root never ends.
	keep, maxAge time.Duration
}

type traceShard struct {
	mu sync.RWMutex
	m  map[trace.TraceID]*traceEntry
}

type traceEntry struct {
	info    *export.TraceInfo
	created time.Time
	ended   atomic.Int64 // unix nanoseconds the local root ended
	merged  atomic.Pointer[genai.TraceAttrs]
	// named is set when the application named the trace
	// (genai.WithTraceName): the root's name then does not replace it.
	named atomic.Bool
	// genai is set once a GenAI span of the trace ended: its other spans
	// are worth more than plain ones when memory runs short.
	genai atomic.Bool
}

func newTraceTable() *traceTable {
	t := &traceTable{stop: make(chan struct{}), keep: 10 * time.Second, maxAge: time.Hour}
	for i := range t.shards {
		t.shards[i].m = map[trace.TraceID]*traceEntry{}
	}
	go t.sweep()
	return t
}

func (t *traceTable) shard(id trace.TraceID) *traceShard { return &t.shards[id[15]%64] }

// started registers a trace (if new) and merges the context's
// attributes (nil: none).
func (t *traceTable) started(id trace.TraceID, attrs *genai.TraceAttrs) {
	sh := t.shard(id)
	sh.mu.RLock()
	e := sh.m[id]
	sh.mu.RUnlock()
	if e == nil {
		sh.mu.Lock()
		if e = sh.m[id]; e == nil {
			e = &traceEntry{info: export.NewTraceInfo(export.TraceFields{}), created: time.Now()}
			sh.m[id] = e
		}
		sh.mu.Unlock()
	}
	if attrs != nil && e.merged.Swap(attrs) != attrs {
		if attrs.TraceName != "" {
			e.named.Store(true)
		}
		e.info.Update(func(f *export.TraceFields) { mergeAttrs(f, attrs) })
	}
}

func mergeAttrs(f *export.TraceFields, a *genai.TraceAttrs) {
	if a.TraceName != "" {
		f.Name = a.TraceName
	}
	if a.SessionID != "" {
		f.SessionID = a.SessionID
	}
	if a.UserID != "" {
		f.UserID = a.UserID
	}
	for _, tag := range a.Tags {
		if !slices.Contains(f.Tags, tag) {
			f.Tags = append(f.Tags, tag)
		}
	}
	for k, v := range a.Metadata {
		if f.Metadata == nil {
			f.Metadata = map[string]string{}
		}
		f.Metadata[k] = v
	}
}

// lookup returns the trace's info; a local root's end starts its entry's
// grace period.
func (t *traceTable) lookup(id trace.TraceID, root bool, name string) *export.TraceInfo {
	sh := t.shard(id)
	sh.mu.RLock()
	e := sh.m[id]
	sh.mu.RUnlock()
	if e == nil {
		return nil
	}
	if root {
		e.ended.Store(time.Now().UnixNano())
		// The root ends last, with its final name (an HTTP route resolved
		// after the handler ran): from now on it names the trace, unless
		// the application did. Spans translated before carry no name
		// rather than a stale one.
		if f := e.info.Fields(); f.Name != name && !e.named.Load() {
			e.info.Update(func(f *export.TraceFields) { f.Name = name })
		}
	}
	return e.info
}

func (t *traceTable) entry(id trace.TraceID) *traceEntry {
	sh := t.shard(id)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.m[id]
}

// markGenAI notes that a GenAI span of the trace ended (if the trace is
// registered: a lone span has no other spans to raise).
func (t *traceTable) markGenAI(id trace.TraceID) {
	if e := t.entry(id); e != nil && !e.genai.Load() {
		e.genai.Store(true)
	}
}

// hasGenAI reports whether a GenAI span of the trace ended.
func (t *traceTable) hasGenAI(id trace.TraceID) bool {
	e := t.entry(id)
	return e != nil && e.genai.Load()
}

func (t *traceTable) sweep() {
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case now := <-tick.C:
			t.expire(now)
		}
	}
}

func (t *traceTable) expire(now time.Time) {
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for id, e := range sh.m {
			ended := e.ended.Load()
			if (ended != 0 && now.Sub(time.Unix(0, ended)) > t.keep) || now.Sub(e.created) > t.maxAge {
				delete(sh.m, id)
			}
		}
		sh.mu.Unlock()
	}
}

func (t *traceTable) close() { t.once.Do(func() { close(t.stop) }) }
