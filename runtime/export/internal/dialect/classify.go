package dialect

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// IsModelOperation reports whether op, a gen_ai.operation.name, calls a
// model (inference or embeddings): the operations that carry usage and
// cost. Besides the conventions' names it knows "completion" and
// "generate", which older instrumentation writes.
func IsModelOperation(op string) bool {
	switch op {
	case genai.OpChat, genai.OpTextCompletion, genai.OpGenerateContent, genai.OpEmbeddings, "completion", "generate":
		return true
	}
	return false
}

// IsGenAIKey tells the attributes that only GenAI work carries: the
// conventions' gen_ai.* and the dialects other instrumentation speaks
// (OpenLLMetry's llm.* and span kinds, OpenInference's, LangSmith's,
// LangWatch's, Google ADK's, Genkit's genkit:*).
func IsGenAIKey(k string) bool {
	if k == "" {
		return false
	}
	switch k[0] { // this runs on the caller's path, for every attribute
	case 'g':
		return strings.HasPrefix(k, "gen_ai.") || strings.HasPrefix(k, "genkit:") || strings.HasPrefix(k, "gcp.vertex.agent.")
	case 'l':
		return strings.HasPrefix(k, "llm.") || strings.HasPrefix(k, "langsmith.") || strings.HasPrefix(k, "langwatch.")
	case 'o':
		return k == "openinference.span.kind"
	case 't':
		return k == "traceloop.span.kind"
	}
	return false
}

// IsContent reports whether key may hold content: prompts, completions,
// system instructions, tool arguments, results and definitions, retrieved
// documents, embedded text, raw request or response bodies. Such
// attributes reach only a destination, or a diagnostics page, that takes
// content, and they are masked.
//
// The rule is safe by construction rather than a list of content keys.
// Within the namespaces GenAI instrumentation writes (gen_ai., llm.,
// genkit:, gcp.vertex.agent., langsmith., langwatch., traceloop.,
// OpenInference's input., output., embedding., retrieval., tool., ...), a
// key is content unless it is one of the known metadata keys of that
// namespace (a model, a count, an id, a parameter, a kind): a name no one
// has taught genaitrace, in a namespace that carries content, is treated
// as content. Outside those namespaces only the few bare names Langfuse
// reads as input or output (input, output, prompt, tool_arguments, ...)
// are content.
func IsContent(key attribute.Key) bool {
	s := string(key)
	ns, ok := namespaceOf(s)
	if !ok {
		return isBareContent(s)
	}
	return !ns.metadata(s)
}

// namespace is one namespace GenAI instrumentation writes, with the keys
// in it that are known to carry no content.
type namespace struct {
	prefix string
	// exact are metadata keys (with the prefix cut off); known, when set,
	// says it instead (a switch, for the namespace most keys are in).
	exact map[string]struct{}
	known func(rest string) bool
	// under are prefixes (with the namespace's cut off) under which every
	// key is metadata: counts, costs, user metadata.
	under []string
	// content are prefixes under which keys are content even when exact
	// or under would say otherwise (OpenLLMetry's flattened
	// gen_ai.prompt.N.*, whose indices are not names).
	content []string
}

