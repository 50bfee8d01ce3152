package generator

import (
	"sort"

	"github.com/dave/jennifer/jen"
	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// attrType is the OpenTelemetry attribute type a mapping key records.
type attrType int

const (
	typeString attrType = iota
	typeInt
	typeFloat
	typeStrings
	typeBool
	// typeMessages is content: a message list rendered as the GenAI
	// conventions' JSON, recorded only when content capture is on.
	typeMessages
	// typeText is content recorded as is (tool arguments and results).
	typeText
)

func (t attrType) String() string {
	return [...]string{"string", "int64", "float64", "[]string", "bool", "messages", "text"}[t]
}

// setter is the attribute.Key method that makes a value of the type
// (genai's readers of any values are named after it: Int64Of).
func (t attrType) setter() string {
	return [...]string{"String", "Int64", "Float64", "StringSlice", "Bool", "String", "String"}[t]
}

// goType is the Go type holding a scalar value of the type.
func (t attrType) goType() jen.Code {
	switch t {
	case typeInt:
		return jen.Int64()
	case typeFloat:
		return jen.Float64()
	case typeBool:
		return jen.Bool()
	}
	return jen.String()
}

// field is one mapping key: the attribute it records and its type.
type field struct {
	key  string        // YAML key
	attr string        // attribute key constant in runtime/genai
	name attribute.Key // the attribute itself
	typ  attrType
	// role is the default role of messages (input: user; output: assistant).
	role string
	// delta marks a stream chunk's share of the output text: the stream
	// joins the deltas into one assistant message.
	delta bool
	// parts marks content recorded as a list of parts rather than of
	// messages (system instructions).
	parts bool
}

// fields are the mapping keys a method (or an interface, as a default)
// may set.
var fields = map[string]field{
	"request_model":         {attr: "RequestModel", name: genai.RequestModel, typ: typeString},
	"response_model":        {attr: "ResponseModel", name: genai.ResponseModel, typ: typeString},
	"response_id":           {attr: "ResponseID", name: genai.ResponseID, typ: typeString},
	"input_tokens":          {attr: "UsageInputTokens", name: genai.UsageInputTokens, typ: typeInt},
	"output_tokens":         {attr: "UsageOutputTokens", name: genai.UsageOutputTokens, typ: typeInt},
	"cache_read_tokens":     {attr: "UsageCacheReadInputTokens", name: genai.UsageCacheReadInputTokens, typ: typeInt},
	"cache_creation_tokens": {attr: "UsageCacheCreationInputTokens", name: genai.UsageCacheCreationInputTokens, typ: typeInt},
	"reasoning_tokens":      {attr: "UsageReasoningOutputTokens", name: genai.UsageReasoningOutputTokens, typ: typeInt},
	"finish_reasons":        {attr: "ResponseFinishReasons", name: genai.ResponseFinishReasons, typ: typeStrings},
	"temperature":           {attr: "RequestTemperature", name: genai.RequestTemperature, typ: typeFloat},
	"top_p":                 {attr: "RequestTopP", name: genai.RequestTopP, typ: typeFloat},
	"top_k":                 {attr: "RequestTopK", name: genai.RequestTopK, typ: typeFloat},
	"max_tokens":            {attr: "RequestMaxTokens", name: genai.RequestMaxTokens, typ: typeInt},
	"frequency_penalty":     {attr: "RequestFrequencyPenalty", name: genai.RequestFrequencyPenalty, typ: typeFloat},
	"presence_penalty":      {attr: "RequestPresencePenalty", name: genai.RequestPresencePenalty, typ: typeFloat},
	"stop_sequences":        {attr: "RequestStopSequences", name: genai.RequestStopSequences, typ: typeStrings},
	"seed":                  {attr: "RequestSeed", name: genai.RequestSeed, typ: typeInt},
	"choice_count":          {attr: "RequestChoiceCount", name: genai.RequestChoiceCount, typ: typeInt},
	"stream":                {attr: "RequestStream", name: genai.RequestStream, typ: typeBool},
	"output_type":           {attr: "OutputType", name: genai.OutputType, typ: typeString},
	"tool_name":             {attr: "ToolName", name: genai.ToolName, typ: typeString},
	"tool_call_id":          {attr: "ToolCallID", name: genai.ToolCallID, typ: typeString},
	"tool_description":      {attr: "ToolDescription", name: genai.ToolDescription, typ: typeString},
	"tool_type":             {attr: "ToolType", name: genai.ToolType, typ: typeString},
	"agent_name":            {attr: "AgentName", name: genai.AgentName, typ: typeString},
	"agent_id":              {attr: "AgentID", name: genai.AgentID, typ: typeString},
	"agent_description":     {attr: "AgentDescription", name: genai.AgentDescription, typ: typeString},
	"workflow_name":         {attr: "WorkflowName", name: genai.WorkflowName, typ: typeString},
	"conversation_id":       {attr: "ConversationID", name: genai.ConversationID, typ: typeString},
	"server_address":        {attr: "ServerAddress", name: genai.ServerAddress, typ: typeString},
	"server_port":           {attr: "ServerPort", name: genai.ServerPort, typ: typeInt},
	"embedding_dimensions":  {attr: "EmbeddingsDimensionCount", name: genai.EmbeddingsDimensionCount, typ: typeInt},
	"input":                 {attr: "InputMessages", name: genai.InputMessages, typ: typeMessages, role: "user"},
	"output":                {attr: "OutputMessages", name: genai.OutputMessages, typ: typeMessages, role: "assistant"},
	"system_instructions":   {attr: "SystemInstructions", name: genai.SystemInstructions, typ: typeMessages, role: "system", parts: true},
	"tool_arguments":        {attr: "ToolCallArguments", name: genai.ToolCallArguments, typ: typeText},
	"tool_result":           {attr: "ToolCallResult", name: genai.ToolCallResult, typ: typeText},
}

func init() {
	for k, f := range fields {
		f.key = k
		fields[k] = f
	}
}

// chunkField is the field a stream chunk's key records: as elsewhere,
// except output, which in a chunk is the chunk's text delta.
func chunkField(key string) field {
	if key == "output" {
		return field{key: key, attr: "OutputMessages", name: genai.OutputMessages, typ: typeText, delta: true}
	}
	return fields[key]
}

// fieldOrder is the order attributes are emitted in: the table's keys,
// sorted, so output is deterministic.
var fieldOrder = func() []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}()

// operations are the accepted values of operation, with the span kind and
// the field that completes the span name ("chat gpt-4o").
var operations = map[string]struct {
	kind     string
	nameFrom string
}{
	"chat":             {"client", "request_model"},
	"text_completion":  {"client", "request_model"},
	"generate_content": {"client", "request_model"},
	"embeddings":       {"client", "request_model"},
	"retrieval":        {"client", ""},
	"execute_tool":     {"internal", "tool_name"},
	"invoke_agent":     {"internal", "agent_name"},
	"create_agent":     {"client", "agent_name"},
	"invoke_workflow":  {"internal", "workflow_name"},
	"span":             {"internal", ""},
}

var spanKinds = map[string]string{
	"client":   "SpanKindClient",
	"internal": "SpanKindInternal",
	"server":   "SpanKindServer",
	"producer": "SpanKindProducer",
	"consumer": "SpanKindConsumer",
}
