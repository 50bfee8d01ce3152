package dialect

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// openInference reads what OpenInference's retriever spans hold
// (spec/semantic_conventions.md, go/openinference-semantic-conventions
// indexers.go): the documents retrieved, flattened as
// retrieval.documents.N.document.{id,score,content,metadata}, become the
// span's own output when it records none as output.value.
func (n *normalizer) openInference() {
	if !n.is(dialectOpenInference) || n.str(genai.OperationName) != genai.OpRetrieval || n.ownOutput != "" || n.has(attribute.Key("output.value")) {
		return
	}
	docs := map[int]map[string]any{}
	var from []attribute.Key
	for _, kv := range n.own {
		rest, ok := strings.CutPrefix(string(kv.Key), openInferenceDocumentsPfx)
		if !ok {
			continue
		}
		num, field, _ := strings.Cut(rest, ".document.")
		i, err := strconv.Atoi(num)
		if err != nil || i < 0 || field == "" {
			continue
		}
		if docs[i] == nil {
			docs[i] = map[string]any{}
		}
		docs[i][field] = kv.Value.AsInterface()
		from = append(from, kv.Key)
	}
	if len(docs) == 0 {
		return
	}
	list := make([]any, 0, len(docs))
	for _, i := range slices.Sorted(maps.Keys(docs)) {
		list = append(list, docs[i])
	}
	n.ownOutput = genai.JSONText(list)
	for _, k := range from {
		n.replaced[k] = true
	}
}
