package dialect

import (
	"strconv"
	"strings"

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
	fixed    map[int]attribute.Value // own values corrected; an empty value drops the attribute
	derived  []attribute.KeyValue
	derAt    map[attribute.Key]int
	replaced map[attribute.Key]bool
	events   bool
	// usageTotal is a total token count read from JSON (Genkit's usage,
	// LangSmith's usage_metadata), for reconcileUsage; -1 when none.
	usageTotal int64
	untrusted  int
	// What the span says of itself, for Result.
	ownInput, ownOutput string
	errorsEcho          bool
	repeatsUsage        bool
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

func (n *normalizer) is(d Set) bool { return n.dialects&d != 0 }

// derive runs every step; each looks only for its own dialect's names.
func (n *normalizer) derive() {
	n.checkOwnNumbers()
	n.genAIv01()
	n.invocationParameters() // before renames: it knows the model asked for
	n.openInferenceModels()
	n.renames()
	n.spanKinds()
	n.operations()
	n.eino() // before flatMessages: a tool's flattened "messages" are its arguments and result
	n.flatMessages()
	n.jsonContent()
	n.messageEvents()
	n.openInference()
	n.genkit()
	n.adk()
	n.langWatch()
	n.langSmith()
	n.providers()
	n.checkNumbers()
	n.reconcileUsage()
	n.completionStart()
}

// get returns k's value as consumers will read it: own (corrected), else
// derived.
func (n *normalizer) get(k attribute.Key) (attribute.Value, bool) {
	if i, ok := n.ownAt[k]; ok {
		if v, ok := n.fixed[i]; ok {
			return v, v.Type() != attribute.EMPTY
		}
		return n.own[i].Value, true
	}
	if i, ok := n.derAt[k]; ok {
		v := n.derived[i].Value
		return v, v.Type() != attribute.EMPTY
	}
	return attribute.Value{}, false
}

func (n *normalizer) has(k attribute.Key) bool {
	_, ok := n.get(k)
	return ok
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
	if i, ok := n.derAt[kv.Key]; ok { // dropped earlier: derived again
		n.derived[i].Value = kv.Value
		return true
	}
	if _, ok := n.ownAt[kv.Key]; ok { // an own value that was dropped
		n.correct(kv.Key, kv.Value)
		return true
	}
	n.derAt[kv.Key] = len(n.derived)
	n.derived = append(n.derived, kv)
	return true
}

// correct replaces the value consumers read for k, own or derived; an
// empty value drops it.
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

// drop leaves k out for every consumer.
func (n *normalizer) drop(k attribute.Key) {
	if n.has(k) {
		n.correct(k, attribute.Value{})
	}
}

func (n *normalizer) result() *Result {
	attrs := make([]attribute.KeyValue, 0, len(n.own)+len(n.derived))
	for i, kv := range n.own {
		if v, ok := n.fixed[i]; ok {
			if v.Type() == attribute.EMPTY {
				continue
			}
			kv.Value = v
		}
		attrs = append(attrs, kv)
	}
	derived := 0
	for _, kv := range n.derived {
		if kv.Value.Type() != attribute.EMPTY {
			attrs = append(attrs, kv)
			derived++
		}
	}
	return &Result{Dialects: n.dialects, Attrs: attrs, Derived: derived, Untrusted: n.untrusted,
		replaced: n.replaced, eventsConverted: n.events, ownInput: n.ownInput, ownOutput: n.ownOutput,
		errorsEcho: n.errorsEcho, repeatsUsage: n.repeatsUsage}
}

// rename is a name another dialect has for one of the conventions', with
// the conversion its value needs.
type rename struct {
	to   attribute.Key
	conv func(attribute.Value) attribute.Value
}

// renames maps one-to-one names to the conventions'. Token counts keep
// their meaning here; reconcileUsage corrects counts that exclude what the
// conventions include, and checkNumbers what cannot be trusted.
var renames = map[attribute.Key]rename{
	vocab.LegacySystem:                  {genai.ProviderName, providerValue},
	vocab.OpenInferenceProvider:         {genai.ProviderName, providerValue},
	vocab.OpenInferenceSystem:           {genai.ProviderName, providerValue},
	traceloopVendor:                     {genai.ProviderName, providerValue},
	vocab.OtelcIsStream:                 {genai.RequestStream, boolValue},
	vocab.GenAIIsStreaming:              {genai.RequestStream, boolValue},
	vocab.LegacyIsStreaming:             {genai.RequestStream, boolValue},
	langWatchStreaming:                  {genai.RequestStream, boolValue},
	vocab.OtelcTimeToFirstToken:         {genai.ResponseTimeToFirstChunk, microsecondsToSeconds},
	einoTimeToFirstToken:                {genai.ResponseTimeToFirstChunk, secondsValue},
	vocab.LegacyPromptTokens:            {genai.UsageInputTokens, intValue},
	vocab.LegacyCompletionTokens:        {genai.UsageOutputTokens, intValue},
	vocab.LegacyCacheReadInputTokens:    {genai.UsageCacheReadInputTokens, intValue},
	vocab.LegacyCacheCreationTokens:     {genai.UsageCacheCreationInputTokens, intValue},
	legacyReasoningTokens:               {genai.UsageReasoningOutputTokens, intValue},
	langSmithDetailsReasoning:           {genai.UsageReasoningOutputTokens, intValue},
	langSmithFlatCacheRead:              {genai.UsageCacheReadInputTokens, intValue},
	langSmithFlatCacheCreation:          {genai.UsageCacheCreationInputTokens, intValue},
	traceloopPromptTokens:               {genai.UsageInputTokens, intValue},
	traceloopCompletionTokens:           {genai.UsageOutputTokens, intValue},
	vocab.OpenInferencePromptTokens:     {genai.UsageInputTokens, intValue},
	vocab.OpenInferenceCompletionTokens: {genai.UsageOutputTokens, intValue},
	vocab.OpenInferenceCacheReadTokens:  {genai.UsageCacheReadInputTokens, intValue},
	vocab.OpenInferenceCacheWriteTokens: {genai.UsageCacheCreationInputTokens, intValue},
	vocab.OpenInferenceReasoningTokens:  {genai.UsageReasoningOutputTokens, intValue},
	traceloopRequestModel:               {genai.RequestModel, stringValue},
	traceloopResponseModel:              {genai.ResponseModel, stringValue},
	vocab.OpenInferenceToolName:         {genai.ToolName, stringValue},
	openInferenceAgentName:              {genai.AgentName, stringValue},
	openInferenceFinishReason:           {genai.ResponseFinishReasons, stringsValue},
	adkFinishReason:                     {genai.ResponseFinishReasons, stringsValue},
	adkPromptTokens:                     {genai.UsageInputTokens, intValue},
	adkCandidatesTokens:                 {genai.UsageOutputTokens, intValue},
	adkCachedTokens:                     {genai.UsageCacheReadInputTokens, intValue},
	adkToolCallArgs:                     {genai.ToolCallArguments, toolPayload},
	adkToolResponse:                     {genai.ToolCallResult, toolPayload},
	einoSessionID:                       {genai.SessionID, stringValue},
	einoUserID:                          {genai.UserID, stringValue},
	langWatchThreadID:                   {genai.ConversationID, stringValue},
	langWatchUserID:                     {genai.UserID, stringValue},
	langWatchTools:                      {genai.ToolDefinitions, stringValue},
	langWatchInstructions:               {genai.SystemInstructions, instructionsValue},
}

func (n *normalizer) renames() {
	for _, kv := range n.own {
		r, ok := renames[kv.Key]
		if !ok {
			continue
		}
		if v, ok := n.get(kv.Key); ok { // as checked
			n.set(attribute.KeyValue{Key: r.to, Value: r.conv(v)}, kv.Key)
		}
	}
}

// spanKinds derives the operation (and the entity's name) from the span
// kinds of OpenInference, LangSmith, OpenLLMetry's decorators, its
// llm.request.type, eino's gen_ai.span.kind and LangWatch's span types.
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
	if k := langWatchSpanType; n.str(k) != "" {
		n.setOperation(langWatchOperations[n.str(k)], k)
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

// operations gives the conventions' names to the operations other
// instrumentation names under gen_ai.operation.name: LangSmith's
// embedding, completion, responses and stream_generate_content,
// LangWatch's responses. Without them a call has no cost and an embedding
// passes for a chat.
func (n *normalizer) operations() {
	op := n.str(genai.OperationName)
	to, ok := operationNames[op]
	if !ok {
		return
	}
	n.correct(genai.OperationName, attribute.StringValue(to))
	if op == "stream_generate_content" {
		n.set(genai.RequestStream.Bool(true))
	}
}

// operationNames are operation names outside the conventions, with the
// conventions' name for what they do. Names with no such operation
// (LangSmith's request, ADK's invoke_node) are left as they are.
var operationNames = map[string]string{
	"embedding":               genai.OpEmbeddings,
	"completion":              genai.OpTextCompletion,
	"responses":               genai.OpChat,
	"responses.compact":       genai.OpChat,
	"stream_generate_content": genai.OpGenerateContent,
	"generate":                genai.OpGenerateContent,
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
	langWatchOperations   = map[string]string{"llm": genai.OpChat, "tool": genai.OpExecuteTool, "agent": genai.OpInvokeAgent,
		"workflow": genai.OpInvokeWorkflow, "rag": genai.OpRetrieval}
)

// Value conversions of renames.

// providerValue lowers a provider's name and gives the conventions' name
// for the ones other dialects spell differently. Names that are not a
// provider (a framework's: eino, ADK's gcp.vertex.agent) give nothing.
func providerValue(v attribute.Value) attribute.Value {
	p := strings.ToLower(strings.TrimSpace(v.String()))
	if _, no := notProviders[p]; no {
		return attribute.Value{}
	}
	if c, ok := providerNames[p]; ok {
		p = c
	}
	return attribute.StringValue(p)
}

// providerNames are the conventions' well-known provider names for the
// names other instrumentation writes. "google" names no backend (Gemini's
// API or Vertex AI): it is the conventions' gcp.gen_ai.
var providerNames = map[string]string{
	"mistral": "mistral_ai", "mistralai": "mistral_ai",
	"google": "gcp.gen_ai", "googleai": "gcp.gemini", "gemini": "gcp.gemini",
	"vertexai": "gcp.vertex_ai", "vertex_ai": "gcp.vertex_ai",
	"aws": "aws.bedrock", "bedrock": "aws.bedrock",
	"azure": "azure.ai.openai", "az.ai.openai": "azure.ai.openai", "az.ai.inference": "azure.ai.inference",
	"xai": "x_ai", "watsonx": "ibm.watsonx.ai",
}

// notProviders are names instrumentation writes as a provider that name a
// framework instead.
var notProviders = set("eino", "gcp.vertex.agent")

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

// intValue passes a count on; checkNumbers decides whether it can be
// trusted.
func intValue(v attribute.Value) attribute.Value {
	switch v.Type() {
	case attribute.INT64, attribute.FLOAT64, attribute.STRING:
		return v
	}
	return attribute.Value{}
}

func stringValue(v attribute.Value) attribute.Value {
	if v.Type() == attribute.STRING {
		return v
	}
	return attribute.Value{}
}

// stringsValue makes a one-element list of a single value (a finish
// reason recorded singular).
func stringsValue(v attribute.Value) attribute.Value {
	switch v.Type() {
	case attribute.STRING:
		if v.AsString() != "" {
			return attribute.StringSliceValue([]string{v.AsString()})
		}
	case attribute.STRINGSLICE:
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

// secondsValue passes a duration in seconds on.
func secondsValue(v attribute.Value) attribute.Value {
	switch v.Type() {
	case attribute.INT64:
		return attribute.Float64Value(float64(v.AsInt64()))
	case attribute.FLOAT64:
		return v
	}
	return attribute.Value{}
}

// toolPayload is a tool's arguments or result as ADK records them: JSON,
// or "N/A" and "<not specified>" when there are none.
func toolPayload(v attribute.Value) attribute.Value {
	switch s := v.AsString(); s {
	case "", "N/A", "<not specified>":
		return attribute.Value{}
	}
	return stringValue(v)
}

// instructionsValue makes system instructions given as text the
// conventions' list of parts.
func instructionsValue(v attribute.Value) attribute.Value {
	if v.Type() != attribute.STRING || v.AsString() == "" {
		return attribute.Value{}
	}
	if _, ok := parseJSON(v.AsString()).([]any); ok {
		return v
	}
	return attribute.StringValue(genai.TextPart(v.AsString()))
}
