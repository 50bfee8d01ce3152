package vocab

import "go.opentelemetry.io/otel/attribute"

// Names other GenAI instrumentation writes, which genaitrace reads to derive
// the conventions' attributes for spans it did not make (docs/dialects.md).
// The legacy OpenLLMetry names above are read as well.

// The official compile-time instrumentation (otelc) for openai-go and
// anthropic-sdk-go, and OpenLLMetry 0.62.
const (
	OtelcIsStream         = attribute.Key("gen_ai.request.is_stream")
	OtelcTimeToFirstToken = attribute.Key("gen_ai.response.time_to_first_token") // integer, microseconds
	GenAIIsStreaming      = attribute.Key("gen_ai.is_streaming")
)

// OpenLLMetry (traceloop) names not written for Instana.
const (
	TraceloopEntityInput  = attribute.Key("traceloop.entity.input")
	TraceloopEntityOutput = attribute.Key("traceloop.entity.output")
)

// LangSmith Go: the prompt and completion as JSON strings.
const (
	LangSmithPrompt     = attribute.Key("gen_ai.prompt")
	LangSmithCompletion = attribute.Key("gen_ai.completion")
	LangSmithSpanKind   = attribute.Key("langsmith.span.kind")
)

// OpenInference (Arize), as its semantic conventions name them.
const (
	OpenInferenceSpanKind          = attribute.Key("openinference.span.kind")
	OpenInferenceModelName         = attribute.Key("llm.model_name")
	OpenInferenceProvider          = attribute.Key("llm.provider")
	OpenInferenceSystem            = attribute.Key("llm.system")
	OpenInferencePromptTokens      = attribute.Key("llm.token_count.prompt")
	OpenInferenceCompletionTokens  = attribute.Key("llm.token_count.completion")
	OpenInferenceTotalTokens       = attribute.Key("llm.token_count.total")
	OpenInferenceCacheReadTokens   = attribute.Key("llm.token_count.prompt_details.cache_read")
	OpenInferenceCacheWriteTokens  = attribute.Key("llm.token_count.prompt_details.cache_write")
	OpenInferenceReasoningTokens   = attribute.Key("llm.token_count.completion_details.reasoning")
	OpenInferenceInputValue        = attribute.Key("input.value")
	OpenInferenceOutputValue       = attribute.Key("output.value")
	OpenInferenceToolName          = attribute.Key("tool.name")
	OpenInferenceInvocationParams  = attribute.Key("llm.invocation_parameters")
	OpenInferenceInputMessagesPfx  = "llm.input_messages."
	OpenInferenceOutputMessagesPfx = "llm.output_messages."
)

// Events of the GenAI conventions before v1.37, which carried content as
// span events rather than attributes.
const (
	EventSystemMessage     = "gen_ai.system.message"
	EventUserMessage       = "gen_ai.user.message"
	EventAssistantMessage  = "gen_ai.assistant.message"
	EventToolMessage       = "gen_ai.tool.message"
	EventChoice            = "gen_ai.choice"
	EventContentPrompt     = "gen_ai.content.prompt"
	EventContentCompletion = "gen_ai.content.completion"
	EventOperationDetails  = "gen_ai.client.inference.operation.details"
)
