package dialect

import (
	"math"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// recordLasting ends one span of the given scope that lasted d.
func recordLasting(t testing.TB, scope string, d time.Duration, attrs []attribute.KeyValue, events ...func(trace.Span, time.Time)) sdktrace.ReadOnlySpan {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	start := time.Now()
	_, sp := tp.Tracer(scope).Start(t.Context(), "span", trace.WithTimestamp(start), trace.WithAttributes(attrs...))
	for _, e := range events {
		e(sp, start)
	}
	sp.End(trace.WithTimestamp(start.Add(d)))
	return rec.Ended()[0]
}

// TestNumbersAtTheBoundary: every count and duration a span supplies, in
// the conventions' names or a dialect's, is finite, in range,
// non-negative and integral where it must be; what is not is left out
// and counted, a number spelled as a string is read.
func TestNumbersAtTheBoundary(t *testing.T) {
	for _, c := range []struct {
		name      string
		attr      attribute.KeyValue
		key       attribute.Key
		want      any // nil: left out
		untrusted int
	}{
		{"a count", genai.UsageInputTokens.Int(1200), genai.UsageInputTokens, int64(1200), 0},
		{"a count wrapped negative", genai.UsageInputTokens.Int64(-8446744073709551616), genai.UsageInputTokens, nil, 1},
		{"a negative count", genai.UsageOutputTokens.Int(-3), genai.UsageOutputTokens, nil, 1},
		{"a count past any model's", genai.UsageInputTokens.Int64(1 << 62), genai.UsageInputTokens, nil, 1},
		{"a count as a float", genai.UsageInputTokens.Float64(1200), genai.UsageInputTokens, int64(1200), 0},
		{"a fractional count", genai.UsageInputTokens.Float64(12.5), genai.UsageInputTokens, nil, 1},
		{"a NaN count", genai.UsageInputTokens.Float64(math.NaN()), genai.UsageInputTokens, nil, 1},
		{"a count as a string", attribute.String("gen_ai.usage.input_tokens", " 1200"), genai.UsageInputTokens, int64(1200), 0},
		{"a count as words", attribute.String("gen_ai.usage.input_tokens", "many"), genai.UsageInputTokens, nil, 1},
		{"a dialect's count", attribute.Int("llm.token_count.prompt", -1), genai.UsageInputTokens, nil, 1},
		{"an infinite temperature", genai.RequestTemperature.Float64(math.Inf(1)), genai.RequestTemperature, nil, 1},
		{"a negative penalty", genai.RequestFrequencyPenalty.Float64(-0.5), genai.RequestFrequencyPenalty, -0.5, 0},
		{"a time to first chunk within the span", genai.ResponseTimeToFirstChunk.Float64(0.25), genai.ResponseTimeToFirstChunk, 0.25, 0},
		{"a time to first chunk after the span", genai.ResponseTimeToFirstChunk.Float64(5), genai.ResponseTimeToFirstChunk, nil, 1},
		{"a negative time to first chunk", genai.ResponseTimeToFirstChunk.Float64(-1), genai.ResponseTimeToFirstChunk, nil, 1},
		{"otelc's microseconds past the span", attribute.Int("gen_ai.response.time_to_first_token", 1<<62), genai.ResponseTimeToFirstChunk, nil, 1},
		{"eino's +Inf per output token", attribute.Float64("gen_ai.chat_completions.streaming_time_per_output_token", math.Inf(1)),
			"gen_ai.chat_completions.streaming_time_per_output_token", nil, 1},
		{"Genkit's count past float64", attribute.String("genkit:output", `{"usage":{"inputTokens":1e309,"outputTokens":3}}`), genai.UsageInputTokens, nil, 1},
		{"OpenInference's max_tokens as words", attribute.String("llm.invocation_parameters", `{"max_tokens":"x"}`), genai.RequestMaxTokens, nil, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			attrs := []attribute.KeyValue{c.attr, attribute.String("genkit:metadata:subtype", "model"), attribute.String("genkit:name", "openai/gpt-4o")}
			r := Normalize(recordLasting(t, "t", 2*time.Second, attrs))
			if r == nil {
				t.Fatal("not normalised")
			}
			var got any
			if v := attrOf(r, c.key); v.Type() != attribute.EMPTY {
				got = v.AsInterface()
			}
			if got != c.want || r.Untrusted != c.untrusted {
				t.Errorf("%s = %v (untrusted %d), want %v (untrusted %d)", c.key, got, r.Untrusted, c.want, c.untrusted)
			}
			for _, kv := range r.Attrs {
				if f, ok := kv.Value.AsInterface().(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
					t.Errorf("%s = %v passed on", kv.Key, f)
				}
			}
		})
	}
}

