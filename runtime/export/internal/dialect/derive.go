package dialect

import (
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// normalizer derives the conventions' attributes of one span in a
// dialect. The span's own conventions' attributes always win; among
// derived ones the first wins, so the steps run from the most to the least
// specific source.
type normalizer struct {
	span     sdktrace.ReadOnlySpan
	dialects Set
	own      []attribute.KeyValue
	ownAt    map[attribute.Key]int
	fixed    map[int]attribute.Value // own values corrected (exclusive token counts)
	derived  []attribute.KeyValue
	derAt    map[attribute.Key]int
	replaced map[attribute.Key]bool
	events   bool
	// usageTotal is a total token count read from JSON (Genkit's usage),
	// for reconcileUsage; -1 when none.
	usageTotal int64
}

func newNormalizer(s sdktrace.ReadOnlySpan, d Set) *normalizer {
	own := s.Attributes()
	n := &normalizer{span: s, dialects: d, own: own, ownAt: make(map[attribute.Key]int, len(own)),
		derAt: map[attribute.Key]int{}, replaced: map[attribute.Key]bool{}, usageTotal: -1}
	for i, kv := range own {
		n.ownAt[kv.Key] = i
	}
	return n
}

// derive runs every step; each looks only for its own dialect's names.
func (n *normalizer) derive() {
	n.invocationParameters() // before renames: it knows the model asked for
	n.renames()
	n.spanKinds()
	n.flatMessages()
	n.jsonContent()
	n.messageEvents()
	n.genkit()
	n.reconcileUsage()
	n.completionStart()
}

// completionStart gives a call whose time to first chunk is known the
// moment its first chunk came, which Langfuse shows.
func (n *normalizer) completionStart() {
	v, ok := n.get(genai.ResponseTimeToFirstChunk)
	if !ok || v.Type() != attribute.FLOAT64 || v.AsFloat64() <= 0 {
		return
	}
	first := n.span.StartTime().Add(time.Duration(v.AsFloat64() * float64(time.Second)))
	n.set(genai.CompletionStartTime.String(first.UTC().Format(time.RFC3339Nano)))
}

// get returns k's value as consumers will read it: own (corrected), else
// derived.
func (n *normalizer) get(k attribute.Key) (attribute.Value, bool) {
	if i, ok := n.ownAt[k]; ok {
		if v, ok := n.fixed[i]; ok {
			return v, true
		}
		return n.own[i].Value, true
	}
	if i, ok := n.derAt[k]; ok {
		return n.derived[i].Value, true
	}
	return attribute.Value{}, false
}

func (n *normalizer) str(k attribute.Key) string {
	if v, ok := n.get(k); ok && v.Type() == attribute.STRING {
		return v.AsString()
	}
	return ""
}

// set derives kv unless the span or an earlier step has its key, and
// reports whether it did. from are the own keys kv says in the
// conventions' names: whether derived now or already there, a destination
// that reads those names need not get them again.
func (n *normalizer) set(kv attribute.KeyValue, from ...attribute.Key) bool {
	if kv.Value.Type() == attribute.EMPTY {
		return false
	}
	if kv.Value.Type() == attribute.STRING && kv.Value.AsString() == "" {
		return false
	}
	for _, k := range from {
		n.replaced[k] = true
	}
	if _, ok := n.get(kv.Key); ok {
		return false
	}
	n.derAt[kv.Key] = len(n.derived)
	n.derived = append(n.derived, kv)
	return true
}

// correct replaces the value consumers read for k, own or derived.
func (n *normalizer) correct(k attribute.Key, v attribute.Value) {
	if i, ok := n.ownAt[k]; ok {
		if n.fixed == nil {
			n.fixed = map[int]attribute.Value{}
		}
		n.fixed[i] = v
		return
	}
	if i, ok := n.derAt[k]; ok {
		n.derived[i].Value = v
		return
	}
	n.set(attribute.KeyValue{Key: k, Value: v})
}

func (n *normalizer) result() *Result {
	attrs := make([]attribute.KeyValue, 0, len(n.own)+len(n.derived))
	for i, kv := range n.own {
		if v, ok := n.fixed[i]; ok {
			kv.Value = v
		}
		attrs = append(attrs, kv)
	}
	attrs = append(attrs, n.derived...)
	return &Result{Dialects: n.dialects, Attrs: attrs, Derived: len(n.derived), replaced: n.replaced, eventsConverted: n.events}
}

// rename is a name another dialect has for one of the conventions', with
// the conversion its value needs.
type rename struct {
	to   attribute.Key
	conv func(attribute.Value) attribute.Value
}

// renames maps one-to-one names to the conventions'. Token counts keep
// their meaning here; reconcileUsage corrects counts that exclude what the
// conventions include.
var renames = map[attribute.Key]rename{
	vocab.LegacySystem:                  {genai.ProviderName, providerValue},
	vocab.OpenInferenceProvider:         {genai.ProviderName, providerValue},
	vocab.OpenInferenceSystem:           {genai.ProviderName, providerValue},
	vocab.OtelcIsStream:                 {genai.RequestStream, boolValue},
	vocab.GenAIIsStreaming:              {genai.RequestStream, boolValue},
	vocab.LegacyIsStreaming:             {genai.RequestStream, boolValue},
	vocab.OtelcTimeToFirstToken:         {genai.ResponseTimeToFirstChunk, microsecondsToSeconds},
	vocab.LegacyPromptTokens:            {genai.UsageInputTokens, intValue},
	vocab.LegacyCompletionTokens:        {genai.UsageOutputTokens, intValue},
	vocab.LegacyCacheReadInputTokens:    {genai.UsageCacheReadInputTokens, intValue},
	vocab.LegacyCacheCreationTokens:     {genai.UsageCacheCreationInputTokens, intValue},
	vocab.OpenInferencePromptTokens:     {genai.UsageInputTokens, intValue},
	vocab.OpenInferenceCompletionTokens: {genai.UsageOutputTokens, intValue},
	vocab.OpenInferenceCacheReadTokens:  {genai.UsageCacheReadInputTokens, intValue},
	vocab.OpenInferenceCacheWriteTokens: {genai.UsageCacheCreationInputTokens, intValue},
	vocab.OpenInferenceReasoningTokens:  {genai.UsageReasoningOutputTokens, intValue},
	vocab.OpenInferenceModelName:        {genai.RequestModel, stringValue},
	vocab.OpenInferenceToolName:         {genai.ToolName, stringValue},
}

func (n *normalizer) renames() {
	for _, kv := range n.own {
		if r, ok := renames[kv.Key]; ok {
			n.set(attribute.KeyValue{Key: r.to, Value: r.conv(kv.Value)}, kv.Key)
		}
	}
}

// spanKinds derives the operation (and the entity's name) from the span
// kinds of OpenInference, LangSmith, OpenLLMetry's decorators and its
// llm.request.type.
func (n *normalizer) spanKinds() {
	if k := vocab.OpenInferenceSpanKind; n.str(k) != "" {
		n.setOperation(openInferenceOperations[strings.ToUpper(n.str(k))], k)
	}
	if k := vocab.LangSmithSpanKind; n.str(k) != "" {
		n.setOperation(langSmithOperations[strings.ToLower(n.str(k))], k)
	}
	if k := vocab.LegacyRequestType; n.str(k) != "" {
		n.setOperation(requestTypeOperations[strings.ToLower(n.str(k))], k)
	}
	if k := vocab.TraceloopSpanKind; n.str(k) != "" {
		name := n.str(vocab.TraceloopEntityName)
		switch n.str(k) {
		case "workflow":
			n.setOperation(genai.OpInvokeWorkflow, k)
			n.set(genai.WorkflowName.String(name))
		case "agent":
			n.setOperation(genai.OpInvokeAgent, k)
			n.set(genai.AgentName.String(name))
		case "tool":
			n.setOperation(genai.OpExecuteTool, k)
			n.set(genai.ToolName.String(name))
		}
	}
}

func (n *normalizer) setOperation(op string, from attribute.Key) {
	if op != "" {
		n.set(genai.OperationName.String(op), from)
	}
}

// The operations other dialects' span kinds and request types name. Kinds
// with no such operation (OpenInference's RERANKER, GUARDRAIL, EVALUATOR;
// OpenLLMetry's rerank) are absent.
var (
	openInferenceOperations = map[string]string{"LLM": genai.OpChat, "EMBEDDING": genai.OpEmbeddings,
		"TOOL": genai.OpExecuteTool, "AGENT": genai.OpInvokeAgent, "CHAIN": genai.OpInvokeWorkflow, "RETRIEVER": genai.OpRetrieval}
	langSmithOperations = map[string]string{"llm": genai.OpChat, "embedding": genai.OpEmbeddings,
		"tool": genai.OpExecuteTool, "chain": genai.OpInvokeWorkflow, "retriever": genai.OpRetrieval}
	requestTypeOperations = map[string]string{"chat": genai.OpChat, "completion": genai.OpTextCompletion, "embedding": genai.OpEmbeddings}
)

// Value conversions of renames.

// providerValue lowers a provider's name and gives the conventions' name
// for the ones other dialects spell differently.
func providerValue(v attribute.Value) attribute.Value {
	p := strings.ToLower(strings.TrimSpace(v.String()))
	if c, ok := providerNames[p]; ok {
		p = c
	}
	return attribute.StringValue(p)
}

var providerNames = map[string]string{
	"mistral": "mistral_ai", "mistralai": "mistral_ai",
	"google": "gcp.gemini", "googleai": "gcp.gemini", "gemini": "gcp.gemini",
	"vertexai": "gcp.vertex_ai", "vertex_ai": "gcp.vertex_ai",
	"aws": "aws.bedrock", "bedrock": "aws.bedrock",
	"azure": "azure.ai.openai", "az.ai.openai": "azure.ai.openai", "az.ai.inference": "azure.ai.inference",
	"xai": "x_ai", "watsonx": "ibm.watsonx.ai",
}

func boolValue(v attribute.Value) attribute.Value {
	switch v.Type() {
	case attribute.BOOL:
		return v
	case attribute.STRING:
		b, err := strconv.ParseBool(v.AsString())
		if err == nil {
			return attribute.BoolValue(b)
		}
	}
	return attribute.Value{}
}

func intValue(v attribute.Value) attribute.Value {
	switch v.Type() {
	case attribute.INT64:
		return v
	case attribute.FLOAT64:
		return attribute.Int64Value(int64(v.AsFloat64()))
	case attribute.STRING:
		if i, err := strconv.ParseInt(v.AsString(), 10, 64); err == nil {
			return attribute.Int64Value(i)
		}
	}
	return attribute.Value{}
}

func stringValue(v attribute.Value) attribute.Value {
	if v.Type() == attribute.STRING {
		return v
	}
	return attribute.Value{}
}

// microsecondsToSeconds converts otelc's time to first token (an integer
// in microseconds) to the conventions' time to first chunk (seconds).
func microsecondsToSeconds(v attribute.Value) attribute.Value {
	switch v.Type() {
	case attribute.INT64:
		return attribute.Float64Value(float64(v.AsInt64()) / 1e6)
	case attribute.FLOAT64:
		return attribute.Float64Value(v.AsFloat64() / 1e6)
	}
	return attribute.Value{}
}
