package genai

import (
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
)

// The attribute keys genaitrace's wrappers record: short names for the
// OpenTelemetry semantic conventions v1.41.0 (go.opentelemetry.io/otel's
// semconv/v1.41.0), which generated code refers to.
const (
	OperationName                 = semconv.GenAIOperationNameKey
	ProviderName                  = semconv.GenAIProviderNameKey
	ConversationID                = semconv.GenAIConversationIDKey
	OutputType                    = semconv.GenAIOutputTypeKey
	RequestModel                  = semconv.GenAIRequestModelKey
	RequestMaxTokens              = semconv.GenAIRequestMaxTokensKey
	RequestTemperature            = semconv.GenAIRequestTemperatureKey
	RequestTopP                   = semconv.GenAIRequestTopPKey
	RequestTopK                   = semconv.GenAIRequestTopKKey
	RequestFrequencyPenalty       = semconv.GenAIRequestFrequencyPenaltyKey
	RequestPresencePenalty        = semconv.GenAIRequestPresencePenaltyKey
	RequestStopSequences          = semconv.GenAIRequestStopSequencesKey
	RequestSeed                   = semconv.GenAIRequestSeedKey
	RequestStream                 = semconv.GenAIRequestStreamKey
	RequestChoiceCount            = semconv.GenAIRequestChoiceCountKey
	ResponseID                    = semconv.GenAIResponseIDKey
	ResponseModel                 = semconv.GenAIResponseModelKey
	ResponseFinishReasons         = semconv.GenAIResponseFinishReasonsKey
	ResponseTimeToFirstChunk      = semconv.GenAIResponseTimeToFirstChunkKey
	UsageInputTokens              = semconv.GenAIUsageInputTokensKey
	UsageOutputTokens             = semconv.GenAIUsageOutputTokensKey
	UsageCacheReadInputTokens     = semconv.GenAIUsageCacheReadInputTokensKey
	UsageCacheCreationInputTokens = semconv.GenAIUsageCacheCreationInputTokensKey
	UsageReasoningOutputTokens    = semconv.GenAIUsageReasoningOutputTokensKey
	InputMessages                 = semconv.GenAIInputMessagesKey
	OutputMessages                = semconv.GenAIOutputMessagesKey
	SystemInstructions            = semconv.GenAISystemInstructionsKey
	ToolDefinitions               = semconv.GenAIToolDefinitionsKey
	ToolName                      = semconv.GenAIToolNameKey
	ToolCallID                    = semconv.GenAIToolCallIDKey
	ToolDescription               = semconv.GenAIToolDescriptionKey
	ToolType                      = semconv.GenAIToolTypeKey
	ToolCallArguments             = semconv.GenAIToolCallArgumentsKey
	ToolCallResult                = semconv.GenAIToolCallResultKey
	AgentName                     = semconv.GenAIAgentNameKey
	AgentID                       = semconv.GenAIAgentIDKey
	AgentDescription              = semconv.GenAIAgentDescriptionKey
	WorkflowName                  = semconv.GenAIWorkflowNameKey
	EmbeddingsDimensionCount      = semconv.GenAIEmbeddingsDimensionCountKey
	ErrorType                     = semconv.ErrorTypeKey
	ServerAddress                 = semconv.ServerAddressKey
	ServerPort                    = semconv.ServerPortKey
	SessionID                     = semconv.SessionIDKey
	UserID                        = semconv.UserIDKey
)

// Well-known values of gen_ai.operation.name.
const (
	OpChat            = "chat"
	OpTextCompletion  = "text_completion"
	OpGenerateContent = "generate_content"
	OpEmbeddings      = "embeddings"
	OpRetrieval       = "retrieval"
	OpExecuteTool     = "execute_tool"
	OpInvokeAgent     = "invoke_agent"
	OpCreateAgent     = "create_agent"
	OpInvokeWorkflow  = "invoke_workflow"
)

// CompletionStartTime is set by streaming wrappers to the time the first
// chunk arrived (RFC 3339 with nanoseconds). Langfuse reads it as the
// completion start time; other destinations see the semconv
// gen_ai.response.time_to_first_chunk.
const CompletionStartTime = attribute.Key("genaitrace.completion_start_time")