// TestConventionsSpanNeedsWork: a span in the conventions' own names is
// left alone unless it has a number to check or a time to first chunk to
// turn into the moment of the first chunk (which Langfuse reads).
func TestConventionsSpanNeedsWork(t *testing.T) {
	base := []attribute.KeyValue{genai.OperationName.String("chat"), genai.ProviderName.String("openai"),
		genai.RequestModel.String("gpt-4o"), genai.UsageInputTokens.Int(10), genai.UsageOutputTokens.Int(5)}
	span := recordLasting(t, "t", 2*time.Second, append(base, genai.ResponseTimeToFirstChunk.Float64(0.5)))
	r := Normalize(span)
	if r == nil || r.Dialects != 0 {
		t.Fatalf("a conventions span with a time to first chunk: %v", r)
	}
	want := span.StartTime().Add(500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	if got := attrOf(r, genai.CompletionStartTime).AsString(); got != want {
		t.Errorf("completion start %q, want %q", got, want)
	}
	own := append(base, genai.ResponseTimeToFirstChunk.Float64(0.5), genai.CompletionStartTime.String(want))
	if r := Normalize(recordLasting(t, "t", 2*time.Second, own)); r != nil {
		t.Errorf("genaitrace's own streaming span was normalised: %v", r.Attrs)
	}
}

// TestOpenInferenceModelNames: its newer llm.request.model_name and
// llm.response.model_name (go/openinference-semantic-conventions at
// 1fe497f1, attributes.go:73-81; set by no Go instrumentation yet) win
// over llm.model_name, which is the response's.
func TestOpenInferenceModelNames(t *testing.T) {
	r := Normalize(recordLasting(t, "my-app", time.Second, []attribute.KeyValue{
		attribute.String("openinference.span.kind", "LLM"), attribute.String("llm.model_name", "gpt-4o-2024-08-06"),
		attribute.String("llm.request.model_name", "gpt-4o"), attribute.String("llm.response.model_name", "gpt-4o-2024-08-06"),
	}))
	if req, resp := attrOf(r, genai.RequestModel).AsString(), attrOf(r, genai.ResponseModel).AsString(); req != "gpt-4o" || resp != "gpt-4o-2024-08-06" {
		t.Errorf("request model %q, response model %q", req, resp)
	}
}

// TestLangSmithNewToken: the new_token event gives the time to the first
// chunk and its moment; one outside the span is not trusted.
func TestLangSmithNewToken(t *testing.T) {
	attrs := []attribute.KeyValue{attribute.String("gen_ai.system", "openai"), attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("gen_ai.prompt", `{"messages":[]}`)}
	r := Normalize(recordLasting(t, "github.com/sashabaranov/go-openai", time.Second, attrs, func(sp trace.Span, start time.Time) {
		sp.AddEvent("new_token", trace.WithTimestamp(start.Add(300*time.Millisecond)))
	}))
	if got := attrOf(r, genai.ResponseTimeToFirstChunk).AsFloat64(); got != 0.3 {
		t.Errorf("time to first chunk %v, want 0.3", got)
	}
	r = Normalize(recordLasting(t, "github.com/sashabaranov/go-openai", time.Second, attrs, func(sp trace.Span, start time.Time) {
		sp.AddEvent("new_token", trace.WithTimestamp(start.Add(100*365*24*time.Hour)))
	}))
	if attrOf(r, genai.CompletionStartTime).Type() != attribute.EMPTY || r.Untrusted != 1 {
		t.Errorf("a first chunk a century after the span: %v, untrusted %d", attrOf(r, genai.CompletionStartTime), r.Untrusted)
	}
}
