package dialect

import (
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// completionStart gives a call whose time to first chunk is known the
// moment its first chunk came, which Langfuse shows as the completion
// start time: from gen_ai.response.time_to_first_chunk (in the
// conventions' own names too, checked to lie within the span), else from
// LangSmith's new_token event, which it records when the first chunk with
// content is read (instrumentation/traceopenai/openaitrace.go).
func (n *normalizer) completionStart() {
	if n.has(genai.CompletionStartTime) {
		return
	}
	start := n.span.StartTime()
	if v, ok := n.get(genai.ResponseTimeToFirstChunk); ok && v.Type() == attribute.FLOAT64 {
		first := start.Add(time.Duration(v.AsFloat64() * float64(time.Second)))
		n.set(genai.CompletionStartTime.String(first.UTC().Format(time.RFC3339Nano)))
		return
	}
	if !n.is(dialectLangSmith) {
		return
	}
	for _, e := range n.span.Events() {
		if e.Name != langSmithNewToken {
			continue
		}
		if e.Time.Before(start) || e.Time.After(n.span.EndTime()) {
			n.untrusted++
			return
		}
		n.set(genai.ResponseTimeToFirstChunk.Float64(e.Time.Sub(start).Seconds()))
		n.set(genai.CompletionStartTime.String(e.Time.UTC().Format(time.RFC3339Nano)))
		return
	}
}
