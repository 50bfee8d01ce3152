package dialect

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// The names peers write that genaitrace reads, each from the peer's source
// at the commit docs/dialects.md cites.

// The official compile-time instrumentation (otelc).
const otelcTimeToFirstToken = vocab.OtelcTimeToFirstToken

// OpenLLMetry: its Python instrumentation's reasoning count
// (opentelemetry-semantic-conventions-ai 0.5, SpanAttributes), and its Go
// SDK's llm.* names (traceloop/go-openllmetry semconv-ai/attributes.go,
// written by traceloop-sdk/sdk.go).
const (
	legacyReasoningTokens     = vocab.LegacyReasoningTokens
	traceloopVendor           = attribute.Key("llm.vendor")
	traceloopRequestModel     = attribute.Key("llm.request.model")
	traceloopResponseModel    = attribute.Key("llm.response.model")
	traceloopPromptTokens     = vocab.TraceloopGoPromptTokens
	traceloopCompletionTokens = vocab.TraceloopGoCompletionTokens
	traceloopPromptsPrefix    = "llm.prompts."
	traceloopCompletionPrefix = "llm.completions."
)

// OpenInference (Arize-ai/openinference
// go/openinference-semantic-conventions/attributes.go).
const (
	openInferenceRequestModel   = attribute.Key("llm.request.model_name")
	openInferenceResponseModel  = attribute.Key("llm.response.model_name")
	openInferenceFinishReason   = attribute.Key("llm.finish_reason")
	openInferenceEmbeddingModel = attribute.Key("embedding.model_name")
	openInferenceEmbeddingParam = attribute.Key("embedding.invocation_parameters")
	openInferenceDocumentsPfx   = "retrieval.documents."
	openInferenceChoicesPrefix  = "llm.choices."
	openInferenceAgentName      = attribute.Key("agent.name")
)

// LangSmith Go (langchain-ai/langsmith-go internal/genaiattr/genaiattr.go
// and instrumentation/trace{openai,anthropic,gemini}).
const (
	langSmithUsageMetadata     = attribute.Key("langsmith.usage_metadata")
	langSmithDetailsReasoning  = attribute.Key("gen_ai.usage.details.reasoning_tokens")
	langSmithFlatCacheRead     = attribute.Key("langsmith.metadata.usage_metadata.input_token_details.cache_read")
	langSmithFlatCacheCreation = attribute.Key("langsmith.metadata.usage_metadata.input_token_details.cache_creation")
	langSmithStopReason        = attribute.Key("langsmith.metadata.stop_reason")
	langSmithNewToken          = "new_token"
)

// Google ADK Go (google/adk-go internal/telemetry/telemetry.go).
const (
	adkLLMRequest       = attribute.Key("gcp.vertex.agent.llm_request")
	adkLLMResponse      = attribute.Key("gcp.vertex.agent.llm_response")
	adkToolCallArgs     = attribute.Key("gcp.vertex.agent.tool_call_args")
	adkToolResponse     = attribute.Key("gcp.vertex.agent.tool_response")
	adkFinishReason     = attribute.Key("gen_ai.response.finish_reason")
	adkPromptTokens     = attribute.Key("gen_ai.response.prompt_token_count")
	adkCandidatesTokens = attribute.Key("gen_ai.response.candidates_token_count")
	adkCachedTokens     = attribute.Key("gen_ai.response.cached_content_token_count")
	adkTotalTokens      = attribute.Key("gen_ai.response.total_token_count")
)

// eino's apmplus callback (cloudwego/eino-ext callbacks/apmplus/apmplus.go).
const (
	einoSpanKind           = attribute.Key("gen_ai.span.kind")
	einoInput              = attribute.Key("gen_ai.input")
	einoOutput             = attribute.Key("gen_ai.output")
	einoSessionID          = attribute.Key("gen_ai.session.id")
	einoUserID             = attribute.Key("gen_ai.user.id")
	einoRunName            = attribute.Key("runinfo.name")
	einoRunType            = attribute.Key("runinfo.type")
	einoStop               = attribute.Key("gen_ai.request.stop")
	einoTimeToFirstToken   = attribute.Key("gen_ai.chat_completions.streaming_time_to_first_token")
	einoTimePerOutputToken = attribute.Key("gen_ai.chat_completions.streaming_time_per_output_token")
)

// LangWatch Go (langwatch/langwatch sdks/go at HEAD, sdk-go at v0.3.0).
const (
	langWatchCachedInput     = attribute.Key("gen_ai.usage.cached_input_tokens")
	langWatchInput           = attribute.Key("langwatch.input")
	langWatchOutput          = attribute.Key("langwatch.output")
	langWatchInstructions    = attribute.Key("langwatch.instructions")
	langWatchThreadID        = attribute.Key("langwatch.thread.id")
	langWatchUserID          = attribute.Key("langwatch.user.id")
	langWatchSpanType        = attribute.Key("langwatch.span.type")
	langWatchStreaming       = attribute.Key("langwatch.gen_ai.streaming")
	langWatchTools           = attribute.Key("gen_ai.request.tools")
	langWatchEmbeddingsCount = attribute.Key("gen_ai.response.embeddings_count")
)

// Instana's cost, which other instrumentation writes too (OpenLLMetry).
const usageCost = vocab.UsageCost
