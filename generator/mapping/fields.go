package mapping

import (
	"sort"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// AttrType is the OpenTelemetry attribute type a mapping key records.
type AttrType int

// The attribute types.
const (
	TypeString AttrType = iota
	TypeInt
	TypeFloat
	TypeStrings
	TypeBool
	// TypeMessages is content: a message list rendered as the GenAI
	// conventions' JSON, recorded only when content capture is on.
	TypeMessages
	// TypeText is content recorded as is (tool arguments and results).
	TypeText
)

// String names the type as messages do.
func (t AttrType) String() string {
	return [...]string{"string", "int64", "float64", "[]string", "bool", "messages", "text"}[t]
}

// Setter is the attribute.Key method that makes a value of the type
// (genai's readers of any values are named after it: Int64Of).
func (t AttrType) Setter() string {
	return [...]string{"String", "Int64", "Float64", "StringSlice", "Bool", "String", "String"}[t]
}

// Field is one mapping key: the attribute it records and its type.
type Field struct {
	Key  string        // YAML key
	Attr string        // attribute key constant in runtime/genai
	Name attribute.Key // the attribute itself
	Type AttrType
	// role is the default role of messages (input: user; output: assistant).
	Role string
	// delta marks a stream chunk's share of the output text: the stream
	// joins the deltas into one assistant message.
	Delta bool
	// parts marks content recorded as a list of parts rather than of
	// messages (system instructions).
	Parts bool
}

// Fields are the mapping keys a method (or an interface, as a default)
// may set.
var Fields = map[string]Field{
	"request_model":         {Attr: "RequestModel", Name: genai.RequestModel, Type: TypeString},
	"response_model":        {Attr: "ResponseModel", Name: genai.ResponseModel, Type: TypeString},
	"response_id":           {Attr: "ResponseID", Name: genai.ResponseID, Type: TypeString},
	"input_tokens":          {Attr: "UsageInputTokens", Name: genai.UsageInputTokens, Type: TypeInt},
	"output_tokens":         {Attr: "UsageOutputTokens", Name: genai.UsageOutputTokens, Type: TypeInt},
	"cache_read_tokens":     {Attr: "UsageCacheReadInputTokens", Name: genai.UsageCacheReadInputTokens, Type: TypeInt},
	"cache_creation_tokens": {Attr: "UsageCacheCreationInputTokens", Name: genai.UsageCacheCreationInputTokens, Type: TypeInt},
	"reasoning_tokens":      {Attr: "UsageReasoningOutputTokens", Name: genai.UsageReasoningOutputTokens, Type: TypeInt},
	"finish_reasons":        {Attr: "ResponseFinishReasons", Name: genai.ResponseFinishReasons, Type: TypeStrings},
	"temperature":           {Attr: "RequestTemperature", Name: genai.RequestTemperature, Type: TypeFloat},
	"top_p":                 {Attr: "RequestTopP", Name: genai.RequestTopP, Type: TypeFloat},
	"top_k":                 {Attr: "RequestTopK", Name: genai.RequestTopK, Type: TypeFloat},
	"max_tokens":            {Attr: "RequestMaxTokens", Name: genai.RequestMaxTokens, Type: TypeInt},
	"frequency_penalty":     {Attr: "RequestFrequencyPenalty", Name: genai.RequestFrequencyPenalty, Type: TypeFloat},
	"presence_penalty":      {Attr: "RequestPresencePenalty", Name: genai.RequestPresencePenalty, Type: TypeFloat},
	"stop_sequences":        {Attr: "RequestStopSequences", Name: genai.RequestStopSequences, Type: TypeStrings},
	"seed":                  {Attr: "RequestSeed", Name: genai.RequestSeed, Type: TypeInt},
	"choice_count":          {Attr: "RequestChoiceCount", Name: genai.RequestChoiceCount, Type: TypeInt},
	"stream":                {Attr: "RequestStream", Name: genai.RequestStream, Type: TypeBool},
	"output_type":           {Attr: "OutputType", Name: genai.OutputType, Type: TypeString},
	"tool_name":             {Attr: "ToolName", Name: genai.ToolName, Type: TypeString},
	"tool_call_id":          {Attr: "ToolCallID", Name: genai.ToolCallID, Type: TypeString},
	"tool_description":      {Attr: "ToolDescription", Name: genai.ToolDescription, Type: TypeString},
	"tool_type":             {Attr: "ToolType", Name: genai.ToolType, Type: TypeString},
	"agent_name":            {Attr: "AgentName", Name: genai.AgentName, Type: TypeString},
	"agent_id":              {Attr: "AgentID", Name: genai.AgentID, Type: TypeString},
	"agent_description":     {Attr: "AgentDescription", Name: genai.AgentDescription, Type: TypeString},
	"workflow_name":         {Attr: "WorkflowName", Name: genai.WorkflowName, Type: TypeString},
	"conversation_id":       {Attr: "ConversationID", Name: genai.ConversationID, Type: TypeString},
	"server_address":        {Attr: "ServerAddress", Name: genai.ServerAddress, Type: TypeString},
	"server_port":           {Attr: "ServerPort", Name: genai.ServerPort, Type: TypeInt},
	"embedding_dimensions":  {Attr: "EmbeddingsDimensionCount", Name: genai.EmbeddingsDimensionCount, Type: TypeInt},
	"input":                 {Attr: "InputMessages", Name: genai.InputMessages, Type: TypeMessages, Role: "user"},
	"output":                {Attr: "OutputMessages", Name: genai.OutputMessages, Type: TypeMessages, Role: "assistant"},
	"system_instructions":   {Attr: "SystemInstructions", Name: genai.SystemInstructions, Type: TypeMessages, Role: "system", Parts: true},
	"tool_arguments":        {Attr: "ToolCallArguments", Name: genai.ToolCallArguments, Type: TypeText},
	"tool_result":           {Attr: "ToolCallResult", Name: genai.ToolCallResult, Type: TypeText},
}

func init() {
	for k, f := range Fields {
		f.Key = k
		Fields[k] = f
	}
}

// ChunkField is the field a stream chunk's key records: as elsewhere,
// except output, which in a chunk is the chunk's text delta.
func ChunkField(key string) Field {
	if key == "output" {
		return Field{Key: key, Attr: "OutputMessages", Name: genai.OutputMessages, Type: TypeText, Delta: true}
	}
	return Fields[key]
}

// FieldOrder is the order attributes are emitted in: the table's keys,
// sorted, so output is deterministic.
var FieldOrder = func() []string {
	keys := make([]string, 0, len(Fields))
	for k := range Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}()

// Operations are the accepted values of operation, with the span kind and
// the field that completes the span name ("chat gpt-4o").
var Operations = map[string]struct {
	Kind     string
	NameFrom string
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

// SpanKinds are the accepted values of kind, with the trace.SpanKind
// constant each means.
var SpanKinds = map[string]string{
	"client":   "SpanKindClient",
	"internal": "SpanKindInternal",
	"server":   "SpanKindServer",
	"producer": "SpanKindProducer",
	"consumer": "SpanKindConsumer",
}
