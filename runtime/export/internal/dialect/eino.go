package dialect

import (
	"cmp"
	"maps"
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// eino reads the spans of eino-ext's apmplus callback
// (cloudwego/eino-ext callbacks/apmplus/apmplus.go): one span per
// component run, its kind in gen_ai.span.kind (workflow on the root, else
// the lower-cased eino component), the implementation in runinfo.type,
// messages flattened OpenLLMetry's way (gen_ai.prompt.N.*,
// gen_ai.completion.N.*), the root's input and output whole as
// gen_ai.input and gen_ai.output, and gen_ai.system set to "eino", a
// framework's name (renames ignores it). It runs before flatMessages: a
// tool's flattened "messages" are its arguments and result.
func (n *normalizer) eino() {
	if !n.is(dialectEino) {
		return
	}
	kind := n.str(einoSpanKind)
	name := cmp.Or(n.str(einoRunName), n.span.Name())
	switch kind {
	case "workflow":
		n.setOperation(genai.OpInvokeWorkflow, einoSpanKind)
		n.set(genai.WorkflowName.String(name))
		n.setOwnIO(einoInput, einoOutput)
	case "chatmodel", "agenticmodel":
		n.setOperation(genai.OpChat, einoSpanKind)
		n.einoProvider()
		n.einoCompletion()
	case "embedding":
		n.setOperation(genai.OpEmbeddings, einoSpanKind)
		n.einoProvider()
	case "retriever":
		n.setOperation(genai.OpRetrieval, einoSpanKind)
	case "agent", "agenticagent":
		n.setOperation(genai.OpInvokeAgent, einoSpanKind)
		n.set(genai.AgentName.String(name))
	case "tool":
		n.setOperation(genai.OpExecuteTool, einoSpanKind)
		n.set(genai.ToolName.String(name))
		prompt, completion := vocab.LegacyPromptPrefix+"0.content", vocab.LegacyCompletionPrefix+"0.content"
		n.set(genai.ToolCallArguments.String(einoToolPayload(n.str(attribute.Key(prompt)))), attribute.Key(prompt),
			attribute.Key(vocab.LegacyPromptPrefix+"0.role"))
		n.set(genai.ToolCallResult.String(einoToolPayload(n.str(attribute.Key(completion)))), attribute.Key(completion),
			attribute.Key(vocab.LegacyCompletionPrefix+"0.role"))
	}
	n.einoParameters()
}

// einoToolPayload unwraps a tool's arguments or result, which apmplus
// records as the JSON of eino's Go string (a JSON string holding JSON), or
// of a typed input ({"ArgumentsInJSON": ...}).
func einoToolPayload(raw string) string {
	switch v := parseJSON(raw).(type) {
	case string:
		return v
	case map[string]any:
		if s, ok := v["ArgumentsInJSON"].(string); ok {
			return s
		}
		if s, ok := v["Response"].(string); ok {
			return s
		}
	}
	return raw
}

// einoCompletion reads a model's answer that holds tool calls only:
// apmplus then records the whole message list as JSON in
// gen_ai.completion.0.content (apmplus.go's fallback).
func (n *normalizer) einoCompletion() {
	k := attribute.Key(vocab.LegacyCompletionPrefix + "0.content")
	msgs, ok := parseJSON(n.str(k)).([]any)
	if !ok || len(msgs) == 0 {
		return
	}
	if m, ok := msgs[0].(map[string]any); !ok || m["role"] == nil {
		return
	}
	var reasons []string
	for i, m := range msgs {
		m, ok := m.(map[string]any)
		if !ok {
			continue
		}
		m = maps.Clone(m) // eino's schema.Message: an empty content, the finish reason in response_meta
		if m["content"] == "" {
			delete(m, "content")
		}
		if meta, ok := m["response_meta"].(map[string]any); ok {
			if r, ok := meta["finish_reason"].(string); ok && r != "" {
				m["finish_reason"] = r
				reasons = append(reasons, r)
			}
		}
		msgs[i] = m
	}
	n.set(genai.OutputMessages.String(genai.MessagesJSON(msgs, "assistant")), k, attribute.Key(vocab.LegacyCompletionPrefix+"0.role"))
	if len(reasons) > 0 {
		n.set(genai.ResponseFinishReasons.StringSlice(reasons))
	}
}

// einoProvider names the provider from the model implementation eino
// ran (runinfo.type: OpenAI, Claude, Gemini, Ark, Ollama, ...), when the
// conventions know it.
func (n *normalizer) einoProvider() {
	if p, ok := einoProviders[strings.ToLower(n.str(einoRunType))]; ok {
		n.set(genai.ProviderName.String(p))
	}
}

var einoProviders = map[string]string{"openai": "openai", "claude": "anthropic", "anthropic": "anthropic",
	"gemini": "gcp.gen_ai", "deepseek": "deepseek", "qwen": "qwen", "ollama": "ollama", "ark": "ark"}

// einoParameters corrects what apmplus writes of the model's config:
// max_tokens and top_p even when unset (0), and float32 values widened to
// float64 (0.7 arrives as 0.699999988079071); gen_ai.request.stop is the
// conventions' stop sequences.
func (n *normalizer) einoParameters() {
	for _, k := range []attribute.Key{genai.RequestMaxTokens, genai.RequestTopP} {
		if v, ok := n.get(k); ok && (v.Type() == attribute.INT64 && v.AsInt64() == 0 || v.Type() == attribute.FLOAT64 && v.AsFloat64() == 0) {
			n.drop(k)
		}
	}
	for _, k := range []attribute.Key{genai.RequestTemperature, genai.RequestTopP} {
		if v, ok := n.get(k); ok && v.Type() == attribute.FLOAT64 {
			n.correct(k, attribute.Float64Value(float32Shortest(v.AsFloat64())))
		}
	}
	if v, ok := n.get(einoStop); ok && v.Type() == attribute.STRINGSLICE && len(v.AsStringSlice()) > 0 {
		n.set(attribute.KeyValue{Key: genai.RequestStopSequences, Value: v}, einoStop)
	}
}

// float32Shortest gives a float32 widened to float64 the decimal value
// it was written as.
func float32Shortest(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) || float64(float32(f)) != f {
		return f
	}
	v, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', -1, 32), 64)
	if err != nil {
		return f
	}
	return v
}
