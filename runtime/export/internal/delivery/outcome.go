package delivery

import (
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
	"github.com/genaitrace/genaitrace/runtime/internal/hooks"
)

// outcome tells Config.OnOutcome what became of b: its traces, read back
// from its bytes when it came from the spool without them.
func (bl *Backlog) outcome(b *Batch, o hooks.Outcome, reason string) {
	if bl.cfg.OnOutcome == nil {
		return
	}
	traces := b.Traces
	if traces == nil && b.replay {
		if raw, err := b.raw(); err == nil {
			traces = otlp.TraceIDs(raw)
		}
	}
	if len(traces) > 0 {
		bl.cfg.OnOutcome(traces, o, reason)
	}
}

// TraceIDs returns the distinct trace IDs of spans, in order.
func TraceIDs[S interface{ SpanContext() trace.SpanContext }](spans []S) []trace.TraceID {
	var out []trace.TraceID
	for _, s := range spans {
		tid := s.SpanContext().TraceID()
		if len(out) == 0 || out[len(out)-1] != tid {
			out = append(out, tid) // a batch's spans of one trace are mostly next to each other: close enough to distinct
		}
	}
	return out
}
