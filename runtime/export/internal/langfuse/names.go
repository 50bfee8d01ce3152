package langfuse

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// Which attributes Langfuse reads under other names, and the observation
// type of a span.

// ModelParam names the gen_ai.request.* keys folded into
// langfuse.observation.model.parameters as they are called there, and is
// "" for every other key.
func ModelParam(k attribute.Key) string {
	switch k {
	case genai.RequestTemperature:
		return "temperature"
	case genai.RequestTopP:
		return "top_p"
	case genai.RequestTopK:
		return "top_k"
	case genai.RequestMaxTokens:
		return "max_tokens"
	case genai.RequestFrequencyPenalty:
		return "frequency_penalty"
	case genai.RequestPresencePenalty:
		return "presence_penalty"
	case genai.RequestStopSequences:
		return "stop"
	case genai.RequestSeed:
		return "seed"
	}
	return ""
}

// IsUsageKey reports the token counts folded into usage_details; sending
// them as well would make Langfuse count them under two names.
func IsUsageKey(k attribute.Key) bool {
	switch k {
	case genai.UsageInputTokens, genai.UsageOutputTokens, genai.UsageCacheReadInputTokens,
		genai.UsageCacheCreationInputTokens, genai.UsageReasoningOutputTokens,
		vocab.LegacyPromptTokens, vocab.LegacyCompletionTokens, vocab.UsageCost:
		return true
	}
	return false
}

// IsUsageName reports the names under which Langfuse's own mapping reads
// usage from any span (gen_ai.usage.*, llm.token_count.*).
func IsUsageName(k attribute.Key) bool {
	return strings.HasPrefix(string(k), "gen_ai.usage.") && k != vocab.UsageCost || strings.HasPrefix(string(k), "llm.token_count.")
}

// IsTotalKey reports the total token counts other dialects send.
func IsTotalKey(k attribute.Key) bool {
	return k == vocab.LegacyGenAITotalTokens || k == vocab.LegacyTotalTokens || k == vocab.OpenInferenceTotalTokens
}

// ObservationType maps a span to Langfuse's observation types: by its
// GenAI operation, else by whether it names a tool or a model.
func ObservationType(operation, toolName string, hasModel bool) string {
	switch operation {
	case genai.OpChat, genai.OpTextCompletion, genai.OpGenerateContent, "completion", "generate":
		return "generation"
	case genai.OpEmbeddings:
		return "embedding"
	case genai.OpInvokeAgent, genai.OpCreateAgent:
		return "agent"
	case genai.OpExecuteTool:
		return "tool"
	case genai.OpInvokeWorkflow:
		return "chain"
	case genai.OpRetrieval:
		return "retriever"
	}
	if toolName != "" {
		return "tool"
	}
	if hasModel {
		return "generation"
	}
	return "span"
}
