package langfuse

import (
	"encoding/json"
	"math"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// The structs and encoding/json calls the hand-written JSON replaced: what
// it must write, byte for byte.

type refModelParams struct {
	Temperature      any `json:"temperature,omitempty"`
	TopP             any `json:"top_p,omitempty"`
	TopK             any `json:"top_k,omitempty"`
	MaxTokens        any `json:"max_tokens,omitempty"`
	FrequencyPenalty any `json:"frequency_penalty,omitempty"`
	PresencePenalty  any `json:"presence_penalty,omitempty"`
	Stop             any `json:"stop,omitempty"`
	Seed             any `json:"seed,omitempty"`
}

func (p *refModelParams) set(name string, v attribute.Value) {
	val := refJSONValue(v)
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

func refJSONValue(v attribute.Value) any {
	switch v.Type() {
	case attribute.INT64:
		return v.AsInt64()
	case attribute.FLOAT64:
		return refFinite(v.AsFloat64())
	case attribute.BOOL:
		return v.AsBool()
	case attribute.STRINGSLICE:
		return v.AsStringSlice()
	}
	return v.String()
}

func refFinite(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return f
}

type refUsage struct {
	Input         int64 `json:"input"`
	Output        int64 `json:"output"`
	CacheRead     int64 `json:"input_cached_tokens,omitempty"`
	CacheCreation int64 `json:"input_cache_creation,omitempty"`
	Reasoning     int64 `json:"output_reasoning_tokens,omitempty"`
	Total         int64 `json:"total"`
}

type refCost struct {
	Input         any  `json:"input"`
	Output        any  `json:"output"`
	CacheRead     *any `json:"input_cached_tokens,omitempty"`
	CacheCreation *any `json:"input_cache_creation,omitempty"`
	Reasoning     *any `json:"output_reasoning_tokens,omitempty"`
	Total         any  `json:"total"`
}

func refMarshal(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func refUsageDetails(t testing.TB, u pricing.Usage) string {
	return refMarshal(t, refUsage{
		Input: max(u.Input-u.CacheRead-u.CacheWrite, 0), Output: max(u.Output-u.Reasoning, 0),
		CacheRead: max(u.CacheRead, 0), CacheCreation: max(u.CacheWrite, 0), Reasoning: max(u.Reasoning, 0),
		Total: u.Input + u.Output,
	})
}

func refCostDetails(t testing.TB, c pricing.Cost, u pricing.Usage) string {
	when := func(tokens int64, cost float64) *any {
		if tokens <= 0 {
			return nil
		}
		v := refFinite(cost)
		return &v
	}
	return refMarshal(t, refCost{
		Input: refFinite(c.Input), Output: refFinite(c.Output),
		CacheRead: when(u.CacheRead, c.CacheRead), CacheCreation: when(u.CacheWrite, c.CacheWrite),
		Reasoning: when(u.Reasoning, c.Reasoning), Total: refFinite(c.Total()),
	})
}

var jsonStrings = []string{
	"", "stop", "a\"b\\c", "<tag>&amp;", "\b\f\n\r\t\x00\x01\x1f\x7f", "ünïcode ✓ 😀",
	"\u2028\u2029", "bad \xff\xfe utf8 \xe2\x82", "END", "\xed\xa0\x80 surrogate",
}

var jsonFloats = []float64{
	0, math.Copysign(0, -1), 0.2, 1, -1.5, 1e-6, 9.99e-7, 1e-7, 1.5e-10, 1e20, 1e21, 1.234e21, -3e-300,
	math.MaxFloat64, math.SmallestNonzeroFloat64, 123456789.125, math.NaN(), math.Inf(1), math.Inf(-1),
}

func TestJSONMatchesEncodingJSON(t *testing.T) {
	values := []attribute.Value{
		attribute.IntValue(0), attribute.Int64Value(-7), attribute.Int64Value(math.MaxInt64), attribute.BoolValue(true),
		attribute.BoolValue(false), attribute.StringSliceValue(nil), attribute.StringSliceValue([]string{"a"}),
		attribute.StringSliceValue(jsonStrings), attribute.BoolSliceValue([]bool{true}), attribute.Int64SliceValue([]int64{1, 2}),
		attribute.Float64SliceValue([]float64{0.5}), {},
	}
	for _, f := range jsonFloats {
		values = append(values, attribute.Float64Value(f))
	}
	for _, s := range jsonStrings {
		values = append(values, attribute.StringValue(s))
	}
	for i, v := range values {
		for _, name := range paramNames {
			var got ModelParams
			var want refModelParams
			got.Set(name, v)
			want.set(name, v)
			got.Set("seed", attribute.IntValue(i))
			want.set("seed", attribute.IntValue(i))
			if g, w := got.JSON(), refMarshal(t, &want); g != w {
				t.Errorf("%s = %v: got %s, want %s", name, v.String(), g, w)
			}
			var only ModelParams
			only.Set(name, v)
			if only.Empty() != (refModelParams{} == func() refModelParams { var p refModelParams; p.set(name, v); return p }()) {
				t.Errorf("%s = %v: Empty() = %v", name, v.String(), only.Empty())
			}
		}
	}
	var all ModelParams
	var allRef refModelParams
	for i, name := range paramNames {
		all.Set(name, values[i])
		allRef.set(name, values[i])
	}
	if g, w := all.JSON(), refMarshal(t, &allRef); g != w {
		t.Errorf("every parameter: got %s, want %s", g, w)
	}
	if g := (&ModelParams{}).JSON(); g != "{}" {
		t.Errorf("no parameter: %s", g)
	}

	usages := []pricing.Usage{{}, {Input: 1200, Output: 300}, {Input: 10, Output: 5, CacheRead: 20, CacheWrite: 3, Reasoning: 9},
		{Input: -4, Output: -1, CacheRead: -2, CacheWrite: -3, Reasoning: -5}, {Input: math.MaxInt64 / 2, Output: 1, Reasoning: 1}}
	for _, u := range usages {
		for _, c := range jsonFloats {
			cost := pricing.Cost{Input: c, Output: 0.25, CacheRead: c / 3, CacheWrite: 2e-9, Reasoning: c}
			if g, w := UsageDetails(u), refUsageDetails(t, u); g != w {
				t.Errorf("usage %+v: got %s, want %s", u, g, w)
			}
			if g, w := CostDetails(cost, u), refCostDetails(t, cost, u); g != w {
				t.Errorf("cost %+v %+v: got %s, want %s", u, cost, g, w)
			}
		}
	}
}

// FuzzJSONString compares the string and float writers with encoding/json
// on any input.
func FuzzJSONString(f *testing.F) {
	for i, s := range jsonStrings {
		f.Add(s, jsonFloats[i])
	}
	f.Fuzz(func(t *testing.T, s string, x float64) {
		if g, w := string(appendJSONString(nil, s)), refMarshal(t, s); g != w {
			t.Errorf("string %q: got %s, want %s", s, g, w)
		}
		want := "null"
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			want = refMarshal(t, x)
		}
		if g := string(appendJSONFloat(nil, x)); g != want {
			t.Errorf("float %v: got %s, want %s", x, g, want)
		}
	})
}

// BenchmarkJSON compares the hand-written values with the
// encoding/json calls they replaced, on a generation's shapes.
//
//	go test ./runtime/export/internal/langfuse -run '^$' -bench BenchmarkJSON -benchmem -count 6 | tee lfjson.txt
//	benchstat -col /impl lfjson.txt
func BenchmarkJSON(b *testing.B) {
	u := pricing.Usage{Input: 1200, Output: 300, CacheRead: 100}
	temperature, maxTokens := attribute.Float64Value(0.2), attribute.IntValue(512)
	b.Run("value=model-parameters/impl=hand-written", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var p ModelParams
			p.Set("temperature", temperature)
			p.Set("max_tokens", maxTokens)
			_ = p.JSON()
		}
	})
	b.Run("value=model-parameters/impl=encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var p refModelParams
			p.set("temperature", temperature)
			p.set("max_tokens", maxTokens)
			_ = refMarshal(b, &p)
		}
	})
	b.Run("value=usage-details/impl=hand-written", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = UsageDetails(u)
		}
	})
	b.Run("value=usage-details/impl=encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = refUsageDetails(b, u)
		}
	})
}
