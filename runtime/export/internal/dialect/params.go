package dialect

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// invocationParameters reads OpenInference's llm.invocation_parameters, a
// JSON object of the request's parameters, into gen_ai.request.*: Langfuse
// then shows them as the generation's model parameters, and Instana gets
// the conventions' names.
//
// Its model is the one asked for (openInferenceModels).
func (n *normalizer) invocationParameters() {
	for _, k := range []attribute.Key{vocab.OpenInferenceInvocationParams, openInferenceEmbeddingParam} {
		obj, ok := parseJSON(n.str(k)).(map[string]any)
		if !ok {
			continue
		}
		n.requestParameters(obj, k)
		if model, _ := obj["model"].(string); model != "" && n.str(openInferenceRequestModel) == "" {
			n.set(genai.RequestModel.String(model))
		}
	}
}

// requestParameters derives gen_ai.request.* from a JSON object of model
// parameters under OpenAI's, Gemini's or Genkit's names; from, unless "",
// is the attribute they came from, which they then replace.
func (n *normalizer) requestParameters(obj map[string]any, from attribute.Key) {
	for _, name := range slices.Sorted(maps.Keys(obj)) {
		kv, ok := requestParameter(name, obj[name])
		if ok && n.set(kv) && from != "" {
			n.replaced[from] = true
		}
	}
}

func requestParameter(name string, v any) (attribute.KeyValue, bool) {
	num := func(k attribute.Key) (attribute.KeyValue, bool) {
		val := jsonNumber(v) // checkNumbers judges it
		return attribute.KeyValue{Key: k, Value: val}, val.Type() != attribute.EMPTY
	}
	switch name {
	case "temperature":
		return num(genai.RequestTemperature)
	case "top_p", "topP":
		return num(genai.RequestTopP)
	case "top_k", "topK":
		return num(genai.RequestTopK)
	case "frequency_penalty", "frequencyPenalty":
		return num(genai.RequestFrequencyPenalty)
	case "presence_penalty", "presencePenalty":
		return num(genai.RequestPresencePenalty)
	case "max_tokens", "max_completion_tokens", "max_output_tokens", "maxOutputTokens", "maxTokens":
		return num(genai.RequestMaxTokens)
	case "seed":
		return num(genai.RequestSeed)
	case "stream":
		b, ok := v.(bool)
		return genai.RequestStream.Bool(b), ok
	case "stop", "stop_sequences", "stopSequences":
		var stops []string
		switch v := v.(type) {
		case string:
			stops = []string{v}
		case []any:
			for _, s := range v {
				if s, ok := s.(string); ok {
					stops = append(stops, s)
				}
			}
		}
		return genai.RequestStopSequences.StringSlice(stops), len(stops) > 0
	}
	return attribute.KeyValue{}, false
}

// parseJSON decodes s, keeping numbers as written; nil when s is not JSON.
func parseJSON(s string) any {
	if s == "" || (s[0] != '{' && s[0] != '[' && s[0] != '"') {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil
	}
	return v
}
