package export

import (
	"math"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// Conventions chooses the release of the GenAI semantic conventions whose
// names the destinations get. Inside genaitrace every span speaks v1.41
// (the wrappers record it, other instrumentation's names are normalised to
// it, the newer release's included); the choice applies where spans and
// metrics leave the process.
type Conventions int

const (
	// ConventionsV141 sends the names of semantic-conventions v1.41.0 (the
	// default: the Go semconv package ships no later GenAI release).
	ConventionsV141 Conventions = iota
	// ConventionsLatest sends the names of the GenAI conventions' first
	// standalone release, semantic-conventions-genai v0.1.0, and none of
	// v1.41's they replace (OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental).
	ConventionsLatest
)

// String returns "v1.41" or "genai-v0.1.0".
func (c Conventions) String() string {
	if c == ConventionsLatest {
		return "genai-v0.1.0"
	}
	return "v1.41"
}

// latestNames rewrites the conventions' v1.41 names in attrs, a span's
// translation, as semantic-conventions-genai v0.1.0 has them (its
// CHANGELOG.md, v0.1.0): the cache write count's new name, top_k an
// integer (a retrieval's under its own name), a workflow named by
// gen_ai.agent.name. A double top_k with a fraction stays a double: no
// integer says what it meant. gen_ai.workflow.name stays as it is on a
// span that names an agent of its own, which it would overwrite.
func latestNames(attrs []attribute.KeyValue, op string) {
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
