package genai

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	oteltrace "go.opentelemetry.io/otel/trace"
)

func TestTraceContextMap(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("t").Start(context.Background(), "call")
	defer span.End()
	meta := map[string]any{"progressToken": 7}
	out := TraceContextMap(ctx, meta)
	if len(meta) != 1 {
		t.Errorf("the caller's map was changed: %v", meta)
	}
	got := propagation.TraceContext{}.Extract(context.Background(), anyCarrier(out))
	if out["progressToken"] != 7 || !spanContextOf(got).IsValid() || spanContextOf(got).TraceID() != span.SpanContext().TraceID() || spanContextOf(got).SpanID() != span.SpanContext().SpanID() {
		t.Errorf("metadata %v", out)
	}
	strs := TraceContextStrings(ctx, nil)
	if strs["traceparent"] == "" {
		t.Errorf("strings %v", strs)
	}
	if none := TraceContextMap(context.Background(), nil); len(none) != 0 {
		t.Errorf("no span, yet %v", none)
	}
}

func spanContextOf(ctx context.Context) oteltrace.SpanContext {
	return oteltrace.SpanContextFromContext(ctx)
}
