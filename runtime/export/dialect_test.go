package export

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
	"github.com/genaitrace/genaitrace/runtime/export/internal/mask"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// normalized1 records one span with attrs (and events), normalises it and
// derives its facts, as the pipeline does.
func normalized1(t testing.TB, attrs []attribute.KeyValue, events ...func(trace.Span)) *Span {
	t.Helper()
	spans := recordSpans(t, resource.Empty(), func(tp trace.TracerProvider) {
		_, sp := tp.Tracer("t").Start(t.Context(), "span", trace.WithAttributes(attrs...))
		for _, e := range events {
			e(sp)
		}
		sp.End()
	})
	s := spans[0]
	s.normalize()
	deriveFacts(s, &Facts{}, pricing.Default())
	return s
}

func attrOf(s *Span, k attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if kv.Key == k {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func TestUsageCountedApart(t *testing.T) {
	for _, c := range []struct {
		name            string
		attrs           []attribute.KeyValue
		wantIn, wantOut int64
	}{
		{"cached larger than the input: apart", []attribute.KeyValue{
			genai.UsageInputTokens.Int(50), genai.UsageCacheReadInputTokens.Int(900), genai.UsageOutputTokens.Int(20), attribute.Bool("gen_ai.request.is_stream", false)},
			950, 20},
		{"total adds up with the cache apart", []attribute.KeyValue{
			genai.UsageInputTokens.Int(500), genai.UsageCacheCreationInputTokens.Int(300), genai.UsageOutputTokens.Int(20), attribute.Int("gen_ai.usage.total_tokens", 820)},
			800, 20},
		{"total adds up with the cache included", []attribute.KeyValue{
			genai.UsageInputTokens.Int(500), genai.UsageCacheReadInputTokens.Int(300), genai.UsageOutputTokens.Int(20), attribute.Int("gen_ai.usage.total_tokens", 520)},
			500, 20},
		{"reasoning larger than the output: apart", []attribute.KeyValue{
			attribute.Int("llm.token_count.prompt", 100), attribute.Int("llm.token_count.completion", 10), attribute.Int("llm.token_count.completion_details.reasoning", 40)},
			100, 50},
		{"no total, nothing larger: as the conventions", []attribute.KeyValue{
			attribute.Int("gen_ai.usage.prompt_tokens", 100), attribute.Int("gen_ai.usage.cache_read_input_tokens", 60), attribute.Int("gen_ai.usage.completion_tokens", 10)},
			100, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := normalized1(t, c.attrs)
			if u := s.Facts.Usage; u.Input != c.wantIn || u.Output != c.wantOut {
				t.Errorf("usage %+v, want input %d output %d", u, c.wantIn, c.wantOut)
			}
			// The span's own names keep their numbers: only the
			// conventions' say what the conventions mean.
			for _, kv := range c.attrs {
				if v, _ := attrOf(s, kv.Key); kv.Key != genai.UsageInputTokens && kv.Key != genai.UsageOutputTokens && v != kv.Value {
					t.Errorf("own %s became %v", kv.Key, v.String())
				}
			}
		})
	}
}

// FuzzNormalize: no attribute a span can carry makes normalising, or
// translating the result, panic; a span's own attributes are all kept.
func FuzzNormalize(f *testing.F) {
	f.Add("gen_ai.prompt.0.content", "hi", "llm.token_count.prompt", int64(5), "gen_ai.choice", `{"role":"assistant"}`)
	f.Add("genkit:output", `{"usage":{"inputTokens":1e309}}`, "gen_ai.usage.cache_read.input_tokens", int64(-3), "gen_ai.user.message", `[`)
	f.Add("llm.invocation_parameters", `{"stop":[1,"x"],"max_tokens":"x"}`, "gen_ai.response.time_to_first_token", int64(1<<62), "x", "")
	f.Add("llm.input_messages.99999999999999999999.message.role", "x", "gen_ai.usage.total_tokens", int64(0), "gen_ai.content.prompt", `"`)
	f.Add("langsmith.usage_metadata", `{"input_tokens":1e400,"input_token_details":{"cache_read":-1,"ephemeral_5m_input_tokens":"x"}}`, "gen_ai.usage.input_tokens", int64(-1), "new_token", "")
	f.Add("gcp.vertex.agent.llm_response", `{"Content":{"parts":[{"text":1}]},"UsageMetadata":{"promptTokenCount":"x","totalTokenCount":1e19}}`, "gen_ai.response.total_token_count", int64(1<<40), "x", "")
	f.Add("gen_ai.span.kind", "tool", "gen_ai.chat_completions.streaming_time_to_first_token", int64(-5), "exception", "HTTP 400: {")
	f.Add("langwatch.output", `{"type":"json","value":{"usage":{"prompt_tokens_details":{"cached_tokens":1e30}}}}`, "gen_ai.usage.cached_input_tokens", int64(1<<62), "x", "")
	f.Add("retrieval.documents.7.document.content", "doc", "gen_ai.response.time_to_first_token", int64(-1), "gen_ai.choice", `{"message":{}}`)
	f.Add("gen_ai.operation.name", "retrieval", "gen_ai.retrieval.top_k", int64(3), "x", "")
	f.Add("gen_ai.usage.cache_creation.input_tokens", "7", "gen_ai.usage.cache_write.input_tokens", int64(-2), "x", "")
	f.Fuzz(func(t *testing.T, k1, v1, k2 string, n int64, event, body string) {
		attrs := []attribute.KeyValue{attribute.String(k1, v1), attribute.Int64(k2, n), attribute.String("gen_ai.system", "x"),
			attribute.String("genkit:metadata:subtype", "model"), attribute.String("openinference.span.kind", "TOOL")}
		s := normalized1(t, attrs, func(sp trace.Span) {
			sp.AddEvent(event, trace.WithAttributes(attribute.String("content", body), attribute.String("message", body)))
		})
		// The span's own attributes are kept, in order, but for numbers
		// that cannot be trusted or that semantic-conventions-genai v0.1.0
		// names (read as v1.41's), and a framework's name as gen_ai.system.
		own, got := s.ReadOnlySpan.Attributes(), s.Attributes()
		j := 0
		for _, kv := range own {
			switch {
			case j < len(got) && got[j].Key == kv.Key:
				j++
			case dialect.IsNumber(kv.Key) || kv.Key == "gen_ai.system":
			default:
				t.Fatalf("normalising lost %s", kv.Key)
			}
		}
		for _, kv := range got {
			if v := kv.Value; v.Type() == attribute.FLOAT64 && dialect.IsNumber(kv.Key) && (math.IsNaN(v.AsFloat64()) || math.IsInf(v.AsFloat64(), 0)) {
				t.Fatalf("%s = %v passed on", kv.Key, v.AsFloat64())
			}
			if v := kv.Value; v.Type() == attribute.INT64 && dialect.IsNumber(kv.Key) && v.AsInt64() < 0 && kv.Key != "gen_ai.request.seed" &&
				!strings.Contains(string(kv.Key), "penalty") {
				t.Fatalf("%s = %d passed on", kv.Key, v.AsInt64())
			}
		}
		s.Trace = NewTraceInfo(TraceFields{})
		for _, tr := range []Translator{InstanaTranslator{Content: true}, InstanaTranslator{}, LangfuseTranslator{}, LangfuseTranslator{Content: true}, Passthrough{},
			InstanaTranslator{TokenNames: InstanaTokensLegacy}, InstanaTranslator{TokenNames: InstanaTokensBoth}} {
			for _, conv := range []Conventions{ConventionsV141, ConventionsLatest} {
				attrs := translate(tr, conv, mask.New(func(_ attribute.Key, v string) string { return strings.ToUpper(v) }, nil), nil, s)
				seen := map[attribute.Key]bool{}
				for _, kv := range attrs {
					if seen[kv.Key] {
						t.Fatalf("%T (%v) sent %s twice", tr, conv, kv.Key)
					}
					seen[kv.Key] = true
				}
			}
			_ = translateEvents(tr, nil, s)
		}
	})
}

// TestLangfuseInputCutStaysJSON: an input past Langfuse's limit arrives
// cut inside its structure, still JSON, for the observation and the
// trace.
func TestLangfuseInputCutStaysJSON(t *testing.T) {
	long := strings.Repeat("Weather in Lyon? ", 200)
	s := normalized1(t, []attribute.KeyValue{attribute.String("openinference.span.kind", "LLM"),
		attribute.String("llm.model_name", "gpt-4o"),
		attribute.String("llm.input_messages.0.message.role", "user"), attribute.String("llm.input_messages.0.message.content", long)})
	s.Trace = NewTraceInfo(TraceFields{})
	attrs := translate(LangfuseTranslator{Content: true, ContentLimit: 300}, ConventionsV141, nil, nil, s)
	n := 0
	for _, kv := range attrs {
		if kv.Key == "langfuse.observation.input" || kv.Key == "langfuse.trace.input" {
			n++
			if v := kv.Value.AsString(); len(v) > 300 || !json.Valid([]byte(v)) {
				t.Errorf("%s: %d bytes, JSON %v: %s", kv.Key, len(v), json.Valid([]byte(v)), v)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d inputs sent, want the observation's and the trace's", n)
	}
}
