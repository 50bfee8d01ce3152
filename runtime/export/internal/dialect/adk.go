package dialect

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// adk reads Google ADK Go's spans (google/adk-go internal/telemetry). Its
// v0.1–v0.4 call_llm span has no operation and holds the request and
// response whole as JSON (gcp.vertex.agent.llm_request, llm_response),
// its counts as gen_ai.response.*_token_count; from v0.5 on the model call
// is a generate_content span in the conventions' names with the messages
// in log records, not on the span. Every version records a tool's
// arguments and result as gcp.vertex.agent.tool_call_args and
// tool_response (renames) whatever the content switch says. No version
// from v0.5 on names a provider (inferred in providers).
func (n *normalizer) adk() {
	if !n.is(dialectADK) {
		return
	}
	// A tool span's llm_request is "{}" and a merged tool span's arguments
	// "N/A" (telemetry.go:147,170-171): nothing to read, and Langfuse would
	// read them as its input.
	for _, k := range []attribute.Key{adkLLMRequest, adkToolCallArgs} {
		if s := n.str(k); s == "{}" || s == "N/A" {
			n.replaced[k] = true
		}
	}
	if n.has(adkTotalTokens) {
		n.replaced[adkTotalTokens] = true // the usage's total carries it
	}
	if req, ok := parseJSON(n.str(adkLLMRequest)).(map[string]any); ok && len(req) > 0 {
		n.set(genai.OperationName.String(genai.OpGenerateContent))
		n.adkRequest(req)
	}
	if resp, ok := parseJSON(n.str(adkLLMResponse)).(map[string]any); ok {
		n.set(genai.OperationName.String(genai.OpGenerateContent))
		n.adkResponse(resp)
	}
}

// adkRequest reads v0.x's llm_request: {model, content: [genai.Content],
// config: genai.GenerateContentConfig} (telemetry.go's llmRequestToJSON).
func (n *normalizer) adkRequest(req map[string]any) {
	if model, ok := req["model"].(string); ok {
		n.set(genai.RequestModel.String(model))
	}
	if content, ok := req["content"].([]any); ok {
		n.set(genai.InputMessages.String(genai.MessagesJSON(content, "user")), adkLLMRequest)
	}
	cfg, ok := req["config"].(map[string]any)
	if !ok {
		return
	}
	if sys := cfg["systemInstruction"]; sys != nil {
		n.set(genai.SystemInstructions.String(genai.PartsJSON(sys)), adkLLMRequest)
	}
	if tools := cfg["tools"]; tools != nil {
		n.set(genai.ToolDefinitions.String(genai.JSONText(tools)), adkLLMRequest)
	}
	n.requestParameters(cfg, "")
}

// adkResponse reads v0.x's llm_response: model.LLMResponse marshalled
// without JSON tags, so under its Go field names (Content, FinishReason,
// UsageMetadata with genai's own tags).
func (n *normalizer) adkResponse(resp map[string]any) {
	finish, _ := resp["FinishReason"].(string)
	if c, ok := resp["Content"].(map[string]any); ok {
		if finish != "" {
			c = withFinish(c, map[string]any{"finish_reason": finish})
		}
		n.set(genai.OutputMessages.String(genai.MessagesJSON(c, "assistant")), adkLLMResponse)
	}
	if finish != "" {
		n.set(genai.ResponseFinishReasons.StringSlice([]string{finish}))
	}
	u, ok := resp["UsageMetadata"].(map[string]any)
	if !ok {
		return
	}
	n.replaced[adkLLMResponse] = true
	n.jsonUsage(u, usageFields{input: "promptTokenCount", output: "candidatesTokenCount",
		cacheRead: "cachedContentTokenCount", reasoning: "thoughtsTokenCount", total: "totalTokenCount"})
}

// adkGemini tells ADK's Gemini model calls, which name no provider: the
// scope is ADK's and the model Gemini's. ADK runs Gemini through the
// Gemini API or Vertex AI, which the span does not say: the provider is
// the conventions' gcp.gen_ai (any Google generative AI endpoint). ADK
// may run other models; those get none.
func (n *normalizer) adkGemini() bool {
	return n.is(dialectADK) && n.span.InstrumentationScope().Name == scopeADK &&
		strings.HasPrefix(strings.ToLower(n.str(genai.RequestModel)), "gemini-")
}
