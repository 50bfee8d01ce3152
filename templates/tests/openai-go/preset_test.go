package openaigo

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/presets/openaigo/internal/fake"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

func setup(t *testing.T, delay time.Duration) (openai.Client, *tracetest.SpanRecorder, genai.Option) {
	srv := fake.Server(t, delay)
	client := openai.NewClient(option.WithBaseURL(srv.URL+"/"), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
	rec := tracetest.NewSpanRecorder()
	return client, rec, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
}

func TestChatCompletion(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client, rec, opt := setup(t, 0)
	chat := NewTracedOpenAIChatCompletions(&client.Chat.Completions, opt)
	resp, err := chat.New(context.Background(), openai.ChatCompletionNewParams{
		Model:       "gpt-4o-mini",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("Say hello")},
		Temperature: openai.Float(0.2),
		Seed:        openai.Int(7),
	})
	if err != nil || resp.Choices[0].Message.Content != "Hello!" {
		t.Fatalf("New: %v %+v", err, resp)
	}
	s := rec.Ended()[0]
	if s.Name() != "chat gpt-4o-mini" {
		t.Errorf("span name %q", s.Name())
	}
	a := fake.Attrs(s)
	fake.Check(t, a, map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.request.temperature": 0.2, "gen_ai.request.seed": 7, "gen_ai.response.id": "chatcmpl-1",
		"gen_ai.response.model": "gpt-4o-mini-2024-07-18", "gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 5,
		"gen_ai.usage.cache_read.input_tokens": 4, "gen_ai.usage.reasoning.output_tokens": 2,
		"gen_ai.response.finish_reasons": "[stop]",
		"gen_ai.output.messages":         `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"stop"}]`,
		"gen_ai.input.messages": `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},` +
			`{"role":"user","parts":[{"type":"text","content":"Say hello"}]}]`,
	})
	for _, unset := range []string{"gen_ai.request.top_p", "gen_ai.request.max_tokens"} {
		if _, ok := a[unset]; ok {
			t.Errorf("%s recorded though the request left it unset", unset)
		}
	}
}

func TestChatStreaming(t *testing.T) {
	const delay = 80 * time.Millisecond
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client, rec, opt := setup(t, delay)
	chat := NewTracedOpenAIChatCompletions(&client.Chat.Completions, opt)
	params := openai.ChatCompletionNewParams{Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}}

	// Drained.
	stream := chat.NewStreaming(context.Background(), params)
	var text string
	for stream.Next() {
		if c := stream.Current(); len(c.Choices) > 0 {
			text += c.Choices[0].Delta.Content
		}
	}
	if err := stream.Err(); err != nil || text != "Hello" {
		t.Fatalf("stream: %q %v", text, err)
	}
	_ = stream.Close()
	s := rec.Ended()[0]
	a := fake.Attrs(s)
	fake.Check(t, a, map[string]any{
		"gen_ai.request.stream": true, "genaitrace.stream.chunks": 4, "gen_ai.response.id": "chatcmpl-s",
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Hello"}],"finish_reason":"stop"}]`,
		"gen_ai.response.model":  "gpt-4o-mini-2024-07-18", "gen_ai.response.finish_reasons": "[stop]",
		"gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 2, "gen_ai.usage.cache_read.input_tokens": 4,
	})
	if ttfc := a["gen_ai.response.time_to_first_chunk"].AsFloat64(); ttfc < delay.Seconds() || ttfc > 2 {
		t.Errorf("time to first chunk %.3fs; the server waited %v", ttfc, delay)
	}

	// Closed early: the span ends at Close.
	stream = chat.NewStreaming(context.Background(), params)
	stream.Next()
	_ = stream.Close()
	if n := len(rec.Ended()); n != 2 || fake.Attrs(rec.Ended()[1])["genaitrace.stream.chunks"].AsInt64() != 1 {
		t.Errorf("early close: %d spans", n)
	}

	// The connection drops mid-stream: the span ends with an error.
	params.Model = "broken"
	stream = chat.NewStreaming(context.Background(), params)
	for stream.Next() {
	}
	if stream.Err() == nil {
		t.Fatal("no error from a broken stream")
	}
	failed := rec.Ended()[2]
	if failed.Status().Code != codes.Error || fake.Attrs(failed)["genaitrace.stream.chunks"].AsInt64() != 1 {
		t.Errorf("broken stream: status %v, attributes %v", failed.Status(), fake.Attrs(failed))
	}
}

