package dialect

import (
	"math"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// Numbers other instrumentation supplies are checked at the boundary:
// every count and duration consumers read is finite, in range,
// non-negative and integral where it must be. A number written as a
// string is read as the number it spells; what cannot be trusted is left
// out for every consumer and counted (Result.Untrusted), never sent as
// NaN, a wrapped integer or a date in another century.

// maxCount bounds a token count: more than any model takes or gives in
// one call, far below where sums of counts lose precision (2^53).
const maxCount = 10_000_000_000

// maxSeconds bounds a duration within a call.
const maxSeconds = 24 * 60 * 60

// numberKind is what a numeric attribute measures.
type numberKind uint8

const (
	notNumber         numberKind = iota
	kindCount                    // a count of tokens, choices, dimensions: integral, 0 to maxCount
	kindSecondsInSpan            // a time within the span, in seconds: finite, 0 to the span's duration
	kindMicrosInSpan             // the same in integral microseconds (otelc)
	kindSeconds                  // a duration in seconds: finite, 0 to maxSeconds
	kindParameter                // a sampling parameter: finite
	kindTopK                     // top_k: finite, a double as v1.41 has it (v0.1.0 made it an integer)
	kindInteger                  // an integer of any value (a seed)
	kindMoney                    // a cost in USD: finite, non-negative
)

// numberKindOf tells what the numeric attributes genaitrace reads
// measure, in the conventions' names and the dialects'.
func numberKindOf(k attribute.Key) numberKind {
	switch k {
	case genai.ResponseTimeToFirstChunk:
		return kindSecondsInSpan
	case otelcTimeToFirstToken:
		return kindMicrosInSpan
	case einoTimeToFirstToken:
		return kindSecondsInSpan
	case einoTimePerOutputToken:
		return kindSeconds
	case genai.RequestMaxTokens, genai.RequestChoiceCount, genai.EmbeddingsDimensionCount, langWatchEmbeddingsCount,
		adkPromptTokens, adkCandidatesTokens, adkCachedTokens, adkTotalTokens:
		return kindCount
	case genai.RequestTemperature, genai.RequestTopP, genai.RequestFrequencyPenalty, genai.RequestPresencePenalty:
		return kindParameter
	case genai.RequestTopK, vocab.GenAIRetrievalTopK:
		return kindTopK
	case genai.RequestSeed:
		return kindInteger
	case usageCost:
		return kindMoney
	}
	s := string(k)
	switch {
	case strings.HasPrefix(s, "gen_ai.usage."), strings.HasPrefix(s, "llm.token_count."), strings.HasPrefix(s, "llm.usage."):
		return kindCount
	case strings.HasPrefix(s, "llm.cost."):
		return kindMoney
	}
	return notNumber
}

// IsNumber reports whether k names a number normalising checks, and
// leaves out when it cannot be trusted.
func IsNumber(k attribute.Key) bool { return numberKindOf(k) != notNumber }

// conventionsValueNeedsWork reports, for the fast path of a span in the
// conventions' own names, whether kv is a number to correct or leave out,
// or an operation name to give the conventions' name: the cheap test of
// checkValue and operations.
func conventionsValueNeedsWork(kv attribute.KeyValue) bool {
	v := kv.Value
	switch v.Type() {
	case attribute.STRING: // models, ids, names; a number spelled as one
		if kv.Key == genai.OperationName {
			switch op := v.AsString(); op {
			case genai.OpChat, genai.OpTextCompletion, genai.OpGenerateContent, genai.OpEmbeddings, genai.OpExecuteTool,
				genai.OpInvokeAgent, genai.OpInvokeWorkflow, genai.OpCreateAgent, genai.OpRetrieval:
				return false
			default:
				_, alias := operationNames[op]
				return alias
			}
		}
		s := v.AsString()
		if s == "" || (s[0] < '0' || s[0] > '9') && s[0] != '-' && s[0] != '+' && s[0] != '.' && s[0] != ' ' {
			return false
		}
		return numberKindOf(kv.Key) != notNumber
	case attribute.INT64:
		i := v.AsInt64()
		if strings.HasPrefix(string(kv.Key), "gen_ai.usage.") {
			return i < 0 || i > maxCount
		}
		switch numberKindOf(kv.Key) {
		case kindCount:
			return i < 0 || i > maxCount
		case kindParameter, kindInteger, notNumber, kindMicrosInSpan:
			return false
		case kindTopK:
			return true // to be made v1.41's double
		}
		return i < 0
	case attribute.FLOAT64:
		f := v.AsFloat64()
		switch numberKindOf(kv.Key) {
		case notNumber:
			return false
		case kindCount, kindInteger:
			return true // to be made an integer, or left out
		case kindParameter, kindTopK:
			return math.IsNaN(f) || math.IsInf(f, 0)
		}
		return math.IsNaN(f) || math.IsInf(f, 0) || f < 0
	}
	if kv.Key == genai.ResponseFinishReasons {
		return false
	}
	return numberKindOf(kv.Key) != notNumber // a list or a boolean where a number belongs
}

// checkOwnNumbers checks the span's own numbers before anything is
// derived from them.
func (n *normalizer) checkOwnNumbers() {
	for _, kv := range n.own {
		if kind := numberKindOf(kv.Key); kind != notNumber {
			n.checkValue(kv.Key, kv.Value, kind)
		}
	}
}

// checkNumbers checks the numbers derived from JSON (Genkit's usage,
// LangSmith's usage_metadata, OpenInference's invocation parameters, ADK's
// llm_response), which no attribute type vouched for.
func (n *normalizer) checkNumbers() {
	for i := range n.derived {
		kv := n.derived[i]
		if kind := numberKindOf(kv.Key); kind != notNumber && kv.Value.Type() != attribute.EMPTY {
			n.checkValue(kv.Key, kv.Value, kind)
		}
	}
}

// checkValue corrects k to the number it means, or leaves it out and
// counts it.
func (n *normalizer) checkValue(k attribute.Key, v attribute.Value, kind numberKind) {
	got, ok := n.trusted(v, kind)
	switch {
	case !ok:
		n.correct(k, attribute.Value{})
		n.untrusted++
	case got != v:
		n.correct(k, got)
	}
}

// trusted returns v as the number it must be, or false.
func (n *normalizer) trusted(v attribute.Value, kind numberKind) (attribute.Value, bool) {
	switch kind {
	case kindCount:
		i, ok := integral(v)
		if !ok || i < 0 || i > maxCount {
			return attribute.Value{}, false
		}
		return attribute.Int64Value(i), true
	case kindInteger:
		i, ok := integral(v)
		return attribute.Int64Value(i), ok
	case kindMicrosInSpan:
		i, ok := integral(v)
		if !ok || i < 0 || float64(i)/1e6 > n.spanSeconds() {
			return attribute.Value{}, false
		}
		return attribute.Int64Value(i), true
	}
	f, ok := real(v)
	if !ok {
		return attribute.Value{}, false
	}
	switch kind {
	case kindSecondsInSpan:
		ok = f >= 0 && f <= n.spanSeconds()
	case kindSeconds:
		ok = f >= 0 && f <= maxSeconds
	case kindMoney:
		ok = f >= 0
	}
	if !ok {
		return attribute.Value{}, false
	}
	if v.Type() == attribute.INT64 && kind == kindParameter {
		return v, true
	}
	return attribute.Float64Value(f), true
}

// spanSeconds is how long the span lasted, with a millisecond's slack for
// times rounded to another unit; at most maxSeconds.
func (n *normalizer) spanSeconds() float64 {
	d := n.span.EndTime().Sub(n.span.StartTime())
	if d < 0 {
		return 0
	}
	return min((d + time.Millisecond).Seconds(), maxSeconds)
}

// integral reads v as an integer: an integer, a float with no fraction
// (within int64), or a string spelling one.
func integral(v attribute.Value) (int64, bool) {
	switch v.Type() {
	case attribute.INT64:
		return v.AsInt64(), true
	case attribute.FLOAT64:
		return floatInt(v.AsFloat64())
	case attribute.STRING:
		s := strings.TrimSpace(v.AsString())
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return floatInt(f)
		}
	}
	return 0, false
}

func floatInt(f float64) (int64, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

// real reads v as a finite number.
func real(v attribute.Value) (float64, bool) {
	var f float64
	switch v.Type() {
	case attribute.INT64:
		f = float64(v.AsInt64())
	case attribute.FLOAT64:
		f = v.AsFloat64()
	case attribute.STRING:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(v.AsString()), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}

// jsonNumber is a number read from JSON as an attribute value, for
// checkNumbers to judge: an integer when it is one, else a float (which
// may be infinite); empty for anything else but a string, which may spell
// a number.
func jsonNumber(v any) attribute.Value {
	switch v := v.(type) {
	case interface{ Int64() (int64, error) }:
		if i, err := v.Int64(); err == nil {
			return attribute.Int64Value(i)
		}
		if f, ok := v.(interface{ Float64() (float64, error) }); ok {
			x, _ := f.Float64() // ±Inf when out of range: untrusted
			return attribute.Float64Value(x)
		}
	case float64:
		return attribute.Float64Value(v)
	case string:
		return attribute.StringValue(v)
	}
	return attribute.Value{}
}
