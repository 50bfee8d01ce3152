package dialect

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// openInferenceModels reads OpenInference's model names: llm.model_name
// is the model that answered when there was an answer (its openai-go
// middleware overwrites the request's with the response's,
// openai.go:215,411-413); llm.request.model_name and
// llm.response.model_name, newer (attributes.go:73-81 at 1fe497f1), say
// which is which; the invocation parameters name the model asked for.
func (n *normalizer) openInferenceModels() {
	name := cmp.Or(n.str(vocab.OpenInferenceModelName), n.str(openInferenceEmbeddingModel))
	req := cmp.Or(n.str(openInferenceRequestModel), n.str(genai.RequestModel), name)
	resp := n.str(openInferenceResponseModel)
	if resp == "" && name != req {
		resp = name
	}
	from := []attribute.Key{vocab.OpenInferenceModelName, openInferenceEmbeddingModel, openInferenceRequestModel, openInferenceResponseModel}
	n.set(genai.RequestModel.String(req), from...)
	n.set(genai.ResponseModel.String(resp), from...)
}

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
