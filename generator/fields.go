package generator

import "sort"

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

// field is one mapping key: the attribute it records and its type.
type field struct {
	key  string // YAML key
	attr string // attribute key constant in runtime/genai
	typ  attrType
	// role is the default role of messages (input: user; output: assistant).
	role string
}

// fields are the mapping keys a method (or an interface, as a default)
// may set.
var fields = map[string]field{
	"request_model":         {attr: "RequestModel", typ: typeString},
	"response_model":        {attr: "ResponseModel", typ: typeString},
	"response_id":           {attr: "ResponseID", typ: typeString},
	"input_tokens":          {attr: "UsageInputTokens", typ: typeInt},
	"output_tokens":         {attr: "UsageOutputTokens", typ: typeInt},
	"cache_read_tokens":     {attr: "UsageCacheReadInputTokens", typ: typeInt},
	"cache_creation_tokens": {attr: "UsageCacheCreationInputTokens", typ: typeInt},
	"reasoning_tokens":      {attr: "UsageReasoningOutputTokens", typ: typeInt},
	"finish_reasons":        {attr: "ResponseFinishReasons", typ: typeStrings},
	"temperature":           {attr: "RequestTemperature", typ: typeFloat},
	"top_p":                 {attr: "RequestTopP", typ: typeFloat},
	"top_k":                 {attr: "RequestTopK", typ: typeFloat},
	"max_tokens":            {attr: "RequestMaxTokens", typ: typeInt},
	"frequency_penalty":     {attr: "RequestFrequencyPenalty", typ: typeFloat},
	"presence_penalty":      {attr: "RequestPresencePenalty", typ: typeFloat},
	"stop_sequences":        {attr: "RequestStopSequences", typ: typeStrings},
	"seed":                  {attr: "RequestSeed", typ: typeInt},
	"choice_count":          {attr: "RequestChoiceCount", typ: typeInt},
	"stream":                {attr: "RequestStream", typ: typeBool},
	"output_type":           {attr: "OutputType", typ: typeString},
	"tool_name":             {attr: "ToolName", typ: typeString},
	"tool_call_id":          {attr: "ToolCallID", typ: typeString},
	"tool_description":      {attr: "ToolDescription", typ: typeString},
	"tool_type":             {attr: "ToolType", typ: typeString},
	"agent_name":            {attr: "AgentName", typ: typeString},
	"agent_id":              {attr: "AgentID", typ: typeString},
	"agent_description":     {attr: "AgentDescription", typ: typeString},
	"workflow_name":         {attr: "WorkflowName", typ: typeString},
	"conversation_id":       {attr: "ConversationID", typ: typeString},
	"server_address":        {attr: "ServerAddress", typ: typeString},
	"server_port":           {attr: "ServerPort", typ: typeInt},
	"embedding_dimensions":  {attr: "EmbeddingsDimensionCount", typ: typeInt},
	"input":                 {attr: "InputMessages", typ: typeMessages, role: "user"},
	"output":                {attr: "OutputMessages", typ: typeMessages, role: "assistant"},
	"system_instructions":   {attr: "SystemInstructions", typ: typeMessages, role: "system"},
	"tool_arguments":        {attr: "ToolCallArguments", typ: typeText},
	"tool_result":           {attr: "ToolCallResult", typ: typeText},
}

func init() {
	for k, f := range fields {
		f.key = k
		fields[k] = f
	}
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
