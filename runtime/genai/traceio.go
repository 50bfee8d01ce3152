package genai

import (
	"context"
	"encoding/json"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Keys of a trace's own input and output, set with SetTraceInput and
// SetTraceOutput. They are content: recorded only while content capture is
// on, and sent only to destinations that take content.
const (
	TraceInput  = attribute.Key("genaitrace.trace.input")
	TraceOutput = attribute.Key("genaitrace.trace.output")
)

// SetTraceInput records v as the input of the trace ctx's span belongs to,
// for destinations that show a trace's input (Langfuse's trace list and
// evaluators). Call it with the context of the request's span (an otelhttp
// handler's r.Context()) to show the request instead of the default, the
// first model call's input. A string is recorded as it is, anything else
// as its JSON. It does nothing while content capture is off.
func SetTraceInput(ctx context.Context, v any) { setTraceIO(ctx, TraceInput, v) }

// SetTraceOutput records v as the trace's output, as SetTraceInput does
// its input; the default is the last model call's output.
func SetTraceOutput(ctx context.Context, v any) { setTraceIO(ctx, TraceOutput, v) }

func setTraceIO(ctx context.Context, key attribute.Key, v any) {
	span := trace.SpanFromContext(ctx)
	if !CaptureContent() || !span.IsRecording() {
		return
	}
	s, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			return // telemetry never fails the caller
		}
		s = string(b)
	}
	span.SetAttributes(key.String(s))
}

type suppressKey struct{}

// WithoutTracing returns a context under which generated wrappers make no
// span: the call goes straight to the wrapped client (a health check, a
// warm-up call, a call whose content must not be recorded anywhere).
func WithoutTracing(ctx context.Context) context.Context {
	return context.WithValue(ctx, suppressKey{}, true)
}

// TracingSuppressed reports whether ctx came from WithoutTracing.
func TracingSuppressed(ctx context.Context) bool {
	on, _ := ctx.Value(suppressKey{}).(bool)
	return on
}
