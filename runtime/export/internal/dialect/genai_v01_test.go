package dialect

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// Spans in the names of semantic-conventions-genai v0.1.0, the GenAI
// conventions' first standalone release (open-telemetry/semantic-conventions-genai
// CHANGELOG.md, v0.1.0; docs/gen-ai/non-normative/migration.md at
// 32c328e85013588c6fe32ebc30934ab5b1752b6a; docs/gen-ai/client-inference.md at
// 024a4f944a1291fcb627c9c47da69e79868dd15e), are read in v1.41's names, and
// only those.
func TestGenAIv01NamesReadAsV141(t *testing.T) {
	cases := []struct {
		name  string
		attrs []attribute.KeyValue
		want  map[attribute.Key]attribute.Value // absent: an empty Value
	}{
		{"cache write", []attribute.KeyValue{genai.OperationName.String("chat"), genai.ProviderName.String("anthropic"),
			genai.UsageInputTokens.Int(1300), genai.UsageOutputTokens.Int(50), attribute.Int("gen_ai.usage.cache_write.input_tokens", 300)},
			map[attribute.Key]attribute.Value{
				genai.UsageCacheCreationInputTokens:     attribute.Int64Value(300),
				"gen_ai.usage.cache_write.input_tokens": {},
				genai.UsageInputTokens:                  attribute.Int64Value(1300), // it includes the cache write: nothing to add
			}},
		{"both names: v1.41's value", []attribute.KeyValue{genai.OperationName.String("chat"), genai.UsageInputTokens.Int(1300),
			genai.UsageCacheCreationInputTokens.Int(300), attribute.Int("gen_ai.usage.cache_write.input_tokens", 301)},
			map[attribute.Key]attribute.Value{genai.UsageCacheCreationInputTokens: attribute.Int64Value(300), "gen_ai.usage.cache_write.input_tokens": {}}},
		{"an untrusted cache write", []attribute.KeyValue{genai.OperationName.String("chat"), attribute.Int("gen_ai.usage.cache_write.input_tokens", -3)},
			map[attribute.Key]attribute.Value{genai.UsageCacheCreationInputTokens: {}, "gen_ai.usage.cache_write.input_tokens": {}}},
		{"retrieval top_k, an int", []attribute.KeyValue{genai.OperationName.String("retrieval"), attribute.Int("gen_ai.retrieval.top_k", 5)},
			map[attribute.Key]attribute.Value{genai.RequestTopK: attribute.Float64Value(5), "gen_ai.retrieval.top_k": {}}},
		{"request top_k, an int", []attribute.KeyValue{genai.OperationName.String("chat"), attribute.Int("gen_ai.request.top_k", 40)},
			map[attribute.Key]attribute.Value{genai.RequestTopK: attribute.Float64Value(40)}},
		{"workflow named as an agent", []attribute.KeyValue{genai.OperationName.String("invoke_workflow"), genai.AgentName.String("triage")},
			map[attribute.Key]attribute.Value{genai.WorkflowName: attribute.StringValue("triage"), genai.AgentName: {},
				genai.OperationName: attribute.StringValue("invoke_workflow")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := normalized1(t, c.attrs)
			if r == nil {
				t.Fatal("not normalised")
			}
			for k, want := range c.want {
				if got := attrOf(r, k); got != want {
					t.Errorf("%s = %v (%v), want %v (%v)", k, got.String(), got.Type(), want.String(), want.Type())
				}
			}
		})
	}
}

// What v1.41 says the same way is left as it is: an agent's name on an
// agent, a workflow with its own name, the double top_k the wrappers
// record; the conventions' versioned prompt does not make a span
// OpenLLMetry's.
func TestV141SpansStayV141(t *testing.T) {
	for _, attrs := range [][]attribute.KeyValue{
		{genai.OperationName.String("invoke_agent"), genai.AgentName.String("planner")},
		{genai.OperationName.String("invoke_workflow"), genai.WorkflowName.String("triage"), genai.AgentName.String("planner")},
		{genai.OperationName.String("chat"), genai.RequestTopK.Float64(40)},
		{genai.OperationName.String("chat"), attribute.String("gen_ai.prompt.name", "support"), attribute.String("gen_ai.prompt.version", "3")},
	} {
		if r := normalized1(t, attrs); r != nil {
			t.Errorf("%v normalised as %q: %v", attrs, r.Dialects, r.Attrs)
		}
	}
}

func TestGenAIv01IsCountedAsItsDialect(t *testing.T) {
	r := normalized1(t, []attribute.KeyValue{genai.OperationName.String("chat"), attribute.Int("gen_ai.usage.cache_write.input_tokens", 3)})
	if r.Dialects.String() != "semconv_genai_0_1" {
		t.Errorf("dialects %q", r.Dialects)
	}
	if r := normalized1(t, []attribute.KeyValue{genai.OperationName.String("chat"), attribute.Int("gen_ai.request.top_k", 3)}); r == nil || r.Dialects != 0 {
		t.Errorf("an int top_k alone is no dialect: %v", r)
	}
}
