package dialect

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// The GenAI conventions' first standalone release
// (open-telemetry/semantic-conventions-genai v0.1.0, CHANGELOG.md; the
// renames in docs/gen-ai/non-normative/migration.md at
// 32c328e85013588c6fe32ebc30934ab5b1752b6a) renamed what genaitrace reads
// in three places. Its names are read as v1.41's, which every consumer
// reads, and the span's own v0.1.0 name is left out: a destination gets
// one release's names, the one its setting chooses (the translators write
// v0.1.0's back under OTEL_SEMCONV_STABILITY_OPT_IN). A span that has both
// names keeps v1.41's value.
//
//   - gen_ai.usage.cache_write.input_tokens was
//     gen_ai.usage.cache_creation.input_tokens (#440);
//   - gen_ai.retrieval.top_k is a retrieval's gen_ai.request.top_k, which
//     became an integer (#217); top_k is read as an integer or a double
//     and carried as v1.41's double (numberKindOf);
//   - a workflow is the internal invoke_agent span type named by
//     gen_ai.agent.name, its gen_ai.operation.name still invoke_workflow
//     (#126, #354, #410, #571): v1.41's gen_ai.workflow.name.
var genAIv01Renames = []struct{ from, to attribute.Key }{
	{vocab.GenAIUsageCacheWriteInputTokens, genai.UsageCacheCreationInputTokens},
	{vocab.GenAIRetrievalTopK, genai.RequestTopK},
}

// genAIv01 reads a span's v0.1.0 names as v1.41's.
func (n *normalizer) genAIv01() {
	if !n.is(dialectGenAIv01) {
		return
	}
	for _, r := range genAIv01Renames {
		if v, ok := n.get(r.from); ok {
			n.set(attribute.KeyValue{Key: r.to, Value: v}, r.from)
			n.drop(r.from)
		}
	}
	if n.str(genai.OperationName) == genai.OpInvokeWorkflow && !n.has(genai.WorkflowName) {
		if name := n.str(genai.AgentName); name != "" {
			n.set(genai.WorkflowName.String(name), genai.AgentName)
			n.drop(genai.AgentName)
		}
	}
}

// workflowNames notes, in the one pass over a span's keys, whether it is a
// workflow named as v0.1.0 names one: invoke_workflow with
// gen_ai.agent.name and no gen_ai.workflow.name.
type workflowNames struct{ workflow, agentName, workflowName bool }

func (w *workflowNames) see(kv attribute.KeyValue) {
	switch kv.Key {
	case genai.OperationName:
		w.workflow = kv.Value.AsString() == genai.OpInvokeWorkflow
	case genai.AgentName:
		w.agentName = true
	case genai.WorkflowName:
		w.workflowName = true
	}
}

func (w *workflowNames) agentNamed() bool { return w.workflow && w.agentName && !w.workflowName }
