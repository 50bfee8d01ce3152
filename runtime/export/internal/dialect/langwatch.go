package dialect

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// langWatch reads LangWatch Go's spans. At HEAD (sdks/go) its OpenAI
// instrumentation writes the conventions' names, but its messages in
// OpenAI's shape ({role, content, tool_calls}) rather than the
// conventions' parts, and for Responses array input, embeddings, legacy
// completions and any other endpoint the content whole in
// langwatch.input / langwatch.output, an envelope {type, value}; v0.3.0
// (sdk-go) writes its content only there, and the system prompt as
// langwatch.instructions (renames). Its cached input is added back in
// reconcileUsage.
func (n *normalizer) langWatch() {
	if !n.is(dialectLangWatch) {
		return
	}
	for _, m := range []struct {
		key  attribute.Key
		role string
	}{{genai.InputMessages, "user"}, {genai.OutputMessages, "assistant"}} {
		if raw := n.str(m.key); raw != "" && !conventionsMessages(raw) {
			if msgs := genai.MessagesJSON(langWatchParts(parseJSON(raw)), m.role); msgs != "" {
				n.correct(m.key, attribute.StringValue(msgs))
			}
		}
	}
	if v, ok := n.get(genai.SystemInstructions); ok {
		n.correct(genai.SystemInstructions, instructionsValue(v)) // the Responses API's instructions, as text
	}
	op := n.str(genai.OperationName)
	in, out := langWatchValue(n.str(langWatchInput)), langWatchValue(n.str(langWatchOutput))
	if resp, ok := parseJSON(out).(map[string]any); ok && IsModelOperation(op) {
		n.openAIUsageDetails(resp["usage"])
	}
	switch {
	case IsModelOperation(op):
		if in != "" {
			n.set(genai.InputMessages.String(contentMessages(in, "user")), langWatchInput)
		}
		if out != "" {
			n.set(genai.OutputMessages.String(contentMessages(out, "assistant")), langWatchOutput)
		}
	case op == genai.OpExecuteTool:
		n.set(genai.ToolCallArguments.String(in), langWatchInput)
		n.set(genai.ToolCallResult.String(out), langWatchOutput)
	default:
		if n.ownInput == "" && in != "" {
			n.ownInput, n.replaced[langWatchInput] = in, true
		}
		if n.ownOutput == "" && out != "" {
			n.ownOutput, n.replaced[langWatchOutput] = out, true
		}
	}
}

// langWatchValue unwraps LangWatch's {"type": ..., "value": ...}
// envelope (sdks/go span.go, values.go): text as it is, anything else as
// JSON.
func langWatchValue(raw string) string {
	env, ok := parseJSON(raw).(map[string]any)
	if !ok || env["type"] == nil || env["value"] == nil {
		return raw
	}
	if s, ok := env["value"].(string); ok {
		return s
	}
	return genai.JSONText(env["value"])
}

// langWatchParts gives LangWatch's rich content parts
// ({"type":"tool_call","toolName","toolCallId","args"}, sdks/go
// values.go) the names genai.MessagesJSON reads.
func langWatchParts(v any) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	for _, m := range list {
		m, ok := m.(map[string]any)
		if !ok {
			continue
		}
		parts, _ := m["content"].([]any)
		for i, p := range parts {
			if p, ok := p.(map[string]any); ok && p["toolName"] != nil {
				parts[i] = map[string]any{"type": "tool_call", "id": p["toolCallId"], "name": p["toolName"], "arguments": p["args"]}
			}
		}
	}
	return list
}

// openAIUsageDetails reads the cached and reasoning counts of an OpenAI
// usage object (prompt_tokens_details.cached_tokens,
// completion_tokens_details.reasoning_tokens), which LangWatch v0.3.0
// keeps only inside the response it records whole.
func (n *normalizer) openAIUsageDetails(v any) {
	u, ok := v.(map[string]any)
	if !ok {
		return
	}
	if d, ok := u["prompt_tokens_details"].(map[string]any); ok {
		if c, ok := n.jsonCount(d["cached_tokens"]); ok && c > 0 {
			n.set(genai.UsageCacheReadInputTokens.Int64(c))
		}
	}
	if d, ok := u["completion_tokens_details"].(map[string]any); ok {
		if c, ok := n.jsonCount(d["reasoning_tokens"]); ok && c > 0 {
			n.set(genai.UsageReasoningOutputTokens.Int64(c))
		}
	}
}

// conventionsMessages reports whether raw is a message list in the
// conventions' shape: its first message has parts.
func conventionsMessages(raw string) bool {
	list, ok := parseJSON(raw).([]any)
	if !ok || len(list) == 0 {
		return true // nothing to reshape
	}
	m, ok := list[0].(map[string]any)
	return !ok || m["parts"] != nil
}