func (ns *namespace) metadata(s string) bool {
	rest := s[len(ns.prefix):]
	for _, p := range ns.content {
		if strings.HasPrefix(rest, p) && len(rest) > len(p) && rest[len(p)] >= '0' && rest[len(p)] <= '9' {
			return false
		}
	}
	for _, p := range ns.under { // counts first: most numerous
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	if ns.known != nil {
		return ns.known(rest)
	}
	_, ok := ns.exact[rest]
	return ok
}

// genAIMetadata reports the gen_ai.* keys (the prefix cut off) that carry
// no content: the conventions v1.41's (semconv/v1.41.0) and v0.1.0's other
// than messages, system instructions, tool definitions, arguments and
// results; otelc's is_stream and time_to_first_token; OpenLLMetry's
// is_streaming, prompt_caching and request settings; ADK's singular finish
// reason and v0.x token counts; eino's span kind, session and user;
// LangWatch's request settings and response status; ADK v2's node.
func genAIMetadata(rest string) bool {
	switch rest {
	case "operation.name",
		"provider.name",
		"system",
		"conversation.id",
		"conversation.compacted",
		"output.type",
		"data_source.id",
		"embeddings.dimension.count",
		"token.type",
		"token.modality",
		"prompt.name",
		"prompt.version",
		"request.model",
		"request.max_tokens",
		"request.temperature",
		"request.top_p",
		"request.top_k",
		"request.frequency_penalty",
		"request.presence_penalty",
		"request.stop_sequences",
		"request.seed",
		"request.stream",
		"request.choice.count",
		"request.encoding_formats",
		"request.reasoning.level",
		"request.previous_response.id",
		"retrieval.top_k",
		"response.id",
		"response.model",
		"response.finish_reasons",
		"response.time_to_first_chunk",
		"tool.name",
		"tool.call.id",
		"tool.type",
		"tool.description",
		"agent.name",
		"agent.id",
		"agent.description",
		"agent.version",
		"workflow.name",
		"evaluation.name",
		"evaluation.score.value",
		"evaluation.score.label",
		"request.is_stream",
		"response.time_to_first_token",
		"is_streaming",
		"prompt_caching",
		"request.reasoning_effort",
		"request.parallel_tool_calls",
		"request.tool_choice",
		"request.stop",
		"response.finish_reason",
		"response.status",
		"response.embeddings_count",
		"response.prompt_token_count",
		"response.candidates_token_count",
		"response.cached_content_token_count",
		"response.total_token_count",
		"span.kind",
		"session.id",
		"user.id",
		"node.name",
		"task.name",
		"task.id",
		"task.parent.id",
		"user":
		return true
	}
	return false
}

func set(keys ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		m[k] = struct{}{}
	}
	return m
}

// namespaces are the GenAI namespaces, by the first byte of their prefix.
// The metadata keys are cited in docs/dialects.md by the peer that writes
// them; every other key of these namespaces is content.
var namespaces = byFirstByte(map[byte][]*namespace{
	'g': {
		{prefix: "gen_ai.", content: []string{"prompt.", "completion."}, known: genAIMetadata,
			under: []string{"usage.", "client.", "openai.", "chat_completions.streaming_time_"}},
		{prefix: "genkit:", exact: set("name", "type", "state", "path", "isRoot", "isFailureSource",
			"metadata:subtype", "metadata:flow:name")},
		{prefix: "gcp.vertex.agent.", exact: set("invocation_id", "session_id", "event_id")},
		{prefix: "genaitrace.", exact: set("completion_start_time", "stream.chunks", "stream.abandoned", "parent_span_id")},
	},
	'l': {
		{prefix: "llm.", exact: set(
			// OpenInference (go/openinference-semantic-conventions/attributes.go).
			"model_name", "provider", "system", "finish_reason", "request.model_name", "response.model_name",
			"prompt_template.version",
			// OpenLLMetry and its Go SDK (semconv-ai/attributes.go).
			"request.type", "request.model", "response.model", "vendor", "is_streaming", "request.max_tokens",
			"temperature", "top_p", "top_k", "frequency_penalty", "presence_penalty", "chat.stop_sequences", "user"),
			under: []string{"token_count.", "usage.", "cost."}},
		{prefix: "langsmith.", exact: set("span.kind", "trace.name", "trace.session_id", "usage_metadata"),
			under: []string{"metadata."}},
		{prefix: "langwatch.", exact: set("sdk.name", "sdk.version", "sdk.language", "span.type", "user.id",
			"customer.id", "thread.id", "labels", "trace.name", "gen_ai.streaming", "metrics", "timestamps",
			"prompt.id", "prompt.handle", "prompt.version.id", "prompt.version.number")},
		{prefix: "langfuse.", exact: set(),
			// Langfuse's own names, which genaitrace writes: all metadata but
			// the inputs and outputs.
			under: []string{"observation.type", "observation.level", "observation.status_message", "observation.model.",
				"observation.usage_details", "observation.cost_details", "observation.completion_start_time",
				"observation.metadata.", "observation.prompt.", "trace.name", "trace.tags", "trace.metadata.",
				"trace.public", "user.id", "session.id", "release", "environment", "version", "internal.", "tags", "metadata."}},
	},
	't': {
		{prefix: "traceloop.", exact: set("span.kind", "entity.name", "entity.path", "entity.version", "workflow.name"),
			under: []string{"association.properties.", "prompt."}},
		// OpenInference's tool spans.
		{prefix: "tool.", exact: set("name", "id")},
		{prefix: "tool_call.", exact: set("id", "function.name")},
	},
	'i': {{prefix: "input.", exact: set("mime_type")}},
	'o': {{prefix: "output.", exact: set("mime_type")}},
	'e': {{prefix: "embedding.", exact: set("model_name")}},
	'r': {
		{prefix: "retrieval.", exact: set()},
		{prefix: "reranker.", exact: set("model_name", "top_k")},
	},
	'd': {{prefix: "document.", exact: set("id", "score")}},
	'm': {{prefix: "message.", exact: set("role", "name", "tool_call_id", "function_call_name")}},
	'a': {{prefix: "audio.", exact: set("mime_type")}},
	'b': {{prefix: "braintrust.", exact: set("metrics", "metadata", "span_attributes", "parent")}},
})

