package genai

import "go.opentelemetry.io/otel/attribute"

// GenAI semantic-convention attribute keys (OpenTelemetry semconv v1.41.0).
// Later semconv releases moved GenAI out of the main repository, so these are
// owned here rather than imported.
const (
	OperationName                 = attribute.Key("gen_ai.operation.name")
	ProviderName                  = attribute.Key("gen_ai.provider.name")
	ConversationID                = attribute.Key("gen_ai.conversation.id")
	OutputType                    = attribute.Key("gen_ai.output.type")
	RequestModel                  = attribute.Key("gen_ai.request.model")
	RequestMaxTokens              = attribute.Key("gen_ai.request.max_tokens")
	RequestTemperature            = attribute.Key("gen_ai.request.temperature")
	RequestTopP                   = attribute.Key("gen_ai.request.top_p")
	RequestTopK                   = attribute.Key("gen_ai.request.top_k")
	RequestFrequencyPenalty       = attribute.Key("gen_ai.request.frequency_penalty")
	RequestPresencePenalty        = attribute.Key("gen_ai.request.presence_penalty")
	RequestStopSequences          = attribute.Key("gen_ai.request.stop_sequences")
	RequestSeed                   = attribute.Key("gen_ai.request.seed")
	RequestStream                 = attribute.Key("gen_ai.request.stream")
	RequestChoiceCount            = attribute.Key("gen_ai.request.choice.count")
	ResponseID                    = attribute.Key("gen_ai.response.id")
	ResponseModel                 = attribute.Key("gen_ai.response.model")
	ResponseFinishReasons         = attribute.Key("gen_ai.response.finish_reasons")
	ResponseTimeToFirstChunk      = attribute.Key("gen_ai.response.time_to_first_chunk")
	UsageInputTokens              = attribute.Key("gen_ai.usage.input_tokens")
	UsageOutputTokens             = attribute.Key("gen_ai.usage.output_tokens")
	UsageCacheReadInputTokens     = attribute.Key("gen_ai.usage.cache_read.input_tokens")
	UsageCacheCreationInputTokens = attribute.Key("gen_ai.usage.cache_creation.input_tokens")
	UsageReasoningOutputTokens    = attribute.Key("gen_ai.usage.reasoning.output_tokens")
	InputMessages                 = attribute.Key("gen_ai.input.messages")
	OutputMessages                = attribute.Key("gen_ai.output.messages")
	SystemInstructions            = attribute.Key("gen_ai.system_instructions")
	ToolDefinitions               = attribute.Key("gen_ai.tool.definitions")
	ToolName                      = attribute.Key("gen_ai.tool.name")
	ToolCallID                    = attribute.Key("gen_ai.tool.call.id")
	ToolDescription               = attribute.Key("gen_ai.tool.description")
	ToolType                      = attribute.Key("gen_ai.tool.type")
	ToolCallArguments             = attribute.Key("gen_ai.tool.call.arguments")
	ToolCallResult                = attribute.Key("gen_ai.tool.call.result")
	AgentName                     = attribute.Key("gen_ai.agent.name")
	AgentID                       = attribute.Key("gen_ai.agent.id")
	AgentDescription              = attribute.Key("gen_ai.agent.description")
	WorkflowName                  = attribute.Key("gen_ai.workflow.name")
	EmbeddingsDimensionCount      = attribute.Key("gen_ai.embeddings.dimension.count")
	ErrorType                     = attribute.Key("error.type")
	ServerAddress                 = attribute.Key("server.address")
	ServerPort                    = attribute.Key("server.port")
	SessionID                     = attribute.Key("session.id")
	UserID                        = attribute.Key("user.id")
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

// Legacy OpenLLMetry (traceloop) names. Instana's GenAI view is built on
// OpenLLMetry's wire output, so its copy of a span carries these as well.
const (
	LegacySystem                      = attribute.Key("gen_ai.system")
	LegacyRequestType                 = attribute.Key("llm.request.type")
	LegacyPromptTokens                = attribute.Key("gen_ai.usage.prompt_tokens")
	LegacyCompletionTokens            = attribute.Key("gen_ai.usage.completion_tokens")
	LegacyTotalTokens                 = attribute.Key("llm.usage.total_tokens")
	LegacyGenAITotalTokens            = attribute.Key("gen_ai.usage.total_tokens")
	LegacyCacheReadInputTokens        = attribute.Key("gen_ai.usage.cache_read_input_tokens")
	LegacyCacheCreationTokens         = attribute.Key("gen_ai.usage.cache_creation_input_tokens")
	LegacyIsStreaming                 = attribute.Key("llm.is_streaming")
	TraceloopSpanKind                 = attribute.Key("traceloop.span.kind")
	TraceloopEntityName               = attribute.Key("traceloop.entity.name")
	TraceloopWorkflowName             = attribute.Key("traceloop.workflow.name")
	TraceloopAssociationPrefix        = "traceloop.association.properties."
	LegacyPromptPrefix                = "gen_ai.prompt."
	LegacyCompletionPrefix            = "gen_ai.completion."
	UsageCost                         = attribute.Key("gen_ai.usage.cost")
	InstanaPlugin                     = attribute.Key("INSTANA_PLUGIN")
	LangfuseObservationType           = attribute.Key("langfuse.observation.type")
	LangfuseObservationInput          = attribute.Key("langfuse.observation.input")
	LangfuseObservationOutput         = attribute.Key("langfuse.observation.output")
	LangfuseObservationLevel          = attribute.Key("langfuse.observation.level")
	LangfuseStatusMessage             = attribute.Key("langfuse.observation.status_message")
	LangfuseModelName                 = attribute.Key("langfuse.observation.model.name")
	LangfuseModelParameters           = attribute.Key("langfuse.observation.model.parameters")
	LangfuseUsageDetails              = attribute.Key("langfuse.observation.usage_details")
	LangfuseCostDetails               = attribute.Key("langfuse.observation.cost_details")
	LangfuseCompletionStartTime       = attribute.Key("langfuse.observation.completion_start_time")
	LangfuseObservationMetadataPrefix = "langfuse.observation.metadata."
	LangfuseTraceName                 = attribute.Key("langfuse.trace.name")
	LangfuseUserID                    = attribute.Key("langfuse.user.id")
	LangfuseSessionID                 = attribute.Key("langfuse.session.id")
	LangfuseTraceTags                 = attribute.Key("langfuse.trace.tags")
	LangfuseTraceMetadataPrefix       = "langfuse.trace.metadata."
	LangfuseRelease                   = attribute.Key("langfuse.release")
	LangfuseEnvironment               = attribute.Key("langfuse.environment")
)

// CompletionStartTime is set by streaming wrappers to the time the first
// chunk arrived (RFC 3339 with nanoseconds). Langfuse reads it as the
// completion start time; other destinations see the semconv
// gen_ai.response.time_to_first_chunk.
const CompletionStartTime = attribute.Key("genaitrace.completion_start_time")
