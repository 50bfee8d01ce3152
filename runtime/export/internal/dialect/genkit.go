package dialect

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// Genkit's names (firebase/genkit go/core/tracing/tracing.go): every action
// runs in a span carrying its name, its type as a subtype, and its input
// and output as JSON.
const (
	genkitName    = attribute.Key("genkit:name")
	genkitType    = attribute.Key("genkit:type")
	genkitSubtype = attribute.Key("genkit:metadata:subtype")
	genkitInput   = attribute.Key("genkit:input")
	genkitOutput  = attribute.Key("genkit:output")
)

// genkit reads a Genkit action's span: a model action is a model call (the
// model named "provider/model", the request's messages and config, the
// response's message, finish reason and usage), a tool action a tool call
// (subtype tool.v2 for every tool DefineTool makes, go/ai/tools.go), a
// flow a workflow whose own input and output are its argument and return
// value. A generate util span, one per turn of the tool loop, carries the
// final model response again (go/ai/generate.go): its usage is the model
// call's, not its own.
func (n *normalizer) genkit() {
	if !n.is(dialectGenkit) {
		return
	}
	name := n.str(genkitName)
	subtype := n.str(genkitSubtype)
	if n.str(genkitType) == "flow" {
		subtype = "flow"
	}
	switch subtype {
	case "model", "background-model":
		n.genkitModel(name)
	case "embedder":
		n.set(genai.OperationName.String(genai.OpEmbeddings), genkitSubtype)
		n.genkitModelName(name)
	case "tool", "tool.v2":
		n.set(genai.OperationName.String(genai.OpExecuteTool), genkitSubtype)
		n.set(genai.ToolName.String(name))
		n.set(genai.ToolCallArguments.String(n.str(genkitInput)), genkitInput)
		n.set(genai.ToolCallResult.String(toolResult(n.str(genkitOutput))), genkitOutput)
	case "retriever":
		n.set(genai.OperationName.String(genai.OpRetrieval), genkitSubtype)
	case "flow":
		n.set(genai.OperationName.String(genai.OpInvokeWorkflow), genkitSubtype)
		n.set(genai.WorkflowName.String(name))
		n.setOwnIO(genkitInput, genkitOutput)
	case "util":
		if out, ok := parseJSON(n.str(genkitOutput)).(map[string]any); ok && out["usage"] != nil {
			n.repeatsUsage = true
		}
	}
}

// toolResult unwraps the MultipartToolResponse Genkit records as a tool's
// output ({"output": ...}, with "content" for multipart tools, go/ai/gen.go).
func toolResult(raw string) string {
	obj, ok := parseJSON(raw).(map[string]any)
	if !ok || len(obj) != 1 || obj["output"] == nil {
		return raw
	}
	return genai.JSONText(obj["output"])
}

func (n *normalizer) genkitModel(name string) {
	n.set(genai.OperationName.String(genai.OpChat), genkitSubtype)
	n.genkitModelName(name)
	if req, ok := parseJSON(n.str(genkitInput)).(map[string]any); ok {
		if msgs, ok := req["messages"].([]any); ok {
			n.set(genai.InputMessages.String(genai.MessagesJSON(msgs, "user")), genkitInput)
		}
		if cfg, ok := req["config"].(map[string]any); ok {
			n.requestParameters(cfg, "") // the input stays: it holds the messages
		}
	}
	resp, ok := parseJSON(n.str(genkitOutput)).(map[string]any)
	if !ok {
		return
	}
	if m, ok := resp["message"].(map[string]any); ok {
		m = withFinish(m, map[string]any{"finish_reason": resp["finishReason"]})
		n.set(genai.OutputMessages.String(genai.MessagesJSON(m, "assistant")), genkitOutput)
	}
	if r, ok := resp["finishReason"].(string); ok && r != "" {
		n.set(genai.ResponseFinishReasons.StringSlice([]string{r}))
	}
	if custom, ok := resp["custom"].(map[string]any); ok {
		if model, ok := custom["model"].(string); ok {
			n.set(genai.ResponseModel.String(model)) // the OpenAI plugin's (compat_oai/generate.go)
		}
	}
	if u, ok := resp["usage"].(map[string]any); ok {
		n.genkitUsage(u)
	}
}

// genkitModelName splits Genkit's "provider/model" names.
func (n *normalizer) genkitModelName(name string) {
	provider, model, ok := strings.Cut(name, "/")
	if !ok {
		model, provider = name, ""
	}
	n.set(genai.RequestModel.String(model), genkitName)
	if provider != "" {
		n.set(attribute.KeyValue{Key: genai.ProviderName, Value: providerValue(attribute.StringValue(provider))})
	}
}

// genkitUsage reads Genkit's GenerationUsage. Its thoughtsTokens are the
// reasoning tokens; whether outputTokens includes them depends on the
// plugin (Gemini's do not, OpenAI's do), which reconcileUsage tells from
// totalTokens.
func (n *normalizer) genkitUsage(u map[string]any) {
	n.jsonUsage(u, usageFields{input: "inputTokens", output: "outputTokens", cacheRead: "cachedContentTokens",
		reasoning: "thoughtsTokens", total: "totalTokens"})
}
