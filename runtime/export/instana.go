package export

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"

	"github.com/genaitrace/genaitrace/internal/textcut"
	"github.com/genaitrace/genaitrace/runtime/export/internal/mask"
	"github.com/genaitrace/genaitrace/runtime/export/internal/messages"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// InstanaTranslator writes spans as Instana's GenAI view reads them: the
// GenAI semantic conventions plus the OpenLLMetry names its view is built
// on (token counts in one family, as TokenNames chooses), the resource
// attribute INSTANA_PLUGIN=genai, a host identity for agentless ingestion,
// and an estimated cost. Prompt and completion content is removed unless
// Content is set.
type InstanaTranslator struct {
	// Content sends prompts and completions (when the wrapper recorded them),
	// both as gen_ai.input/output.messages and flattened as
	// gen_ai.prompt.N.* / gen_ai.completion.N.*.
	Content bool
	// ContentLimit caps each content attribute in bytes (0: 16 KiB).
	ContentLimit int
	// HostID is added to the resource as host.id when the resource has none,
	// so the agentless acceptor can attach the spans to a host.
	HostID string
	// TokenNames chooses the names of the token counts.
	TokenNames InstanaTokenNames
}

// InstanaTokenNames chooses the names under which Instana gets a call's
// token counts. IBM does not publish which names its GenAI sensor sums,
// and its release notes list fixes for over-counting: a span carrying the
// same count under two names may be counted twice, so one family is sent.
type InstanaTokenNames int

const (
	// InstanaTokensConventions sends the conventions' names
	// (gen_ai.usage.input_tokens, output_tokens, cache_read.input_tokens,
	// cache_creation.input_tokens, reasoning.output_tokens; v0.1.0's
	// under the opt-in) and gen_ai.usage.total_tokens: what current
	// OpenLLMetry, which Instana tells users to install, sends (the
	// default).
	InstanaTokensConventions InstanaTokenNames = iota
	// InstanaTokensLegacy sends only the names OpenLLMetry sent until
	// 0.47: gen_ai.usage.prompt_tokens, completion_tokens,
	// llm.usage.total_tokens, gen_ai.usage.cache_read_input_tokens,
	// cache_creation_input_tokens and reasoning_tokens, for sensors that
	// read those only.
	InstanaTokensLegacy
	// InstanaTokensBoth sends both families on every span, as genaitrace
	// did before: a sensor that sums both counts every token twice. It is
	// there to check a tenant (docs/instana.md).
	InstanaTokensBoth
)

// String returns "conventions", "legacy" or "both".
func (n InstanaTokenNames) String() string {
	switch n {
	case InstanaTokensLegacy:
		return "legacy"
	case InstanaTokensBoth:
		return "both"
	}
	return "conventions"
}

// sends reports whether a span's own token count under k is sent: a
// count of OpenLLMetry's names outside the family chosen is left out when
// the conventions' counts carry it (usage), as they do for every model
// call. The other dialects' names (OpenInference's llm.token_count.*,
// ...) are the span's own and kept: they are no OpenLLMetry name.
//
// The two families: current OpenLLMetry (traceloop/openllmetry 0.62.1)
// writes the conventions' counts with gen_ai.usage.total_tokens (its
// openai, anthropic, bedrock and langchain instrumentations); 0.47.5 wrote
// the legacy ones (semconv_ai/__init__.py there). Its Go SDK's
// llm.usage.prompt_tokens and completion_tokens are a third, which either
// family carries.
func (n InstanaTokenNames) sends(k attribute.Key, usage bool) bool {
	if !usage || n == InstanaTokensBoth {
		return true
	}
	switch k {
	case genai.UsageInputTokens, genai.UsageOutputTokens, genai.UsageCacheReadInputTokens,
		genai.UsageCacheCreationInputTokens, genai.UsageReasoningOutputTokens, vocab.LegacyGenAITotalTokens:
		return n == InstanaTokensConventions
	case vocab.LegacyPromptTokens, vocab.LegacyCompletionTokens, vocab.LegacyTotalTokens,
		vocab.LegacyCacheReadInputTokens, vocab.LegacyCacheCreationTokens, vocab.LegacyReasoningTokens:
		return n == InstanaTokensLegacy
	case vocab.TraceloopGoPromptTokens, vocab.TraceloopGoCompletionTokens:
		return false
	}
	return true
}

// Resource adds INSTANA_PLUGIN=genai and host.id.
func (t InstanaTranslator) Resource(r *resource.Resource) []attribute.KeyValue {
	attrs := r.Attributes()
	out := make([]attribute.KeyValue, 0, len(attrs)+2)
	hasHost := false
	for _, kv := range attrs {
		if kv.Key == vocab.InstanaPlugin {
			continue
		}
		hasHost = hasHost || kv.Key == semconv.HostIDKey
		out = append(out, kv)
	}
	out = append(out, vocab.InstanaPlugin.String("genai"))
	if !hasHost && t.HostID != "" {
		out = append(out, semconv.HostID(t.HostID))
	}
	return out
}

