// Package vocab holds the attribute names genaitrace writes for particular
// destinations and that no semantic-convention package provides: the
// legacy OpenLLMetry (traceloop) names Instana's GenAI view is built on,
// Instana's resource marker and cost, and Langfuse's own names. The GenAI
// semantic conventions v1.41 come from semconv/v1.41.0 (see runtime/genai);
// the names of their first standalone release, which no Go package
// provides, are here too.
package vocab

import "go.opentelemetry.io/otel/attribute"

// Legacy OpenLLMetry (traceloop) names. Instana's GenAI view is built on
// OpenLLMetry's wire output, so its copy of a span carries these as well
// (the token counts among them only in the family INSTANA_TOKEN_NAMES
// chooses; gen_ai.usage.total_tokens is current OpenLLMetry's total);
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
	LegacyReasoningTokens      = attribute.Key("gen_ai.usage.reasoning_tokens")
	// OpenLLMetry's Go SDK's counts (traceloop/go-openllmetry
	// semconv-ai/attributes.go), beside its llm.usage.total_tokens.
	TraceloopGoPromptTokens     = attribute.Key("llm.usage.prompt_tokens")
	TraceloopGoCompletionTokens = attribute.Key("llm.usage.completion_tokens")
	LegacyIsStreaming           = attribute.Key("llm.is_streaming")
	TraceloopSpanKind           = attribute.Key("traceloop.span.kind")
	TraceloopEntityName         = attribute.Key("traceloop.entity.name")
	TraceloopWorkflowName       = attribute.Key("traceloop.workflow.name")
	TraceloopAssociationPrefix  = "traceloop.association.properties."
	LegacyPromptPrefix          = "gen_ai.prompt."
	LegacyCompletionPrefix      = "gen_ai.completion."
)

// The names of the GenAI conventions' first standalone release,
// open-telemetry/semantic-conventions-genai v0.1.0 (after semantic-conventions
// v1.41.0), which no Go package provides yet: read on input always, written
// under OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental. The
// renames are listed in that repository's CHANGELOG.md (v0.1.0) and
// docs/gen-ai/non-normative/migration.md; the metrics in
// docs/gen-ai/client-inference.md and model/gen-ai/token-metrics.yaml.
const (
	// GenAIUsageCacheWriteInputTokens was v1.41's
	// gen_ai.usage.cache_creation.input_tokens.
	GenAIUsageCacheWriteInputTokens = attribute.Key("gen_ai.usage.cache_write.input_tokens")
	// GenAIRetrievalTopK is a retrieval span's top_k, v1.41's
	// gen_ai.request.top_k there.
	GenAIRetrievalTopK = attribute.Key("gen_ai.retrieval.top_k")
	// GenAIPromptVersion and GenAIPromptName name a versioned prompt;
	// they are not OpenLLMetry's flattened gen_ai.prompt.N.* content.
	GenAIPromptVersion = attribute.Key("gen_ai.prompt.version")
	GenAIPromptName    = attribute.Key("gen_ai.prompt.name")
	// GenAITokenModality is required on the usage counters: text, image,
	// audio, or unknown.
	GenAITokenModality = attribute.Key("gen_ai.token.modality")
)

// The GenAI client metrics of semantic-conventions-genai v0.1.0.
const (
	MetricInferenceUsageInputTokens      = "gen_ai.client.inference.usage.input_tokens"
	MetricInferenceUsageOutputTokens     = "gen_ai.client.inference.usage.output_tokens"
	MetricInferenceUsageCacheReadTokens  = "gen_ai.client.inference.usage.cache_read.input_tokens"
	MetricInferenceUsageCacheWriteTokens = "gen_ai.client.inference.usage.cache_write.input_tokens"
	MetricInferenceUsageReasoningTokens  = "gen_ai.client.inference.usage.reasoning.output_tokens"
	MetricInferenceOperationInputTokens  = "gen_ai.client.inference.operation.input_tokens"
	MetricInferenceOperationOutputTokens = "gen_ai.client.inference.operation.output_tokens"
	MetricInferenceDuration              = "gen_ai.client.inference.duration"
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
