// Package vocab holds the attribute names genaitrace writes for particular
// destinations and that no semantic-convention package provides: the
// legacy OpenLLMetry (traceloop) names Instana's GenAI view is built on,
// Instana's resource marker and cost, and Langfuse's own names. The GenAI
// semantic conventions themselves come from semconv/v1.41.0 (see
// runtime/genai).
package vocab

import "go.opentelemetry.io/otel/attribute"

// Legacy OpenLLMetry (traceloop) names. Instana's GenAI view is built on
// OpenLLMetry's wire output, so its copy of a span carries these as well;
// other instrumentation still sends some of them (gen_ai.system, the
// prompt and completion token counts).
const (
	LegacySystem               = attribute.Key("gen_ai.system")
	LegacyRequestType          = attribute.Key("llm.request.type")
	LegacyPromptTokens         = attribute.Key("gen_ai.usage.prompt_tokens")
	LegacyCompletionTokens     = attribute.Key("gen_ai.usage.completion_tokens")
	LegacyTotalTokens          = attribute.Key("llm.usage.total_tokens")
	LegacyGenAITotalTokens     = attribute.Key("gen_ai.usage.total_tokens")
	LegacyCacheReadInputTokens = attribute.Key("gen_ai.usage.cache_read_input_tokens")
	LegacyCacheCreationTokens  = attribute.Key("gen_ai.usage.cache_creation_input_tokens")
	LegacyIsStreaming          = attribute.Key("llm.is_streaming")
	TraceloopSpanKind          = attribute.Key("traceloop.span.kind")
	TraceloopEntityName        = attribute.Key("traceloop.entity.name")
	TraceloopWorkflowName      = attribute.Key("traceloop.workflow.name")
	TraceloopAssociationPrefix = "traceloop.association.properties."
	LegacyPromptPrefix         = "gen_ai.prompt."
	LegacyCompletionPrefix     = "gen_ai.completion."
)

// Instana's names.
const (
	UsageCost     = attribute.Key("gen_ai.usage.cost")
	InstanaPlugin = attribute.Key("INSTANA_PLUGIN")
)

// Langfuse's names (its OTLP ingestion, v4).
const (
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
	LangfuseTraceInput                = attribute.Key("langfuse.trace.input")
	LangfuseTraceOutput               = attribute.Key("langfuse.trace.output")
	LangfuseIsAppRoot                 = attribute.Key("langfuse.internal.is_app_root")
	// ParentSpanID is the remote parent of a local root sent to Langfuse
	// without it (hex): the link to the caller, kept.
	ParentSpanID = attribute.Key("genaitrace.parent_span_id")
)
