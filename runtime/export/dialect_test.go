package export

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

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
	normalize(s)
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

func TestConventionsSpansAreLeftAlone(t *testing.T) {
	s := normalized1(t, []attribute.KeyValue{genai.OperationName.String("chat"), genai.ProviderName.String("openai"),
		genai.RequestModel.String("gpt-4o"), genai.UsageInputTokens.Int(10), genai.UsageOutputTokens.Int(5)})
	if s.norm != nil || s.Dialects() != "" {
		t.Fatalf("a span in the conventions' names was normalised as %q", s.Dialects())
	}
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

func TestFlattenedToolCalls(t *testing.T) {
	s := normalized1(t, []attribute.KeyValue{
		attribute.String("openinference.span.kind", "LLM"), attribute.String("llm.model_name", "gpt-4o"),
		attribute.String("llm.input_messages.0.message.role", "user"),
		attribute.String("llm.input_messages.0.message.contents.0.message_content.type", "text"),
		attribute.String("llm.input_messages.0.message.contents.0.message_content.text", "Weather?"),
		attribute.String("llm.output_messages.0.message.role", "assistant"),
		attribute.String("llm.output_messages.0.message.tool_calls.0.tool_call.id", "call_1"),
		attribute.String("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", "get_weather"),
		attribute.String("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", `{"city":"Lyon"}`),
	})
	in, _ := attrOf(s, genai.InputMessages)
	out, _ := attrOf(s, genai.OutputMessages)
	if want := `[{"role":"user","parts":[{"type":"text","content":"Weather?"}]}]`; in.AsString() != want {
		t.Errorf("input %s, want %s", in.AsString(), want)
	}
	if want := `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Lyon"}}]}]`; out.AsString() != want {
		t.Errorf("output %s, want %s", out.AsString(), want)
	}
	if !s.replaced("llm.output_messages.0.message.tool_calls.0.tool_call.function.name") {
		t.Error("the flattened attributes are not marked as replaced by the messages")
	}
}

func TestMessageEventsBecomeMessages(t *testing.T) {
	s := normalized1(t, []attribute.KeyValue{attribute.String("gen_ai.system", "openai"), genai.RequestModel.String("gpt-4o")},
		func(sp trace.Span) {
			sp.AddEvent("gen_ai.user.message", trace.WithAttributes(attribute.String("content", "Hi")))
			sp.AddEvent("gen_ai.assistant.message", trace.WithAttributes(attribute.String("tool_calls", `[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]`)))
			sp.AddEvent("gen_ai.tool.message", trace.WithAttributes(attribute.String("id", "c1"), attribute.String("content", "42")))
			sp.AddEvent("gen_ai.choice", trace.WithAttributes(attribute.String("finish_reason", "stop"), attribute.String("message", `{"content":"The answer is 42."}`)))
		})
	in, _ := attrOf(s, genai.InputMessages)
	var msgs []map[string]any
	if err := json.Unmarshal([]byte(in.AsString()), &msgs); err != nil || len(msgs) != 3 {
		t.Fatalf("input messages %s (%v), want the 3 events", in.AsString(), err)
	}
	if msgs[0]["role"] != "user" || msgs[1]["role"] != "assistant" || msgs[2]["role"] != "tool" {
		t.Errorf("roles %v %v %v", msgs[0]["role"], msgs[1]["role"], msgs[2]["role"])
	}
	out, _ := attrOf(s, genai.OutputMessages)
	if want := `[{"role":"assistant","parts":[{"type":"text","content":"The answer is 42."}],"finish_reason":"stop"}]`; out.AsString() != want {
		t.Errorf("output %s, want %s", out.AsString(), want)
	}
	if fr, _ := attrOf(s, genai.ResponseFinishReasons); !cmp.Equal(fr.AsStringSlice(), []string{"stop"}) {
		t.Errorf("finish reasons %v", fr.AsStringSlice())
	}
	if !s.eventsConverted() || s.Facts.Provider != "openai" {
		t.Errorf("events converted %v, provider %q", s.eventsConverted(), s.Facts.Provider)
	}
}

func TestProviderNames(t *testing.T) {
	for in, want := range map[string]string{"OpenAI": "openai", "Anthropic": "anthropic", "mistralai": "mistral_ai",
		"az.ai.inference": "azure.ai.inference", "google": "gcp.gemini", "aws": "aws.bedrock", "gcp.vertex.agent": "gcp.vertex.agent"} {
		if got := providerValue(attribute.StringValue(in)).AsString(); got != want {
			t.Errorf("provider %q became %q, want %q", in, got, want)
		}
	}
}

// TestWholeValueContent: content held in one attribute, in the shapes
// instrumentation writes it, becomes messages without losing text.
func TestWholeValueContent(t *testing.T) {
	for raw, want := range map[string]string{
		`plain text`: `[{"role":"user","parts":[{"type":"text","content":"plain text"}]}]`,
		`{"messages":[[{"role":"human","content":"Hi"}]]}`: `[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`,
		`{"input":"Hi"}`:                       `[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`,
		`[{"role":"user","content":"Hi"}]`:     `[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`,
		`{"generations":[[{"text":"Hello"}]]}`: `[{"role":"assistant","parts":[{"type":"text","content":"Hello"}]}]`,
		`{"weird":{"nested":true}}`:            `[{"role":"user","parts":[{"type":"text","content":"{\"weird\":{\"nested\":true}}"}]}]`,
		`{"choices":[{"message":{"content":"Yo"},"finish_reason":"length"}]}`: `[{"role":"user","parts":[{"type":"text","content":"Yo"}],"finish_reason":"length"}]`,
	} {
		if got := contentMessages(raw, "user"); got != want {
			t.Errorf("%s:\n got %s\nwant %s", raw, got, want)
		}
	}
}

// FuzzNormalize: no attribute a span can carry makes normalising, or
// translating the result, panic; a span's own attributes are all kept.
func FuzzNormalize(f *testing.F) {
	f.Add("gen_ai.prompt.0.content", "hi", "llm.token_count.prompt", int64(5), "gen_ai.choice", `{"role":"assistant"}`)
	f.Add("genkit:output", `{"usage":{"inputTokens":1e309}}`, "gen_ai.usage.cache_read.input_tokens", int64(-3), "gen_ai.user.message", `[`)
	f.Add("llm.invocation_parameters", `{"stop":[1,"x"],"max_tokens":"x"}`, "gen_ai.response.time_to_first_token", int64(1<<62), "x", "")
	f.Add("llm.input_messages.99999999999999999999.message.role", "x", "gen_ai.usage.total_tokens", int64(0), "gen_ai.content.prompt", `"`)
	f.Fuzz(func(t *testing.T, k1, v1, k2 string, n int64, event, body string) {
		attrs := []attribute.KeyValue{attribute.String(k1, v1), attribute.Int64(k2, n), attribute.String("gen_ai.system", "x"),
			attribute.String("genkit:metadata:subtype", "model"), attribute.String("openinference.span.kind", "TOOL")}
		s := normalized1(t, attrs, func(sp trace.Span) {
			sp.AddEvent(event, trace.WithAttributes(attribute.String("content", body), attribute.String("message", body)))
		})
		own := s.ReadOnlySpan.Attributes()
		got := s.Attributes()
		if len(got) < len(own) {
			t.Fatalf("normalising lost attributes: %d of %d", len(got), len(own))
		}
		for i := range own {
			if got[i].Key != own[i].Key {
				t.Fatalf("own attribute %d is %s, was %s", i, got[i].Key, own[i].Key)
			}
		}
		s.Trace = NewTraceInfo(TraceFields{})
		for _, tr := range []Translator{InstanaTranslator{Content: true}, InstanaTranslator{}, LangfuseTranslator{}, Passthrough{}} {
			attrs := translate(tr, newMasker(func(_ attribute.Key, v string) string { return strings.ToUpper(v) }, nil), nil, s)
			seen := map[attribute.Key]bool{}
			for _, kv := range attrs {
				if seen[kv.Key] {
					t.Fatalf("%T sent %s twice", tr, kv.Key)
				}
				seen[kv.Key] = true
			}
			_ = translateEvents(tr, nil, s)
		}
	})
}

// BenchmarkNormalize measures what normalising costs the pipeline per span:
// a span in the conventions' names (one pass over its keys) against spans
// in two dialects.
func BenchmarkNormalize(b *testing.B) {
	own := []attribute.KeyValue{genai.OperationName.String("chat"), genai.ProviderName.String("openai"),
		genai.RequestModel.String("gpt-4o-mini"), genai.ResponseModel.String("gpt-4o-mini-2024-07-18"),
		genai.UsageInputTokens.Int(1200), genai.UsageOutputTokens.Int(300), genai.ResponseFinishReasons.StringSlice([]string{"stop"}),
		attribute.String("server.address", "api.openai.com"), attribute.Int("server.port", 443), attribute.String("http.route", "/chat")}
	openLLMetry := []attribute.KeyValue{attribute.String("gen_ai.system", "OpenAI"), attribute.String("llm.request.type", "chat"),
		genai.RequestModel.String("gpt-4o-mini"), attribute.String("gen_ai.prompt.0.role", "user"), attribute.String("gen_ai.prompt.0.content", "Weather in Lyon?"),
		attribute.String("gen_ai.completion.0.role", "assistant"), attribute.String("gen_ai.completion.0.content", "Sunny."),
		attribute.Int("gen_ai.usage.prompt_tokens", 1200), attribute.Int("gen_ai.usage.completion_tokens", 300), attribute.Int("llm.usage.total_tokens", 1500)}
	openInference := []attribute.KeyValue{attribute.String("openinference.span.kind", "LLM"), attribute.String("llm.provider", "openai"),
		attribute.String("llm.model_name", "gpt-4o-mini"), attribute.String("llm.invocation_parameters", `{"temperature":0.2}`),
		attribute.String("llm.input_messages.0.message.role", "user"), attribute.String("llm.input_messages.0.message.content", "Weather in Lyon?"),
		attribute.String("llm.output_messages.0.message.role", "assistant"), attribute.String("llm.output_messages.0.message.content", "Sunny."),
		attribute.Int("llm.token_count.prompt", 1200), attribute.Int("llm.token_count.completion", 300)}
	for _, c := range []struct {
		name  string
		attrs []attribute.KeyValue
	}{{"conventions", own}, {"openllmetry", openLLMetry}, {"openinference", openInference}} {
		b.Run(c.name, func(b *testing.B) {
			span := recordSpans(b, resource.Empty(), func(tp trace.TracerProvider) {
				_, sp := tp.Tracer("t").Start(b.Context(), "span", trace.WithAttributes(c.attrs...))
				sp.End()
			})[0]
			b.ReportAllocs()
			for b.Loop() {
				s := *span
				normalize(&s)
			}
		})
	}
}

// TestGeminiShapedMessagesFlatten: messages a span holds in Gemini's shape
// still give Instana their text.
func TestGeminiShapedMessagesFlatten(t *testing.T) {
	got := appendLegacyMessages(nil, "gen_ai.prompt.", "user", `[{"role":"model","parts":[{"text":"Sunny."}]}]`, 0)
	want := []attribute.KeyValue{attribute.String("gen_ai.prompt.0.role", "model"), attribute.String("gen_ai.prompt.0.content", "Sunny.")}
	if !cmp.Equal(got, want, cmp.Comparer(func(a, b attribute.KeyValue) bool { return a == b })) {
		t.Errorf("got %v, want %v", got, want)
	}
}
