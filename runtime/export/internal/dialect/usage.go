package dialect

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// reconcileUsage makes the token counts mean what the conventions say:
// gen_ai.usage.input_tokens includes the cached input (read and written)
// and gen_ai.usage.output_tokens the reasoning. Not every source counts so:
// Anthropic's API counts cached input apart, and instrumentation that
// copies its numbers does too; Gemini counts thoughts apart from the
// candidates; LangWatch reports the input without its cached part. A count
// is taken as exclusive when its part exceeds it, or when the span's total
// adds up only with the parts counted apart; it is then corrected (the
// dialect's own attributes keep their numbers). A missing input or output
// count is the total minus the other. A total alone prices nothing: no
// part of it is known. The counts were checked before (checkNumbers), so
// the sums stay in range.
func (n *normalizer) reconcileUsage() {
	n.zeroUsageIsUnknown()
	n.langWatchCachedApart()
	in, hasIn := n.int(genai.UsageInputTokens)
	out, hasOut := n.int(genai.UsageOutputTokens)
	total, hasTotal := n.total()
	if !hasIn && !hasOut {
		return
	}
	cr, _ := n.int(genai.UsageCacheReadInputTokens)
	cw, _ := n.int(genai.UsageCacheCreationInputTokens)
	reasoning, _ := n.int(genai.UsageReasoningOutputTokens)
	cached := cr + cw
	inApart, outApart := cached > in && hasIn, reasoning > out && hasOut
	if hasTotal && hasIn && hasOut && !inApart && !outApart {
		inApart, outApart = apartByTotal(in, out, cached, reasoning, total)
	}
	if inApart {
		in += cached
		n.correct(genai.UsageInputTokens, attribute.Int64Value(in))
	}
	if outApart {
		out += reasoning
		n.correct(genai.UsageOutputTokens, attribute.Int64Value(out))
	}
	switch {
	case hasTotal && hasIn && !hasOut && total >= in:
		n.set(genai.UsageOutputTokens.Int64(total - in))
	case hasTotal && hasOut && !hasIn && total >= out:
		n.set(genai.UsageInputTokens.Int64(total - out))
	}
}

// zeroUsageIsUnknown leaves out the counts of instrumentation that writes
// zeros when it was told none: otelc sets input, output and total whether
// the response had usage or not (a stream without include_usage gives
// 0/0/0), and the traceloop Go SDK records the zero Usage a caller passes.
// Zero tokens would price the call at nothing and keep Langfuse from
// counting it.
func (n *normalizer) zeroUsageIsUnknown() {
	if !n.is(dialectOtelc) && n.span.InstrumentationScope().Name != scopeTraceloopGo {
		return
	}
	keys := []attribute.Key{genai.UsageInputTokens, genai.UsageOutputTokens, vocab.LegacyGenAITotalTokens, vocab.LegacyTotalTokens}
	for _, k := range keys {
		if v, ok := n.int(k); ok && v != 0 {
			return
		}
	}
	for _, k := range append(keys, traceloopPromptTokens, traceloopCompletionTokens) {
		n.drop(k)
	}
}

// langWatchCachedApart adds LangWatch's cached input back: its Go SDK (at
// HEAD, sdks/go instrumentation/openaiformat/usage.go) reports
// gen_ai.usage.input_tokens as the prompt minus its cached part, leaving
// it out when all of it was cached, and the cached part as
// gen_ai.usage.cached_input_tokens.
func (n *normalizer) langWatchCachedApart() {
	cached, ok := n.int(langWatchCachedInput)
	if !ok || !n.is(dialectLangWatch) {
		return
	}
	n.set(genai.UsageCacheReadInputTokens.Int64(cached), langWatchCachedInput)
	if in, ok := n.int(genai.UsageInputTokens); ok {
		n.correct(genai.UsageInputTokens, attribute.Int64Value(in+cached))
	} else {
		n.set(genai.UsageInputTokens.Int64(cached))
	}
}

// apartByTotal tells which counts exclude their parts from the total they
// must add up to; counts that include them are assumed when it cannot
// tell.
func apartByTotal(in, out, cached, reasoning, total int64) (inApart, outApart bool) {
	switch total {
	case in + out:
		return false, false
	case in + cached + out:
		return cached > 0, false
	case in + out + reasoning:
		return false, reasoning > 0
	case in + cached + out + reasoning:
		return cached > 0, reasoning > 0
	}
	return false, false
}

