package export

import (
	"github.com/genaitrace/genaitrace/runtime/export/internal/budget"
	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
	"github.com/genaitrace/genaitrace/runtime/internal/spancopy"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// DestinationShare is the most of the memory budget one destination's
// queue may hold: half of the live share, split between them. One that
// falls behind spills to its own spool past it, so that it never makes
// the pipeline shed what the others would have sent.
func DestinationShare(memoryMaxBytes int64, destinations int) int64 {
	return budget.LiveShare(memoryMaxBytes) / int64(2*max(destinations, 1))
}

// Value is what a span is worth when memory runs short: the least
// valuable goes first.
type Value uint8

// Span values, least valuable first.
const (
	ValuePlain        Value = iota // a span of a trace with no GenAI span known
	ValueInGenAITrace              // a plain span of a trace that has a GenAI span
	ValueGenAI                     // a GenAI span (a model call, embedding, tool or agent) or a failed one
	numValues
)

// String names the value.
func (v Value) String() string {
	switch v {
	case ValueInGenAITrace:
		return "genai_trace"
	case ValueGenAI:
		return "genai"
	}
	return "plain"
}

// shedReason is the drop reason of a span of this value shed for memory.
func (v Value) shedReason() string {
	return [...]string{DropShedPlain, DropShedGenAITrace, DropShedGenAI}[v]
}

// Sizes the estimate of a span's heap cost is built from: the SDK's
// snapshot struct and its slices, an attribute.KeyValue, an event or link
// with its slices (measured: BenchmarkBufferedMemory, 1.19 KB for a span
// of ten attributes).
const (
	spanOverhead  = 512
	attrOverhead  = 64
	eventOverhead = 96
)

// Inspect returns, in one pass over its attributes, a finished span's
// estimated size in bytes and its value as far as it tells (GenAI or
// failed: ValueGenAI; else ValuePlain, which its trace may raise).
func Inspect(s sdktrace.ReadOnlySpan) (size int64, v Value) {
	size = spanOverhead + int64(len(s.Name()))
	genai := false
	for _, kv := range s.Attributes() {
		size += attrSize(kv)
		if !genai && dialect.IsGenAIKey(string(kv.Key)) {
			genai = true
		}
	}
	for _, e := range s.Events() {
		size += eventOverhead + int64(len(e.Name))
		for _, kv := range e.Attributes {
			size += attrSize(kv)
		}
	}
	for _, l := range s.Links() {
		size += eventOverhead
		for _, kv := range l.Attributes {
			size += attrSize(kv)
		}
	}
	if genai || s.Status().Code == codes.Error {
		v = ValueGenAI
	}
	return size, v
}

// attrSize estimates an attribute's heap cost: exact for strings (where
// prompts and completions live), a flat allowance for arrays and maps,
// whose lengths the attribute API only tells by copying them, which the
// caller's path must not do.
func attrSize(kv attribute.KeyValue) int64 {
	switch kv.Value.Type() {
	case attribute.STRING:
		return attrOverhead + int64(len(kv.Value.AsString()))
	case attribute.BOOL, attribute.INT64, attribute.FLOAT64, attribute.EMPTY:
		return attrOverhead
	}
	return attrOverhead + sliceAllowance
}

const sliceAllowance = 256

// minContentBytes is the least a span's strings must weigh for a copy
// without its content to be worth making when the budget is full: below
// it, the copy would cost the caller more than it could save.
const minContentBytes = 1 << 10

// mayHoldContent reports whether a span of that estimated size has enough
// bytes beyond its attributes' and events' fixed costs to hold content
// worth dropping. It reads two lengths: the caller pays it only when the
// budget is full.
func mayHoldContent(s sdktrace.ReadOnlySpan, size int64) bool {
	fixed := spanOverhead + int64(len(s.Attributes()))*attrOverhead + int64(len(s.Events()))*eventOverhead
	return size-fixed >= minContentBytes
}

// withoutContent returns a copy of s with its content (prompts,
// completions, tool payloads) replaced by spancopy.ContentDropped, for a
// GenAI span that does not fit the memory budget whole: its model, usage
// and cost are worth more than its content. It runs on the caller's path,
// only when the budget is full.
func withoutContent(s sdktrace.ReadOnlySpan) sdktrace.ReadOnlySpan {
	return spancopy.WithoutContent(s, func(event string, k attribute.Key) bool {
		if event != "" {
			return IsEventContent(event, k)
		}
		return IsContent(k)
	})
}
