package dialect

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

var isContentSink bool

// BenchmarkIsContent measures the content decision translators make for
// every attribute of every span sent to a destination without content
// (and masking makes for every destination with a mask): the keys of a
// model call as OpenInference, OpenLLMetry and the conventions write them,
// and others'.
func BenchmarkIsContent(b *testing.B) {
	keys := []attribute.Key{"gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.usage.input_tokens",
		"gen_ai.usage.output_tokens", "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.response.finish_reasons",
		"gen_ai.prompt.0.content", "gen_ai.completion.0.role", "llm.token_count.prompt", "llm.input_messages.0.message.content",
		"input.value", "openinference.span.kind", "http.route", "server.address", "session.id", "genkit:input",
		"traceloop.workflow.name", "langfuse.observation.type"}
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range keys {
			isContentSink = IsContent(k)
		}
	}
}