// total is the total token count the span reports under any name.
func (n *normalizer) total() (int64, bool) {
	for _, k := range []attribute.Key{vocab.LegacyGenAITotalTokens, vocab.LegacyTotalTokens, vocab.OpenInferenceTotalTokens, adkTotalTokens} {
		if v, ok := n.int(k); ok {
			return v, true
		}
	}
	return n.usageTotal, n.usageTotal >= 0
}

// int is a count as consumers read it; checkNumbers made every count an
// integer.
func (n *normalizer) int(k attribute.Key) (int64, bool) {
	v, ok := n.get(k)
	if !ok || v.Type() != attribute.INT64 {
		return 0, false
	}
	return v.AsInt64(), true
}

// jsonCount reads a count from JSON, checked as checkNumbers checks
// attributes: present but untrustworthy, it is counted and ignored.
func (n *normalizer) jsonCount(v any) (int64, bool) {
	if v == nil {
		return 0, false
	}
	got, ok := n.trusted(jsonNumber(v), kindCount)
	if !ok {
		n.untrusted++
		return 0, false
	}
	return got.AsInt64(), true
}

// usageFields names a JSON usage object's fields (a field "" is absent).
type usageFields struct{ input, output, cacheRead, reasoning, total string }

// jsonUsage reads a usage object from JSON into the conventions' counts
// (which the span's own win over) and the total, each checked.
func (n *normalizer) jsonUsage(u map[string]any, f usageFields) {
	for _, c := range []struct {
		field string
		key   attribute.Key
	}{{f.input, genai.UsageInputTokens}, {f.output, genai.UsageOutputTokens},
		{f.cacheRead, genai.UsageCacheReadInputTokens}, {f.reasoning, genai.UsageReasoningOutputTokens}} {
		if v, ok := n.jsonCount(u[c.field]); ok && c.field != "" {
			n.set(c.key.Int64(v))
		}
	}
	if v, ok := n.jsonCount(u[f.total]); ok && f.total != "" && n.usageTotal < 0 {
		n.usageTotal = v
	}
}

// langSmithUsage reads langsmith.usage_metadata, the JSON object
// LangSmith's instrumentation (v0.14.1 and later) keeps its usage in:
// input_tokens, output_tokens, total_tokens and the details, which are
// parts of those (cache_read, cache_creation or
// ephemeral_5m/1h_input_tokens, reasoning; prefixed by a pricing bucket
// such as flex_ or long_context_, or suffixed _over_200k). Only there are
// OpenAI's and Anthropic's cache and reasoning counts told apart.
func (n *normalizer) langSmithUsage() {
	obj, ok := parseJSON(n.str(langSmithUsageMetadata)).(map[string]any)
	if !ok {
		return
	}
	n.replaced[langSmithUsageMetadata] = true
	n.jsonUsage(obj, usageFields{input: "input_tokens", output: "output_tokens", total: "total_tokens"})
	var cacheRead, cacheWrite, reasoning int64
	var hasRead, hasWrite, hasReasoning bool
	if in, ok := obj["input_token_details"].(map[string]any); ok {
		for k, v := range in {
			c, ok := n.jsonCount(v)
			switch {
			case !ok:
			case strings.Contains(k, "cache_read"):
				cacheRead, hasRead = cacheRead+c, true
			case k == "cache_creation" || strings.HasPrefix(k, "ephemeral_") && strings.HasSuffix(k, "_input_tokens"):
				cacheWrite, hasWrite = cacheWrite+c, true
			}
		}
	}
	if out, ok := obj["output_token_details"].(map[string]any); ok {
		for k, v := range out {
			if c, ok := n.jsonCount(v); ok && (k == "reasoning" || strings.HasSuffix(k, "_reasoning")) {
				reasoning, hasReasoning = reasoning+c, true
			}
		}
	}
	if hasRead {
		n.set(genai.UsageCacheReadInputTokens.Int64(min(cacheRead, maxCount)))
	}
	if hasWrite {
		n.set(genai.UsageCacheCreationInputTokens.Int64(min(cacheWrite, maxCount)))
	}
	if hasReasoning {
		n.set(genai.UsageReasoningOutputTokens.Int64(min(reasoning, maxCount)))
	}
}
