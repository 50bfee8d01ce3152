package dialect

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// Set is a set of dialects a span speaks.
type Set uint16

const (
	dialectOtelc         Set = 1 << iota // scope go.opentelemetry.io/otelc/..., gen_ai.request.is_stream, time_to_first_token
	dialectOldConv                       // the conventions before v1.37: gen_ai.system, message events
	dialectOpenLLMetry                   // traceloop: gen_ai.prompt.N.*, llm.request.type, gen_ai.usage.prompt_tokens; its Go SDK's llm.*
	dialectOpenInference                 // openinference.span.kind, llm.*, input.value, embedding.*
	dialectLangSmith                     // gen_ai.prompt / gen_ai.completion as JSON, langsmith.*
	dialectGenkit                        // genkit:type, genkit:input, genkit:output
	dialectADK                           // scope gcp.vertex.agent, gcp.vertex.agent.*
	dialectEino                          // eino-ext's apmplus callback: scope .../callbacks/apmplus, gen_ai.span.kind, runinfo.*
	dialectLangWatch                     // langwatch.*, gen_ai.usage.cached_input_tokens
	dialectGenAIv01                      // semantic-conventions-genai v0.1.0: cache_write, retrieval.top_k, an agent-named workflow
	// Count is the number of dialects.
	Count = iota
)

var dialectNames = [Count]string{"otelc", "semconv_before_1_37", "openllmetry", "openinference", "langsmith", "genkit",
	"adk", "eino", "langwatch", "semconv_genai_0_1"}

// String names the dialects of d, joined by "+".
func (d Set) String() string {
	var names []string
	for i, name := range dialectNames {
		if d&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, "+")
}

// Instrumentation scopes that tell a dialect apart, from each peer's source
// (docs/dialects.md cites them).
const (
	scopeOtelcPrefix = "go.opentelemetry.io/otelc/instrumentation/"
	scopeADK         = "gcp.vertex.agent"
	scopeEino        = "github.com/cloudwego/eino-ext/callbacks/apmplus"
	scopeLangWatch   = "github.com/langwatch/langwatch/"
	scopeGenkit      = "genkit-tracer"
	scopeTraceloopGo = "traceloop.tracer"
)

// dialectOfScope tells the dialect an instrumentation scope names.
func dialectOfScope(name string) Set {
	switch {
	case name == "":
		return 0
	case strings.HasPrefix(name, scopeOtelcPrefix):
		return dialectOtelc
	case name == scopeADK:
		return dialectADK
	case name == scopeEino:
		return dialectEino
	case strings.HasPrefix(name, scopeLangWatch):
		return dialectLangWatch
	case name == scopeGenkit:
		return dialectGenkit
	}
	return 0
}

// dialectOfKey tells the dialect an attribute key belongs to, or 0 for the
// conventions' own names and everything else. It runs on every attribute
// of every span (off the caller's path), so it decides on the first byte.
func dialectOfKey(k attribute.Key) Set {
	s := string(k)
	if len(s) < 6 {
		return 0
	}
	switch s[0] {
	case 'g':
		if strings.HasPrefix(s, "gen_ai.") {
			return dialectOfGenAIKey(k)
		}
		if strings.HasPrefix(s, "genkit:") {
			return dialectGenkit
		}
		if strings.HasPrefix(s, "gcp.vertex.agent.") {
			return dialectADK
		}
	case 'l':
		if strings.HasPrefix(s, "llm.") {
			return dialectOfLLMKey(s)
		}
		if strings.HasPrefix(s, "langsmith.") {
			return dialectLangSmith
		}
		if strings.HasPrefix(s, "langwatch.") {
			return dialectLangWatch
		}
	case 'o':
		if k == vocab.OpenInferenceSpanKind || k == vocab.OpenInferenceOutputValue {
			return dialectOpenInference
		}
	case 'i':
		if k == vocab.OpenInferenceInputValue {
			return dialectOpenInference
		}
	case 'e':
		if strings.HasPrefix(s, "embedding.") {
			return dialectOpenInference
		}
	case 'r':
		if strings.HasPrefix(s, "retrieval.documents.") {
			return dialectOpenInference
		}
		if strings.HasPrefix(s, "runinfo.") {
			return dialectEino
		}
	case 't':
		if k == vocab.OpenInferenceToolName {
			return dialectOpenInference
		}
		if k == vocab.TraceloopSpanKind || strings.HasPrefix(s, "traceloop.entity.") {
			return dialectOpenLLMetry
		}
	}
	return 0
}

// dialectOfLLMKey tells OpenLLMetry's llm.* names (its Python
// instrumentation's and its Go SDK's) from OpenInference's.
func dialectOfLLMKey(s string) Set {
	switch attribute.Key(s) {
	case vocab.LegacyRequestType, vocab.LegacyIsStreaming, vocab.LegacyTotalTokens, traceloopVendor,
		traceloopResponseModel:
		return dialectOpenLLMetry
	}
	for _, p := range []string{"llm.request.", "llm.usage.", "llm.prompts.", "llm.completions."} {
		if strings.HasPrefix(s, p) && s != string(openInferenceRequestModel) {
			return dialectOpenLLMetry
		}
	}
	return dialectOpenInference
}

