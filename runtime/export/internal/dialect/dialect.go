package dialect

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// Set is a set of dialects a span speaks.
type Set uint16

const (
	dialectOtelc         Set = 1 << iota // gen_ai.request.is_stream, gen_ai.response.time_to_first_token
	dialectOldConv                       // the conventions before v1.37: gen_ai.system, message events
	dialectOpenLLMetry                   // traceloop: gen_ai.prompt.N.*, llm.request.type, gen_ai.usage.prompt_tokens
	dialectOpenInference                 // openinference.span.kind, llm.*, input.value
	dialectLangSmith                     // gen_ai.prompt / gen_ai.completion as JSON, langsmith.span.kind
	dialectGenkit                        // genkit:type, genkit:input, genkit:output
	// Count is the number of dialects.
	Count = iota
)

var dialectNames = [Count]string{"otelc", "semconv_before_1_37", "openllmetry", "openinference", "langsmith", "genkit"}

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
	case 'l':
		if strings.HasPrefix(s, "llm.") {
			if k == vocab.LegacyRequestType || k == vocab.LegacyIsStreaming || k == vocab.LegacyTotalTokens || strings.HasPrefix(s, "llm.request.") {
				return dialectOpenLLMetry
			}
			return dialectOpenInference
		}
		if k == vocab.LangSmithSpanKind {
			return dialectLangSmith
		}
	case 'o':
		if k == vocab.OpenInferenceSpanKind || k == vocab.OpenInferenceOutputValue {
			return dialectOpenInference
		}
	case 'i':
		if k == vocab.OpenInferenceInputValue {
			return dialectOpenInference
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

func dialectOfGenAIKey(k attribute.Key) Set {
	switch k {
	case vocab.OtelcIsStream, vocab.OtelcTimeToFirstToken:
		return dialectOtelc
	case vocab.LegacySystem:
		return dialectOldConv
	case vocab.LangSmithPrompt, vocab.LangSmithCompletion:
		return dialectLangSmith
	case vocab.LegacyPromptTokens, vocab.LegacyCompletionTokens, vocab.LegacyCacheReadInputTokens,
		vocab.LegacyCacheCreationTokens, vocab.GenAIIsStreaming, vocab.LegacyGenAITotalTokens:
		return dialectOpenLLMetry
	}
	s := string(k)
	if strings.HasPrefix(s, vocab.LegacyPromptPrefix) || strings.HasPrefix(s, vocab.LegacyCompletionPrefix) {
		return dialectOpenLLMetry
	}
	return 0
}

// dialectsOf returns the dialects s speaks: 0 for spans in the conventions'
// own names, which need nothing done.
func dialectsOf(s sdktrace.ReadOnlySpan) Set {
	var d Set
	for _, kv := range s.Attributes() {
		d |= dialectOfKey(kv.Key)
	}
	for _, e := range s.Events() {
		if IsMessageEvent(e.Name) {
			d |= dialectOldConv
		}
	}
	return d
}

// Result is what normalising made of a span in a dialect.
type Result struct {
	// Dialects are the dialects the span speaks.
	Dialects Set
	// Attrs are the span's attributes as every consumer reads them: its
	// own, some with their value corrected (exclusive token counts), then
	// the derived ones, which are the last Derived.
	Attrs   []attribute.KeyValue
	Derived int
	// replaced are own keys whose content, usage or model parameters the
	// derived attributes carry.
	replaced map[attribute.Key]bool
	// eventsConverted is set when message events were turned into
	// messages.
	eventsConverted bool
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

// Normalize derives the conventions' attributes of a span in a dialect. It
// returns nil for a span in the conventions' own names, which costs one
// pass over its keys.
func Normalize(s sdktrace.ReadOnlySpan) *Result {
	d := dialectsOf(s)
	if d == 0 {
		return nil
	}
	n := newNormalizer(s, d)
	n.derive()
	return n.result()
}
