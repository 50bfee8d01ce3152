package export

import (
	"maps"
	"slices"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Span is one finished span as the pipeline carries it: the SDK's read-only
// snapshot, shared (never copied) by every destination, the trace-level
// facts known for its trace, and the GenAI facts derived from it once.
type Span struct {
	sdktrace.ReadOnlySpan
	// Trace holds what is known of the span's whole trace. It may be nil.
	Trace *TraceInfo
	// Facts is filled by the pipeline, off the caller's path, before any
	// consumer sees the span.
	Facts *Facts
	// size is the span's estimated heap cost, held in the memory budget
	// until every destination has encoded the batch it travels in.
	size  int64
	batch *spanBatch
}

// ForgetBatch detaches a copy of the span from the batch it travelled in,
// for a consumer that keeps it: the copy then pins none of the batch's
// memory.
func (s *Span) ForgetBatch() { s.batch = nil }

// TraceFields are the trace-level facts every span of a trace carries to
// Langfuse, which stores them per observation.
type TraceFields struct {
	Name      string
	SessionID string
	UserID    string
	Tags      []string
	Metadata  map[string]string
}

// TraceInfo is shared by all spans of one trace in this process. Fields can
// grow while the trace runs (a session ID known only after the root span
// started); they are read when a span is translated, off the caller's path,
// so spans see what was known by then.
type TraceInfo struct {
	fields atomic.Pointer[TraceFields]
}

// NewTraceInfo returns a TraceInfo holding f.
func NewTraceInfo(f TraceFields) *TraceInfo {
	t := &TraceInfo{}
	t.fields.Store(&f)
	return t
}

// Fields returns the current trace-level facts. The result must not be
// modified.
func (t *TraceInfo) Fields() *TraceFields {
	if t == nil {
		return &TraceFields{}
	}
	if f := t.fields.Load(); f != nil {
		return f
	}
	return &TraceFields{}
}

// Update applies edit to a copy of the fields and publishes it.
func (t *TraceInfo) Update(edit func(*TraceFields)) {
	for {
		old := t.fields.Load()
		next := TraceFields{}
		if old != nil {
			next = *old
			next.Tags = slices.Clone(old.Tags)
			next.Metadata = maps.Clone(old.Metadata)
		}
		edit(&next)
		if t.fields.CompareAndSwap(old, &next) {
			return
		}
	}
}
