// Package langfuse writes the JSON Langfuse reads: the model parameters,
// usage and cost details its OTLP ingestion takes from attributes as JSON
// strings, and the body of its scores API. It imports nothing of
// runtime/export.
//
// The per-span values are written by hand into a buffer on the stack
// (jsonappend.go): the same bytes encoding/json wrote for the structs an
// earlier version marshalled, without its reflection and the values boxed
// in interfaces (six allocations per span, 0.6 µs; figures in
// docs/benchmarks.md). TestJSONMatchesEncodingJSON compares them with
// encoding/json.
package langfuse

import (
	"math"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// The request parameters Langfuse shows with a generation, in the order
// they are written.
const (
	paramTemperature = iota
	paramTopP
	paramTopK
	paramMaxTokens
	paramFrequencyPenalty
	paramPresencePenalty
	paramStop
	paramSeed
	numParams
)

var paramNames = [numParams]string{"temperature", "top_p", "top_k", "max_tokens", "frequency_penalty", "presence_penalty", "stop", "seed"}

// ModelParams are the request parameters of a generation; unset ones, and
// numbers JSON cannot hold, are left out.
type ModelParams struct {
	vals [numParams]attribute.Value
	has  uint16 // bit i: vals[i] is written
}

// Set records the parameter Langfuse calls name (temperature, top_p, ...).
func (p *ModelParams) Set(name string, v attribute.Value) {
	i := paramIndex(name)
	if i < 0 {
		return
	}
	if v.Type() == attribute.FLOAT64 && !isFinite(v.AsFloat64()) {
		p.has &^= 1 << i // as a nil value, which omitempty left out
		return
	}
	p.vals[i] = v
	p.has |= 1 << i
}

func paramIndex(name string) int {
	for i, n := range paramNames {
		if n == name {
			return i
		}
	}
	return -1
}

// Empty reports whether no parameter is set.
func (p *ModelParams) Empty() bool { return p.has == 0 }

// JSON is langfuse.observation.model.parameters: the parameters as one
// object.
func (p *ModelParams) JSON() string {
	var buf [256]byte
	b := append(buf[:0], '{')
	for i := range numParams {
		if p.has&(1<<i) != 0 {
			b = appendJSONKey(b, paramNames[i])
			b = appendJSONValue(b, p.vals[i])
		}
	}
	return string(append(b, '}'))
}

// appendJSONValue writes an attribute value as encoding/json wrote the Go
// value it holds: numbers and booleans as such, a string slice as an
// array, any other value as the string Value.String gives.
func appendJSONValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.INT64:
		return appendJSONInt(b, v.AsInt64())
	case attribute.FLOAT64:
		return appendJSONFloat(b, v.AsFloat64())
	case attribute.BOOL:
		if v.AsBool() {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case attribute.STRINGSLICE:
		b = append(b, '[')
		for i, s := range v.AsStringSlice() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']')
	}
	return appendJSONString(b, v.String())
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// UsageDetails renders usage as Langfuse's exclusive buckets
// (langfuse.observation.usage_details), every token in exactly one key:
// input excluding cache reads and writes, output excluding reasoning; the
// cache and reasoning buckets only when not zero.
func UsageDetails(u pricing.Usage) string {
	var buf [160]byte
	b := append(buf[:0], `{"input":`...)
	b = appendJSONInt(b, max(u.Input-u.CacheRead-u.CacheWrite, 0))
	b = appendJSONInt(append(b, `,"output":`...), max(u.Output-u.Reasoning, 0))
	if n := max(u.CacheRead, 0); n != 0 {
		b = appendJSONInt(append(b, `,"input_cached_tokens":`...), n)
	}
	if n := max(u.CacheWrite, 0); n != 0 {
		b = appendJSONInt(append(b, `,"input_cache_creation":`...), n)
	}
	if n := max(u.Reasoning, 0); n != 0 {
		b = appendJSONInt(append(b, `,"output_reasoning_tokens":`...), n)
	}
	b = appendJSONInt(append(b, `,"total":`...), u.Input+u.Output)
	return string(append(b, '}'))
}

// CostDetails renders genaitrace's estimate c of usage u for Langfuse
// (langfuse.observation.cost_details) under the same keys as
// UsageDetails; a bucket is present when its tokens are, even if it costs
// nothing.
func CostDetails(c pricing.Cost, u pricing.Usage) string {
	var buf [256]byte
	b := append(buf[:0], `{"input":`...)
	b = appendJSONFloat(b, c.Input)
	b = appendJSONFloat(append(b, `,"output":`...), c.Output)
	if u.CacheRead > 0 {
		b = appendJSONFloat(append(b, `,"input_cached_tokens":`...), c.CacheRead)
	}
	if u.CacheWrite > 0 {
		b = appendJSONFloat(append(b, `,"input_cache_creation":`...), c.CacheWrite)
	}
	if u.Reasoning > 0 {
		b = appendJSONFloat(append(b, `,"output_reasoning_tokens":`...), c.Reasoning)
	}
	b = appendJSONFloat(append(b, `,"total":`...), c.Total())
	return string(append(b, '}'))
}
