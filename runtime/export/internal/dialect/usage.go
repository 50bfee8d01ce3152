package dialect

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// reconcileUsage makes the token counts mean what the conventions say:
// gen_ai.usage.input_tokens includes the cached input (read and written)
// and gen_ai.usage.output_tokens the reasoning. Not every source counts so:
// Anthropic's API counts cached input apart, and instrumentation that
// copies its numbers does too; Gemini counts thoughts apart from the
// candidates. A count is taken as exclusive when its part exceeds it, or
// when the span's total adds up only with the parts counted apart; it is
// then corrected (the dialect's own attributes keep their numbers). A
// missing input or output count is the total minus the other. A total
// alone prices nothing: no part of it is known.
func (n *normalizer) reconcileUsage() {
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
	for _, k := range []attribute.Key{vocab.LegacyGenAITotalTokens, vocab.LegacyTotalTokens, vocab.OpenInferenceTotalTokens} {
		if v, ok := n.int(k); ok {
			return v, true
		}
	}
	return n.usageTotal, n.usageTotal >= 0
}

func (n *normalizer) int(k attribute.Key) (int64, bool) {
	v, ok := n.get(k)
	if !ok {
		return 0, false
	}
	switch v.Type() {
	case attribute.INT64:
		return v.AsInt64(), true
	case attribute.FLOAT64:
		return int64(v.AsFloat64()), true
	}
	return 0, false
}
