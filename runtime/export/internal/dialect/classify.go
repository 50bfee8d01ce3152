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
// Genkit's genkit:*).
func IsGenAIKey(k string) bool {
	if k == "" {
		return false
	}
	switch k[0] { // this runs on the caller's path, for every attribute
	case 'g':
		return strings.HasPrefix(k, "gen_ai.") || strings.HasPrefix(k, "genkit:")
	case 'l':
		return strings.HasPrefix(k, "llm.") || k == "langsmith.span.kind"
	case 'o':
		return k == "openinference.span.kind"
	case 't':
		return k == "traceloop.span.kind"
	}
	return false
}

// IsContent reports whether key holds prompt or completion content (in any
// destination's language, or another instrumentation's: OpenLLMetry's,
// OpenInference's, LangSmith's, Genkit's, LangWatch's, Braintrust's), which
// only reaches a destination or a diagnostics page that opted in.
func IsContent(key attribute.Key) bool {
	switch key {
	case genai.InputMessages, genai.OutputMessages, genai.SystemInstructions,
		genai.ToolCallArguments, genai.ToolCallResult, genai.ToolDefinitions,
		genai.TraceInput, genai.TraceOutput,
		vocab.LangfuseObservationInput, vocab.LangfuseObservationOutput,
		vocab.LangfuseTraceInput, vocab.LangfuseTraceOutput,
		vocab.TraceloopEntityInput, vocab.TraceloopEntityOutput,
		vocab.LangSmithPrompt, vocab.LangSmithCompletion,
		vocab.OpenInferenceInputValue, vocab.OpenInferenceOutputValue,
		genkitInput, genkitOutput, langWatchInput, langWatchOutput, braintrustInput, braintrustOutput:
		return true
	}
	s := string(key)
	return strings.HasPrefix(s, vocab.LegacyPromptPrefix) || strings.HasPrefix(s, vocab.LegacyCompletionPrefix) ||
		strings.HasPrefix(s, vocab.OpenInferenceInputMessagesPfx) || strings.HasPrefix(s, vocab.OpenInferenceOutputMessagesPfx)
}

// Content keys of instrumentation genaitrace does not normalise: their
// content obeys the same policy.
const (
	langWatchInput   = attribute.Key("langwatch.input")
	langWatchOutput  = attribute.Key("langwatch.output")
	braintrustInput  = attribute.Key("braintrust.input_json")
	braintrustOutput = attribute.Key("braintrust.output_json")
)

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
