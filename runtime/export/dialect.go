package export

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// A dialect is how some GenAI instrumentation other than genaitrace's
// wrappers names what a span did: OpenLLMetry's gen_ai.prompt.N.*,
// OpenInference's llm.token_count.*, the conventions before v1.37 with their
// message events, and so on (docs/dialects.md lists them). The pipeline
// normalises every span off the caller's path: for a span in a dialect it
// derives the attributes of the GenAI conventions v1.41 the span lacks, so
// that facts, cost, diagnostics and every destination's translation see one
// language whatever made the span. The span's own attributes are kept.
type dialect uint16

const (
	dialectOtelc         dialect = 1 << iota // gen_ai.request.is_stream, gen_ai.response.time_to_first_token
	dialectOldConv                           // the conventions before v1.37: gen_ai.system, message events
	dialectOpenLLMetry                       // traceloop: gen_ai.prompt.N.*, llm.request.type, gen_ai.usage.prompt_tokens
	dialectOpenInference                     // openinference.span.kind, llm.*, input.value
	dialectLangSmith                         // gen_ai.prompt / gen_ai.completion as JSON, langsmith.span.kind
	dialectGenkit                            // genkit:type, genkit:input, genkit:output
	numDialects          = iota
)

var dialectNames = [numDialects]string{"otelc", "semconv_before_1_37", "openllmetry", "openinference", "langsmith", "genkit"}

// String names the dialects of d, joined by "+".
func (d dialect) String() string {
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
func dialectOfKey(k attribute.Key) dialect {
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

func dialectOfGenAIKey(k attribute.Key) dialect {
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

// isMessageEvent reports the events that carried content before v1.37.
func isMessageEvent(name string) bool {
	switch name {
	case vocab.EventSystemMessage, vocab.EventUserMessage, vocab.EventAssistantMessage, vocab.EventToolMessage,
		vocab.EventChoice, vocab.EventContentPrompt, vocab.EventContentCompletion, vocab.EventOperationDetails:
		return true
	}
	return false
}

// dialectsOf returns the dialects s speaks: 0 for spans in the conventions'
// own names, which need nothing done.
func dialectsOf(s sdktrace.ReadOnlySpan) dialect {
	var d dialect
	for _, kv := range s.Attributes() {
		d |= dialectOfKey(kv.Key)
	}
	for _, e := range s.Events() {
		if isMessageEvent(e.Name) {
			d |= dialectOldConv
		}
	}
	return d
}

// normalized is what normalising made of a span in a dialect: the
// attributes every consumer reads (the span's own, some with their value
// corrected, then the derived ones), and which own attributes and events
// now have a derived equivalent, for destinations that must not get the
// same content or counts twice (Langfuse).
type normalized struct {
	dialects dialect
	attrs    []attribute.KeyValue
	// replaced are own keys whose content, usage or model parameters the
	// derived attributes carry.
	replaced map[attribute.Key]bool
	// events is set when message events were turned into messages.
	events bool
	// extra is the heap the derived attributes take, held in the memory
	// budget with the span.
	extra int64
}

// Attributes returns the span's attributes as every consumer reads them:
// its own, plus for a span another instrumentation made the conventions'
// names derived from its dialect.
func (s *Span) Attributes() []attribute.KeyValue {
	if s.norm != nil {
		return s.norm.attrs
	}
	return s.ReadOnlySpan.Attributes()
}

// Dialects names the dialects the span was recognised in ("" for spans in
// the conventions' own names).
func (s *Span) Dialects() string {
	if s.norm == nil {
		return ""
	}
	return s.norm.dialects.String()
}

// replaced reports whether an own attribute's meaning is carried by a
// derived one.
func (s *Span) replaced(k attribute.Key) bool { return s.norm != nil && s.norm.replaced[k] }

// eventsConverted reports whether the span's message events were turned
// into messages.
func (s *Span) eventsConverted() bool { return s.norm != nil && s.norm.events }

// normalize derives the conventions' attributes of a span in a dialect and
// returns the bytes they add. Spans in the conventions' own names cost one
// pass over their keys.
func normalize(s *Span) int64 {
	d := dialectsOf(s.ReadOnlySpan)
	if d == 0 {
		return 0
	}
	n := newNormalizer(s.ReadOnlySpan, d)
	n.derive()
	s.norm = n.result()
	return s.norm.extra
}
