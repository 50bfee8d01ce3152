package export

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/spancopy"
)

// TestWithoutContentKeepsTheCall: a GenAI span that does not fit the
// memory budget whole loses its content (by the content rule, for any
// instrumentation), never its model.
func TestWithoutContentKeepsTheCall(t *testing.T) {
	spans := recordSpans(t, resource.Empty(), func(tp trace.TracerProvider) {
		_, s := tp.Tracer("t").Start(t.Context(), "chat", trace.WithAttributes(genai.InputMessages.String("a prompt"), genai.RequestModel.String("m"),
			attribute.String("input.value", "an OpenInference prompt")))
		s.End()
	})
	orig := spans[0].ReadOnlySpan
	lean := withoutContent(orig)
	a := lean.Attributes()
	if len(a) != 3 || a[0].Value.AsString() != spancopy.ContentDropped || a[1] != orig.Attributes()[1] || a[2].Value.AsString() != spancopy.ContentDropped {
		t.Errorf("without content: %v", a)
	}
}
