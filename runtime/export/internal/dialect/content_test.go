package dialect

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

// TestContentRule: every content field the peers' sources write is
// content (each cited in docs/dialects.md), their metadata is not, an
// unknown key of a GenAI namespace is content and one outside them is
// not.
func TestContentRule(t *testing.T) {
	content := []string{
		// The conventions, genaitrace's and Langfuse's own.
		"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "gen_ai.tool.definitions",
		"gen_ai.tool.call.arguments", "gen_ai.tool.call.result", "genaitrace.trace.input", "langfuse.observation.input",
		"langfuse.trace.output",
		// otelc's (unmerged PR #740) and LangSmith's whole values.
		"gen_ai.prompt", "gen_ai.completion",
		// OpenLLMetry: flattened messages, entity input, ungated schemas and headers.
		"gen_ai.prompt.0.content", "gen_ai.prompt.3.tool_calls.0.arguments", "gen_ai.completion.1.content", "gen_ai.prompt.0.user",
		"traceloop.entity.input", "traceloop.entity.output", "gen_ai.request.structured_output_schema", "gen_ai.headers",
		"gen_ai.task.input", "gen_ai.prompt.prompt_filter_results",
		// The traceloop Go SDK.
		"llm.prompts.1.content", "llm.prompts.2.tool_calls.0.arguments", "llm.completions.0.content",
		"llm.request.functions.0.description", "llm.request.functions.0.parameters",
		// OpenInference.
		"input.value", "output.value", "llm.input_messages.0.message.content", "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments",
		"llm.invocation_parameters", "llm.tools.0.tool.json_schema", "embedding.embeddings.0.embedding.text",
		"embedding.embeddings.0.embedding.vector", "embedding.invocation_parameters", "retrieval.documents.0.document.content",
		"retrieval.documents.0.document.metadata", "reranker.query", "tool.description", "tool.parameters", "tool.json_schema",
		"llm.prompt_template.template", "llm.prompt_template.variables", "llm.function_call", "llm.prompts.0.prompt.text",
		"llm.choices.0.completion.text", "audio.transcript", "message.content",
		// Google ADK.
		"gcp.vertex.agent.llm_request", "gcp.vertex.agent.llm_response", "gcp.vertex.agent.tool_call_args", "gcp.vertex.agent.tool_response",
		// eino's apmplus.
		"gen_ai.input", "gen_ai.output",
		// LangWatch.
		"langwatch.input", "langwatch.output", "langwatch.instructions", "langwatch.rag.contexts", "langwatch.params",
		"langwatch.prompt.variables", "gen_ai.request.tools", "gen_ai.response.output_content", "gen_ai.response.tool_calls",
		// Genkit, Braintrust, and what Langfuse reads as input or output.
		"genkit:input", "genkit:output", "genkit:metadata:context", "braintrust.input_json", "input", "output", "tool_arguments",
		"mlflow.spanInputs",
		// Names no one taught genaitrace, in a GenAI namespace.
		"gen_ai.brand_new_content", "llm.something", "langsmith.prompt", "gcp.vertex.agent.whatever",
	}
	metadata := []string{
		"gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.system", "gen_ai.request.model", "gen_ai.request.temperature",
		"gen_ai.response.model", "gen_ai.response.finish_reasons", "gen_ai.usage.input_tokens", "gen_ai.usage.cached_input_tokens",
		"gen_ai.usage.details.reasoning_tokens", "gen_ai.tool.name", "gen_ai.tool.call.id", "gen_ai.agent.name",
		"gen_ai.conversation.id", "gen_ai.prompt.name", "gen_ai.response.time_to_first_token", "gen_ai.request.is_stream",
		"gen_ai.response.prompt_token_count", "gen_ai.response.finish_reason", "gen_ai.span.kind", "gen_ai.session.id",
		"gen_ai.chat_completions.streaming_time_to_first_token", "gen_ai.openai.response.system_fingerprint",
		"gen_ai.node.name", "genaitrace.completion_start_time",
		"llm.model_name", "llm.provider", "llm.system", "llm.token_count.prompt", "llm.cost.total", "llm.finish_reason",
		"llm.request.model_name", "llm.request.type", "llm.vendor", "llm.request.model", "llm.usage.prompt_tokens",
		"input.mime_type", "output.mime_type", "embedding.model_name", "tool.name", "tool.id", "document.id",
		"gcp.vertex.agent.invocation_id", "gcp.vertex.agent.event_id",
		"genkit:name", "genkit:type", "genkit:metadata:subtype", "genkit:path", "genkit:state", "genkit:isRoot",
		"langsmith.usage_metadata", "langsmith.metadata.stop_reason", "langsmith.span.kind",
		"langwatch.sdk.name", "langwatch.span.type", "langwatch.thread.id",
		"traceloop.span.kind", "traceloop.entity.name", "traceloop.association.properties.user_id", "traceloop.workflow.name",
		"langfuse.observation.type", "langfuse.observation.usage_details", "langfuse.trace.metadata.tenant",
		// Outside the GenAI namespaces.
		"http.url", "session.id", "user.id", "metadata", "tag.tags", "runinfo.type", "session_id", "server.address",
		"messaging.system", "error.type",
	}
	for _, k := range content {
		if !IsContent(attribute.Key(k)) {
			t.Errorf("%s is content", k)
		}
	}
	for _, k := range metadata {
		if IsContent(attribute.Key(k)) {
			t.Errorf("%s is not content", k)
		}
	}
}

func TestStripEcho(t *testing.T) {
	for in, want := range map[string]string{
		`HTTP 400: {"error":{"message":"Invalid 'messages[0]': 'my prompt'"}}...`: "HTTP 400",
		"HTTP 429: Too Many Requests": "HTTP 429",
		"Cancelled":                   "Cancelled",
		"HTTP 4000: x":                "HTTP 4000: x",
		"dial tcp: refused":           "dial tcp: refused",
	} {
		if got := StripEcho(in); got != want {
			t.Errorf("StripEcho(%q) = %q, want %q", in, got, want)
		}
	}
}
