package genai

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// TraceContextMap returns a copy of m (a request's metadata: MCP's
// params._meta) with the trace context of ctx added (traceparent,
// tracestate, baggage), so that the spans the server starts for the
// request join the caller's trace, as the conventions for MCP and MCP's
// SEP-414 ask. Generated wrappers call it for a mapping's propagate: key,
// with the context of the span they started; m is not modified (the caller
// may share it).
//
// The keys are those of the global TextMapPropagator
// (otel.SetTextMapPropagator; runtime.Configure sets W3C trace context and
// baggage when it sets the global provider), or of W3C trace context and
// baggage when none is set.
func TraceContextMap(ctx context.Context, m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+3)
	for k, v := range m {
		out[k] = v
	}
	propagator().Inject(ctx, anyCarrier(out))
	return out
}

// TraceContextStrings is TraceContextMap for metadata of strings.
func TraceContextStrings(ctx context.Context, m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+3)
	for k, v := range m {
		out[k] = v
	}
	propagator().Inject(ctx, propagation.MapCarrier(out))
	return out
}

func propagator() propagation.TextMapPropagator {
	if p := otel.GetTextMapPropagator(); len(p.Fields()) > 0 {
		return p
	}
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// anyCarrier carries text map fields in a map of any values.
type anyCarrier map[string]any

func (c anyCarrier) Get(key string) string {
	s, _ := c[key].(string)
	return s
}

func (c anyCarrier) Set(key, value string) { c[key] = value }

func (c anyCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}
