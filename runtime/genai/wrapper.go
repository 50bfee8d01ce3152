package genai

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of generated wrappers' spans.
const ScopeName = "github.com/genaitrace/genaitrace"

// SchemaURL is the semantic-conventions schema the wrappers follow.
const SchemaURL = "https://opentelemetry.io/schemas/1.41.0"

// Version is the version recorded as the instrumentation scope's version.
const Version = "0.1.0"

// Option configures a generated wrapper.
type Option func(*wrapperConfig)

type wrapperConfig struct {
	tp trace.TracerProvider
}

// WithTracerProvider makes a wrapper start its spans from tp instead of
// the global TracerProvider.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *wrapperConfig) { c.tp = tp }
}

// NewTracer returns the tracer a generated wrapper uses: from the
// TracerProvider given with WithTracerProvider, else the global one (which
// follows a provider set later, such as runtime.Configure's).
func NewTracer(opts ...Option) trace.Tracer {
	var c wrapperConfig
	for _, o := range opts {
		o(&c)
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	return suppressible{c.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(Version), trace.WithSchemaURL(SchemaURL))}
}

// suppressible starts no span under a context from WithoutTracing: it hands
// back the context as it is and a span that records nothing, so the
// wrapper's call goes through untraced and the caller's span is left alone.
type suppressible struct{ trace.Tracer }

func (t suppressible) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	if TracingSuppressed(ctx) {
		return ctx, nonRecording
	}
	return t.Tracer.Start(ctx, name, opts...)
}

// nonRecording is a span that records nothing and ends nothing.
var nonRecording = trace.SpanFromContext(context.Background())

// SpanName names a GenAI span as the conventions do: the operation, then
// the model, tool or agent when known ("chat gpt-4o", "execute_tool search").
func SpanName(operation, detail string) string {
	if detail == "" {
		return operation
	}
	return operation + " " + detail
}
