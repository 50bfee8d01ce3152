// Package langfuse writes the JSON Langfuse reads: the model parameters,
// usage and cost details its OTLP ingestion takes from attributes as JSON
// strings, and the body of its scores API. It imports nothing of
// runtime/export.
//
// The values are written by encoding/json: it is faster than the
// hand-written writer an earlier version used on these shapes
// (BenchmarkJSON in internal/jsonw at commit 1e75128, which this replaced;
// figures in docs/benchmarks.md).
package langfuse

import (
	"encoding/json"
	"math"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// ModelParams are the request parameters Langfuse shows with a
// generation, in a fixed order; unset ones are left out.
type ModelParams struct {
	Temperature      any `json:"temperature,omitempty"`
	TopP             any `json:"top_p,omitempty"`
	TopK             any `json:"top_k,omitempty"`
	MaxTokens        any `json:"max_tokens,omitempty"`
	FrequencyPenalty any `json:"frequency_penalty,omitempty"`
	PresencePenalty  any `json:"presence_penalty,omitempty"`
	Stop             any `json:"stop,omitempty"`
	Seed             any `json:"seed,omitempty"`
}

// Set records the parameter Langfuse calls name (temperature, top_p, ...).
func (p *ModelParams) Set(name string, v attribute.Value) {
	val := jsonValue(v)
	switch name {
	case "temperature":
		p.Temperature = val
	case "top_p":
		p.TopP = val
	case "top_k":
		p.TopK = val
	case "max_tokens":
		p.MaxTokens = val
	case "frequency_penalty":
		p.FrequencyPenalty = val
	case "presence_penalty":
		p.PresencePenalty = val
	case "stop":
		p.Stop = val
	case "seed":
		p.Seed = val
	}
}

// Empty reports whether no parameter is set.
func (p *ModelParams) Empty() bool { return *p == ModelParams{} }

// JSON is langfuse.observation.model.parameters.
func (p *ModelParams) JSON() string { return marshal(p) }

// jsonValue is an attribute value as encoding/json writes it; NaN and
// infinities, which JSON cannot hold, become null.
func jsonValue(v attribute.Value) any {
	switch v.Type() {
	case attribute.INT64:
		return v.AsInt64()
	case attribute.FLOAT64:
		return finite(v.AsFloat64())
	case attribute.BOOL:
		return v.AsBool()
	case attribute.STRINGSLICE:
		return v.AsStringSlice()
	}
	return v.String()
}

// finite is f, or nil for a value JSON cannot hold.
func finite(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return f
}

// usageBuckets are Langfuse's exclusive usage buckets: every token in
// exactly one key.
type usageBuckets struct {
	Input         int64 `json:"input"`
	Output        int64 `json:"output"`
	CacheRead     int64 `json:"input_cached_tokens,omitempty"`
	CacheCreation int64 `json:"input_cache_creation,omitempty"`
	Reasoning     int64 `json:"output_reasoning_tokens,omitempty"`
	Total         int64 `json:"total"`
}

// UsageDetails renders usage as Langfuse's exclusive buckets
// (langfuse.observation.usage_details): input excluding cache reads and
// writes, output excluding reasoning.
func UsageDetails(u pricing.Usage) string {
	return marshal(usageBuckets{
		Input:         max(u.Input-u.CacheRead-u.CacheWrite, 0),
		Output:        max(u.Output-u.Reasoning, 0),
		CacheRead:     max(u.CacheRead, 0),
		CacheCreation: max(u.CacheWrite, 0),
		Reasoning:     max(u.Reasoning, 0),
		Total:         u.Input + u.Output,
	})
}

// costBuckets are the estimate under the same keys as usageBuckets; a
// bucket is present when its tokens are, even if it costs nothing.
type costBuckets struct {
	Input         any  `json:"input"`
	Output        any  `json:"output"`
	CacheRead     *any `json:"input_cached_tokens,omitempty"`
	CacheCreation *any `json:"input_cache_creation,omitempty"`
	Reasoning     *any `json:"output_reasoning_tokens,omitempty"`
	Total         any  `json:"total"`
}

// CostDetails renders genaitrace's estimate c of usage u for Langfuse
// (langfuse.observation.cost_details).
func CostDetails(c pricing.Cost, u pricing.Usage) string {
	when := func(tokens int64, cost float64) *any {
		if tokens <= 0 {
			return nil
		}
		v := finite(cost)
		return &v
	}
	return marshal(costBuckets{
		Input:         finite(c.Input),
		Output:        finite(c.Output),
		CacheRead:     when(u.CacheRead, c.CacheRead),
		CacheCreation: when(u.CacheWrite, c.CacheWrite),
		Reasoning:     when(u.Reasoning, c.Reasoning),
		Total:         finite(c.Total()),
	})
}

// marshal writes v, which holds nothing encoding/json can fail on.
func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