func TestEmbeddingsAndResponses(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client, rec, opt := setup(t, 0)
	emb := NewTracedOpenAIEmbeddings(&client.Embeddings, opt)
	if _, err := emb.New(context.Background(), openai.EmbeddingNewParams{
		Model: openai.EmbeddingModelTextEmbedding3Small, Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hi")},
	}); err != nil {
		t.Fatal(err)
	}
	resp := NewTracedOpenAIResponses(&client.Responses, opt)
	if _, err := resp.New(context.Background(), responses.ResponseNewParams{Model: "gpt-4o",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}, Instructions: openai.String("Be brief.")}); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	fake.Check(t, fake.Attrs(spans[0]), map[string]any{
		"gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-3-small",
		"gen_ai.usage.input_tokens": 3, "gen_ai.embeddings.dimension.count": 3,
	})
	fake.Check(t, fake.Attrs(spans[1]), map[string]any{
		"gen_ai.response.id": "resp_1", "gen_ai.response.model": "gpt-4o-2024-08-06", "gen_ai.usage.input_tokens": 9,
		"gen_ai.usage.output_tokens": 3, "gen_ai.usage.cache_read.input_tokens": 2, "gen_ai.usage.reasoning.output_tokens": 1,
		"gen_ai.output.messages":         `[{"role":"assistant","parts":[{"type":"text","content":"hi there"}]}]`,
		"gen_ai.input.messages":          `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.system_instructions":     `[{"type":"text","content":"Be brief."}]`,
		"gen_ai.response.finish_reasons": "[completed]",
	})
}

// TestResponsesOutputItems: a function_call item of the response is a
// tool_call part of the output, and the finish reason is the response's
// status (an incomplete one included).
func TestResponsesOutputItems(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client, rec, opt := setup(t, 0)
	resp := NewTracedOpenAIResponses(&client.Responses, opt)
	for _, model := range []string{fake.Tools, "gpt-4o-short"} {
		if _, err := resp.New(context.Background(), responses.ResponseNewParams{Model: model,
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Weather in Paris?")}}); err != nil {
			t.Fatal(err)
		}
	}
	spans := rec.Ended()
	fake.Check(t, fake.Attrs(spans[0]), map[string]any{
		"gen_ai.response.id": "resp_t", "gen_ai.response.finish_reasons": "[completed]",
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}]}]`,
	})
	fake.Check(t, fake.Attrs(spans[1]), map[string]any{
		"gen_ai.response.id": "resp_i", "gen_ai.response.finish_reasons": "[max_output_tokens]",
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"hi th"}]}]`,
	})
}

func TestResponsesStreaming(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	const delay = 50 * time.Millisecond
	client, rec, opt := setup(t, delay)
	resp := NewTracedOpenAIResponses(&client.Responses, opt)
	stream := resp.NewStreaming(context.Background(), responses.ResponseNewParams{Model: "gpt-4o",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}})
	var text string
	for stream.Next() {
		text += stream.Current().Delta
	}
	if err := stream.Err(); err != nil || text != "hi there" {
		t.Fatalf("stream: %q %v", text, err)
	}
	a := fake.Attrs(rec.Ended()[0])
	fake.Check(t, a, map[string]any{
		"gen_ai.request.stream": true, "genaitrace.stream.chunks": 3, "gen_ai.response.id": "resp_s", "gen_ai.response.model": "gpt-4o-2024-08-06",
		"gen_ai.usage.input_tokens": 9, "gen_ai.usage.output_tokens": 3, "gen_ai.usage.cache_read.input_tokens": 2, "gen_ai.usage.reasoning.output_tokens": 1,
		"gen_ai.input.messages":          `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.output.messages":         `[{"role":"assistant","parts":[{"type":"text","content":"hi there"}],"finish_reason":"completed"}]`,
		"gen_ai.response.finish_reasons": "[completed]",
	})
	if ttfc := a["gen_ai.response.time_to_first_chunk"].AsFloat64(); ttfc < delay.Seconds() {
		t.Errorf("time to first chunk %.3fs; the server waited %v", ttfc, delay)
	}
}

func TestAPIError(t *testing.T) {
	client, rec, opt := setup(t, 0)
	chat := NewTracedOpenAIChatCompletions(&client.Chat.Completions, opt)
	_, err := chat.New(context.Background(), openai.ChatCompletionNewParams{Model: fake.Missing,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "model_not_found" {
		t.Fatalf("New: %v, want the API's 404", err)
	}
	if s := rec.Ended()[0]; s.Status().Code != codes.Error || fake.Attrs(s)["error.type"].AsString() != "404" {
		t.Errorf("status %v, error.type %v, want 404", s.Status(), fake.Attrs(s)["error.type"].AsInterface())
	}
}

// TestChatToolCalls: a tool-calling answer is recorded as the
// conventions' tool_call parts, with no empty text part beside them.
func TestChatToolCalls(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client, rec, opt := setup(t, 0)
	chat := NewTracedOpenAIChatCompletions(&client.Chat.Completions, opt)
	resp, err := chat.New(context.Background(), openai.ChatCompletionNewParams{Model: fake.Tools,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Weather in Paris?")}})
	if err != nil || len(resp.Choices[0].Message.ToolCalls) != 1 {
		t.Fatalf("New: %v %+v", err, resp)
	}
	fake.Check(t, fake.Attrs(rec.Ended()[0]), map[string]any{
		"gen_ai.response.finish_reasons": "[tool_calls]",
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather",` +
			`"arguments":"{\"city\":\"Paris\"}"}],"finish_reason":"tool_calls"}]`,
	})
}