// byFirstByte indexes namespaces by the first byte of their prefix, so
// that a key costs one index and a prefix test or two.
func byFirstByte(m map[byte][]*namespace) (a [256][]*namespace) {
	for b, nss := range m {
		a[b] = nss
	}
	return a
}

// namespaceOf finds the GenAI namespace s is in.
func namespaceOf(s string) (*namespace, bool) {
	if s == "" {
		return nil, false
	}
	for _, ns := range namespaces[s[0]] {
		if strings.HasPrefix(s, ns.prefix) && len(s) > len(ns.prefix) {
			return ns, true
		}
	}
	return nil, false
}

// isBareContent reports the keys outside the GenAI namespaces that
// Langfuse's OTLP ingestion reads as an observation's input or output (its
// OtelIngestionProcessor's extractInputAndOutput): whatever writes them
// writes content. A switch: it runs for every key outside the namespaces.
func isBareContent(s string) bool {
	switch s {
	case "input", "output", "prompt", "completion", "tool_arguments", "tool_response",
		"all_messages_events", "final_result", "pydantic_ai.all_messages", "mlflow.spanInputs", "mlflow.spanOutputs",
		"ai.prompt", "ai.prompt.messages", "ai.toolCall.args", "ai.toolCall.result", "ai.response.text",
		"ai.response.toolCalls", "ai.response.object", "lk.input_text", "lk.user_transcript", "lk.chat_ctx",
		"lk.function_tool.output", "lk.response.text":
		return true
	}
	return false
}

// IsEventContent reports whether an attribute of a span event holds
// content: a content key (IsContent), or a body field (content, message,
// tool_calls) of the message events the GenAI conventions had before v1.37
// (gen_ai.user.message, gen_ai.choice, ...).
func IsEventContent(event string, k attribute.Key) bool {
	if IsContent(k) {
		return true
	}
	if !IsMessageEvent(event) {
		return false
	}
	switch k {
	case "content", "message", "tool_calls":
		return true
	}
	return false
}

// IsMessageEvent reports the events that carried content before v1.37.
func IsMessageEvent(name string) bool {
	switch name {
	case vocab.EventSystemMessage, vocab.EventUserMessage, vocab.EventAssistantMessage, vocab.EventToolMessage,
		vocab.EventChoice, vocab.EventContentPrompt, vocab.EventContentCompletion, vocab.EventOperationDetails:
		return true
	}
	return false
}
