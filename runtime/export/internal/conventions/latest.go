// Package conventions renames what a destination is sent from the GenAI
// conventions' v1.41 names, genaitrace's language inside, to those of a
// later release. It imports nothing of runtime/export.
package conventions

import (
	"math"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// ToLatest rewrites the conventions' v1.41 names in attrs, the
// translation of a span of the operation op, as semantic-conventions-genai
// v0.1.0 has them (its CHANGELOG.md, v0.1.0): the cache write count's new
// name, top_k an integer (a retrieval's under its own name), a workflow
// named by gen_ai.agent.name. A double top_k with a fraction stays a double: no
// integer says what it meant. gen_ai.workflow.name stays as it is on a
// span that names an agent of its own, which it would overwrite.
func ToLatest(attrs []attribute.KeyValue, op string) {
	agentNamed := false
	for _, kv := range attrs {
		agentNamed = agentNamed || kv.Key == genai.AgentName
	}
	for i, kv := range attrs {
		switch kv.Key {
		case genai.UsageCacheCreationInputTokens:
			attrs[i].Key = vocab.GenAIUsageCacheWriteInputTokens
		case genai.WorkflowName:
			if !agentNamed {
				attrs[i].Key = genai.AgentName
			}
		case genai.RequestTopK:
			if op == genai.OpRetrieval {
				attrs[i].Key = vocab.GenAIRetrievalTopK
			}
			if f := kv.Value.AsFloat64(); kv.Value.Type() == attribute.FLOAT64 && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				attrs[i].Value = attribute.Int64Value(int64(f))
			}
		}
	}
}
