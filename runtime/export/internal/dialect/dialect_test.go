package dialect

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// record ends one span with attrs (and events) on a real SDK provider.
func record(t testing.TB, attrs []attribute.KeyValue, events ...func(trace.Span)) sdktrace.ReadOnlySpan {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	_, sp := tp.Tracer("t").Start(t.Context(), "span", trace.WithAttributes(attrs...))
	for _, e := range events {
		e(sp)
	}
	sp.End()
	return rec.Ended()[0]
}

// normalized1 records one span and normalises it.
func normalized1(t testing.TB, attrs []attribute.KeyValue, events ...func(trace.Span)) *Result {
	t.Helper()
	return Normalize(record(t, attrs, events...))
}

func attrOf(r *Result, k attribute.Key) attribute.Value {
	for _, kv := range r.Attrs {
		if kv.Key == k {
			return kv.Value
		}
	}
	return attribute.Value{}
}

func TestConventionsSpansAreLeftAlone(t *testing.T) {
	r := normalized1(t, []attribute.KeyValue{genai.OperationName.String("chat"), genai.ProviderName.String("openai"),
		genai.RequestModel.String("gpt-4o"), genai.UsageInputTokens.Int(10), genai.UsageOutputTokens.Int(5)})
	if r != nil {
		t.Fatalf("a span in the conventions' names was normalised as %q", r.Dialects)
	}
}

func TestFlattenedToolCalls(t *testing.T) {
	r := normalized1(t, []attribute.KeyValue{
		attribute.String("openinference.span.kind", "LLM"), attribute.String("llm.model_name", "gpt-4o"),
		attribute.String("llm.input_messages.0.message.role", "user"),
		attribute.String("llm.input_messages.0.message.contents.0.message_content.type", "text"),
		attribute.String("llm.input_messages.0.message.contents.0.message_content.text", "Weather?"),
		attribute.String("llm.output_messages.0.message.role", "assistant"),
		attribute.String("llm.output_messages.0.message.tool_calls.0.tool_call.id", "call_1"),
		attribute.String("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", "get_weather"),
		attribute.String("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", `{"city":"Lyon"}`),
	})
	in := attrOf(r, genai.InputMessages)
	out := attrOf(r, genai.OutputMessages)
	if want := `[{"role":"user","parts":[{"type":"text","content":"Weather?"}]}]`; in.AsString() != want {
		t.Errorf("input %s, want %s", in.AsString(), want)
	}
	if want := `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Lyon"}}]}]`; out.AsString() != want {
		t.Errorf("output %s, want %s", out.AsString(), want)
	}
	if !r.Replaced("llm.output_messages.0.message.tool_calls.0.tool_call.function.name") {
		t.Error("the flattened attributes are not marked as replaced by the messages")
	}
}

func TestMessageEventsBecomeMessages(t *testing.T) {
	r := normalized1(t, []attribute.KeyValue{attribute.String("gen_ai.system", "openai"), genai.RequestModel.String("gpt-4o")},
		func(sp trace.Span) {
			sp.AddEvent("gen_ai.user.message", trace.WithAttributes(attribute.String("content", "Hi")))
			sp.AddEvent("gen_ai.assistant.message", trace.WithAttributes(attribute.String("tool_calls", `[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]`)))
			sp.AddEvent("gen_ai.tool.message", trace.WithAttributes(attribute.String("id", "c1"), attribute.String("content", "42")))
			sp.AddEvent("gen_ai.choice", trace.WithAttributes(attribute.String("finish_reason", "stop"), attribute.String("message", `{"content":"The answer is 42."}`)))
		})
	in := attrOf(r, genai.InputMessages)
	var msgs []map[string]any
	if err := json.Unmarshal([]byte(in.AsString()), &msgs); err != nil || len(msgs) != 3 {
		t.Fatalf("input messages %s (%v), want the 3 events", in.AsString(), err)
	}
	if msgs[0]["role"] != "user" || msgs[1]["role"] != "assistant" || msgs[2]["role"] != "tool" {
		t.Errorf("roles %v %v %v", msgs[0]["role"], msgs[1]["role"], msgs[2]["role"])
	}
	out := attrOf(r, genai.OutputMessages)
	if want := `[{"role":"assistant","parts":[{"type":"text","content":"The answer is 42."}],"finish_reason":"stop"}]`; out.AsString() != want {
		t.Errorf("output %s, want %s", out.AsString(), want)
	}
	if fr := attrOf(r, genai.ResponseFinishReasons); !cmp.Equal(fr.AsStringSlice(), []string{"stop"}) {
		t.Errorf("finish reasons %v", fr.AsStringSlice())
	}
	if !r.EventsConverted() || attrOf(r, genai.ProviderName).AsString() != "openai" {
		t.Errorf("events converted %v, provider %v", r.EventsConverted(), attrOf(r, genai.ProviderName))
	}
}

func TestProviderNames(t *testing.T) {
	for in, want := range map[string]string{"OpenAI": "openai", "Anthropic": "anthropic", "mistralai": "mistral_ai",
		"az.ai.inference": "azure.ai.inference", "google": "gcp.gen_ai", "googleai": "gcp.gemini", "aws": "aws.bedrock", "gcp.vertex.agent": "", "eino": ""} {
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
	// Measured since issue 22: a conventions span whose time to first
	// chunk gives the moment of the first chunk, LangSmith's and Genkit's
	// model calls.
	streamed := append(own[:len(own):len(own)], genai.ResponseTimeToFirstChunk.Float64(0.000001))
	langSmith := []attribute.KeyValue{attribute.String("gen_ai.system", "openai"), attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("http.url", "http://127.0.0.1:8080/v1/chat/completions"), genai.RequestModel.String("gpt-4o-mini"),
		attribute.String("gen_ai.prompt", `{"messages":[{"content":"Be brief.","role":"system"},{"content":"Weather in Lyon?","role":"user"}]}`),
		attribute.String("gen_ai.completion", `{"messages":[{"content":"Sunny.","role":"assistant"}]}`),
		attribute.String("langsmith.usage_metadata", `{"input_token_details":{"cache_read":1000},"input_tokens":1200,"output_token_details":{"reasoning":64},"output_tokens":300,"total_tokens":1500}`),
		genai.UsageInputTokens.Int(1200), genai.UsageOutputTokens.Int(300), attribute.Int("gen_ai.usage.total_tokens", 1500)}
	genkit := []attribute.KeyValue{attribute.String("genkit:type", "action"), attribute.String("genkit:metadata:subtype", "model"),
		attribute.String("genkit:name", "openai/gpt-4o-mini"), attribute.String("genkit:state", "success"),
		attribute.String("genkit:input", `{"messages":[{"content":[{"text":"Be brief."}],"role":"system"},{"content":[{"text":"Weather in Lyon?"}],"role":"user"}],"config":{"temperature":0.2}}`),
		attribute.String("genkit:output", `{"finishReason":"stop","message":{"content":[{"text":"Sunny."}],"role":"model"},"usage":{"cachedContentTokens":1000,"inputTokens":1200,"outputTokens":300,"thoughtsTokens":50,"totalTokens":1500}}`)}
	for _, c := range []struct {
		name  string
		attrs []attribute.KeyValue
	}{{"conventions", own}, {"openllmetry", openLLMetry}, {"openinference", openInference},
		{"conventions-streamed", streamed}, {"langsmith", langSmith}, {"genkit", genkit}} {
		b.Run(c.name, func(b *testing.B) {
			span := record(b, c.attrs)
			b.ReportAllocs()
			for b.Loop() {
				Normalize(span)
			}
		})
	}
}