// Attributes appends the span's attributes, minus content unless opted in,
// plus the legacy names, trace-level facts and cost.
func (t InstanaTranslator) Attributes(dst []attribute.KeyValue, s *Span) []attribute.KeyValue {
	limit := t.ContentLimit
	if limit == 0 {
		limit = 16 << 10
	}
	hasSystem := false
	// Flattened after the loop: either may come first, and a span
	// OpenLLMetry made has its own.
	var input, system, output string
	ownPrompt, ownCompletion := false, false
	f := s.Facts
	for i, kv := range s.Attributes() {
		if !t.TokenNames.sends(kv.Key, f.HasUsage) {
			continue
		}
		if s.isContentAt(i, kv) {
			if !t.Content {
				continue
			}
			if kv.Value.Type() == attribute.STRING {
				kv = kv.Key.String(textcut.Content(kv.Value.AsString(), 4*limit))
			}
			switch k := string(kv.Key); {
			case kv.Key == genai.InputMessages:
				input = kv.Value.AsString()
			case kv.Key == genai.SystemInstructions:
				system = kv.Value.AsString()
			case kv.Key == genai.OutputMessages:
				output = kv.Value.AsString()
			case strings.HasPrefix(k, vocab.LegacyPromptPrefix):
				ownPrompt = true
			case strings.HasPrefix(k, vocab.LegacyCompletionPrefix):
				ownCompletion = true
			}
		}
		hasSystem = hasSystem || kv.Key == vocab.LegacySystem
		dst = append(dst, kv)
	}
	if input != "" && !ownPrompt {
		dst = messages.AppendFlat(dst, vocab.LegacyPromptPrefix, "user", messages.WithInstructions(input, system), limit)
	}
	if output != "" && !ownCompletion {
		dst = messages.AppendFlat(dst, vocab.LegacyCompletionPrefix, "assistant", output, limit)
	}
	if f.Provider != "" && !hasSystem {
		dst = append(dst, vocab.LegacySystem.String(f.Provider))
	}
	if rt := legacyRequestType(f.Operation); rt != "" {
		dst = append(dst, vocab.LegacyRequestType.String(rt))
	}
	if f.HasUsage {
		dst = t.appendTokens(dst, f.Usage)
	}
	if f.Streaming {
		dst = append(dst, vocab.LegacyIsStreaming.Bool(true))
	}
	if f.HasCost {
		dst = append(dst, vocab.UsageCost.Float64(f.Cost.Total()))
	}
	kind, entity := traceloopEntity(s)
	if kind != "" {
		dst = append(dst, vocab.TraceloopSpanKind.String(kind))
		if entity != "" {
			dst = append(dst, vocab.TraceloopEntityName.String(entity))
		}
	}
	tf := s.Trace.Fields()
	if name := traceName(s, tf); name != "" {
		dst = append(dst, vocab.TraceloopWorkflowName.String(name))
	}
	if tf.SessionID != "" {
		dst = append(dst, genai.SessionID.String(tf.SessionID),
			attribute.String(vocab.TraceloopAssociationPrefix+"session_id", tf.SessionID))
	}
	if tf.UserID != "" {
		dst = append(dst, genai.UserID.String(tf.UserID),
			attribute.String(vocab.TraceloopAssociationPrefix+"user_id", tf.UserID))
	}
	return dst
}

// appendTokens appends the token counts the span's own attributes lack in
// the family chosen: the total beside the conventions' counts, which the
// span has (the wrappers record them, normalising derives them), or the
// legacy counts.
func (t InstanaTranslator) appendTokens(dst []attribute.KeyValue, u pricing.Usage) []attribute.KeyValue {
	if t.TokenNames != InstanaTokensLegacy {
		dst = append(dst, vocab.LegacyGenAITotalTokens.Int64(u.Input+u.Output))
	}
	if t.TokenNames == InstanaTokensConventions {
		return dst
	}
	dst = append(dst,
		vocab.LegacyPromptTokens.Int64(u.Input),
		vocab.LegacyCompletionTokens.Int64(u.Output),
		vocab.LegacyTotalTokens.Int64(u.Input+u.Output))
	for _, c := range []struct {
		k attribute.Key
		n int64
	}{{vocab.LegacyCacheReadInputTokens, u.CacheRead}, {vocab.LegacyCacheCreationTokens, u.CacheWrite}, {vocab.LegacyReasoningTokens, u.Reasoning}} {
		if c.n > 0 {
			dst = append(dst, c.k.Int64(c.n))
		}
	}
	return dst
}

func (t InstanaTranslator) takesContent() bool { return t.Content }

func (t InstanaTranslator) events(s *Span) []sdktrace.Event {
	if t.Content {
		return s.Events()
	}
	return mask.WithoutEventContent(s.Events())
}

// legacyRequestType maps gen_ai.operation.name to OpenLLMetry's
// llm.request.type.
func legacyRequestType(op string) string {
	switch op {
	case genai.OpChat, genai.OpGenerateContent:
		return "chat"
	case genai.OpTextCompletion, "completion":
		return "completion"
	case genai.OpEmbeddings:
		return "embedding"
	}
	return ""
}

// traceloopEntity gives OpenLLMetry's span kind and entity name: agents,
// tools and workflows are entities; the local root of a trace is its
// workflow.
func traceloopEntity(s *Span) (kind, name string) {
	f := s.Facts
	switch f.Operation {
	case genai.OpInvokeAgent, genai.OpCreateAgent:
		return "agent", f.AgentName
	case genai.OpExecuteTool:
		return "tool", f.ToolName
	case genai.OpInvokeWorkflow:
		return "workflow", orDefault(f.WorkflowName, s.Name())
	}
	if s.IsLocalRoot() && !f.IsModelCall() {
		return "workflow", s.Name()
	}
	return "", ""
}