func dialectOfGenAIKey(k attribute.Key) Set {
	switch k {
	case vocab.OtelcIsStream, vocab.OtelcTimeToFirstToken:
		return dialectOtelc
	case vocab.LegacySystem:
		return dialectOldConv
	case vocab.LangSmithPrompt, vocab.LangSmithCompletion:
		return dialectLangSmith
	case vocab.LegacyPromptTokens, vocab.LegacyCompletionTokens, vocab.LegacyCacheReadInputTokens,
		vocab.LegacyCacheCreationTokens, vocab.GenAIIsStreaming, vocab.LegacyGenAITotalTokens, legacyReasoningTokens:
		return dialectOpenLLMetry
	case langWatchCachedInput:
		return dialectLangWatch
	case einoSpanKind, einoInput, einoOutput:
		return dialectEino
	case vocab.GenAIUsageCacheWriteInputTokens, vocab.GenAIRetrievalTopK:
		return dialectGenAIv01
	case vocab.GenAIPromptName, vocab.GenAIPromptVersion: // the conventions' prompt, not OpenLLMetry's
		return 0
	}
	s := string(k)
	if strings.HasPrefix(s, vocab.LegacyPromptPrefix) || strings.HasPrefix(s, vocab.LegacyCompletionPrefix) {
		return dialectOpenLLMetry
	}
	return 0
}

// dialectsOf returns the dialects s speaks, and whether a span in the
// conventions' own names needs work all the same: a number to check, a
// time to first chunk to turn into the moment of the first chunk, an
// operation outside the conventions' names. A span that needs nothing
// costs this one pass over its keys.
func dialectsOf(s sdktrace.ReadOnlySpan) (d Set, work bool) {
	ttfc, start := false, false
	var workflow workflowNames
	for _, kv := range s.Attributes() {
		k := string(kv.Key)
		if len(k) > 7 && strings.HasPrefix(k, "gen_ai.") {
			d |= dialectOfGenAIKey(kv.Key)
			workflow.see(kv)
			switch {
			case work:
			case kv.Key == genai.ResponseTimeToFirstChunk:
				ttfc = true
			default:
				work = conventionsValueNeedsWork(kv)
			}
			continue
		}
		start = start || kv.Key == genai.CompletionStartTime
		d |= dialectOfKey(kv.Key)
	}
	if workflow.agentNamed() {
		d |= dialectGenAIv01
	}
	for _, e := range s.Events() {
		if IsMessageEvent(e.Name) {
			d |= dialectOldConv
		}
		if e.Name == langSmithNewToken {
			d |= dialectLangSmith
		}
	}
	if d != 0 || work {
		// The scope refines what the keys told: every peer whose scope
		// matters writes a key of its dialect too (otelc gen_ai.system, ADK
		// gcp.vertex.agent.*, eino runinfo.*, LangWatch langwatch.sdk.*).
		d |= dialectOfScope(s.InstrumentationScope().Name)
	}
	return d, work || (ttfc && !start)
}

// Result is what normalising made of a span in a dialect.
type Result struct {
	// Dialects are the dialects the span speaks (none for a span in the
	// conventions' own names that needed a value checked or derived).
	Dialects Set
	// Attrs are the span's attributes as every consumer reads them: its
	// own, some with their value corrected (exclusive token counts, the
	// conventions' operation names) and values that cannot be trusted
	// left out, then the derived ones, which are the last Derived.
	Attrs   []attribute.KeyValue
	Derived int
	// Untrusted counts the values left out: counts that are negative,
	// fractional, wrapped or past any model's; durations that are not
	// finite or longer than the span; numbers that are not numbers.
	Untrusted int
	// replaced are own keys whose content, usage or model parameters the
	// derived attributes carry.
	replaced map[attribute.Key]bool
	// eventsConverted is set when message events were turned into
	// messages.
	eventsConverted     bool
	ownInput, ownOutput string
	errorsEcho          bool
	repeatsUsage        bool
}

// Replaced reports whether an own attribute's meaning is carried by a
// derived one: a destination that reads the conventions' names must not
// get it twice (Langfuse would show the content twice, or count the tokens
// under two names).
func (r *Result) Replaced(k attribute.Key) bool { return r != nil && r.replaced[k] }

// EventsConverted reports whether the span's message events were turned
// into the conventions' messages.
func (r *Result) EventsConverted() bool { return r != nil && r.eventsConverted }

// DerivedAttrs are the attributes normalising added.
func (r *Result) DerivedAttrs() []attribute.KeyValue { return r.Attrs[len(r.Attrs)-r.Derived:] }

// OwnIO returns the input and output the span's instrumentation recorded
// for the span itself, when it is not a model or tool call: a Genkit
// flow's argument and return value, an OpenInference agent's or chain's
// input.value and output.value, an eino graph's gen_ai.input and
// gen_ai.output. They are content, and they win over what a destination
// would derive from the span's children ("" when there are none).
func (r *Result) OwnIO() (input, output string) {
	if r == nil {
		return "", ""
	}
	return r.ownInput, r.ownOutput
}

// ErrorsEchoContent reports whether the span's status description and the
// message of its exception events may quote the request: LangSmith's
// instrumentation records up to 500 bytes of the provider's error body
// ("HTTP 400: {...}"), which providers fill with what they were sent.
func (r *Result) ErrorsEchoContent() bool { return r != nil && r.errorsEcho }

// RepeatsUsage reports whether the span repeats usage its children
// report, under names a destination's own mapping would count again: a
// Genkit generate util span's output carries the final model response,
// usage included.
func (r *Result) RepeatsUsage() bool { return r != nil && r.repeatsUsage }

// Normalize derives the conventions' attributes of a span in a dialect,
// and checks the numbers of a span in the conventions' own names. It
// returns nil for a span that needs nothing, which costs one pass over its
// keys.
func Normalize(s sdktrace.ReadOnlySpan) *Result {
	d, work := dialectsOf(s)
	if d == 0 && !work {
		return nil
	}
	n := newNormalizer(s, d)
	n.derive()
	return n.result()
}
