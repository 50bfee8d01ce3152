package goopenai

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"example.com/presets/goopenai/internal/fake"
	openai "github.com/sashabaranov/go-openai"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

func setup(t *testing.T, delay time.Duration) (*TracedGoOpenAIClient, *tracetest.SpanRecorder) {
	cfg := openai.DefaultConfig("sk-test")
	cfg.BaseURL = fake.Server(t, delay).URL + "/v1"
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	return NewTracedGoOpenAIClient(openai.NewClientWithConfig(cfg), genai.WithTracerProvider(tp)), rec
}

func chatRequest(model string) openai.ChatCompletionRequest {
	seed := 7
	return openai.ChatCompletionRequest{Model: model, Seed: &seed, Stop: []string{"END"},
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "Be brief."},
			{Role: openai.ChatMessageRoleUser, Content: "Say hello"},
		}}
}

func TestChatCompletion(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client, rec := setup(t, 0)
	resp, err := client.CreateChatCompletion(context.Background(), chatRequest(openai.GPT4o))
	if err != nil || resp.Choices[0].Message.Content != "Hello!" {
		t.Fatalf("CreateChatCompletion: %v %+v", err, resp)
	}
	s := rec.Ended()[0]
	if s.Name() != "chat gpt-4o" || s.Status().Code != codes.Unset {
		t.Errorf("span %q, status %v", s.Name(), s.Status())
	}
	fake.Check(t, fake.Attrs(s), map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
		"gen_ai.request.seed": 7, "gen_ai.request.stop_sequences": "[END]",
		"gen_ai.response.id": "chatcmpl-1", "gen_ai.response.model": "gpt-4o-2024-08-06",
		"gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 5,
		"gen_ai.usage.cache_read.input_tokens": 4, "gen_ai.usage.reasoning.output_tokens": 2,
		"gen_ai.response.finish_reasons": "[stop]",
		"gen_ai.output.messages":         `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"stop"}]`,
		"gen_ai.input.messages": `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},` +
			`{"role":"user","parts":[{"type":"text","content":"Say hello"}]}]`,
	})
}

func TestChatStreaming(t *testing.T) {
	const delay = 80 * time.Millisecond
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client, rec := setup(t, delay)
	req := chatRequest(openai.GPT4o)
	req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	ctx := context.Background()

	// Drained.
	stream, err := client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(chunk.Choices) > 0 {
			text += chunk.Choices[0].Delta.Content
		}
	}
	_ = stream.Close()
	if text != "Hello" {
		t.Fatalf("stream text %q", text)
	}
	a := fake.Attrs(rec.Ended()[0])
	fake.Check(t, a, map[string]any{
		"gen_ai.request.stream": true, "genaitrace.stream.chunks": 4, "gen_ai.response.id": "chatcmpl-s",
		"gen_ai.response.model": "gpt-4o-2024-08-06", "gen_ai.response.finish_reasons": "[stop]",
		"gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 2, "gen_ai.usage.cache_read.input_tokens": 4,
		"gen_ai.usage.reasoning.output_tokens": 1,
		"gen_ai.output.messages":               `[{"role":"assistant","parts":[{"type":"text","content":"Hello"}],"finish_reason":"stop"}]`,
	})
	if ttfc := a["gen_ai.response.time_to_first_chunk"].AsFloat64(); ttfc < delay.Seconds() || ttfc > 2 {
		t.Errorf("time to first chunk %.3fs; the server waited %v", ttfc, delay)
	}

	// Closed early: the span ends at Close, with one chunk read.
	stream, err = client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	_ = stream.Close()
	if spans := rec.Ended(); len(spans) != 2 || fake.Attrs(spans[1])["genaitrace.stream.chunks"].AsInt64() != 1 || spans[1].Status().Code == codes.Error {
		t.Errorf("early close: %d spans", len(spans))
	}

	// The connection drops mid-stream: the span ends failed.
	req.Model = fake.Broken
	stream, err = client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = stream.Recv()
	}
	if errors.Is(err, io.EOF) {
		t.Fatal("a broken stream ended with io.EOF")
	}
	spans := rec.Ended()
	if len(spans) != 3 || spans[2].Status().Code != codes.Error || fake.Attrs(spans[2])["genaitrace.stream.chunks"].AsInt64() != 1 {
		t.Errorf("broken stream: %d spans, last %v %v", len(spans), spans[len(spans)-1].Status(), fake.Attrs(spans[len(spans)-1]))
	}
}

func TestEmbeddings(t *testing.T) {
	client, rec := setup(t, 0)
	if _, err := client.CreateEmbeddings(context.Background(), openai.EmbeddingRequestStrings{
		Input: []string{"hi"}, Model: openai.SmallEmbedding3}); err != nil {
		t.Fatal(err)
	}
	s := rec.Ended()[0]
	if s.Name() != "embeddings text-embedding-3-small" {
		t.Errorf("span name %q", s.Name())
	}
	fake.Check(t, fake.Attrs(s), map[string]any{
		"gen_ai.operation.name": "embeddings", "gen_ai.provider.name": "openai", "gen_ai.request.model": "text-embedding-3-small",
		"gen_ai.response.model": "text-embedding-3-small", "gen_ai.usage.input_tokens": 3, "gen_ai.embeddings.dimension.count": 3,
	})
}

func TestAPIErrors(t *testing.T) {
	client, rec := setup(t, 0)
	_, err := client.CreateChatCompletion(context.Background(), chatRequest(fake.Missing))
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 404 || apiErr.Code != "model_not_found" {
		t.Fatalf("404: %v", err)
	}
	_, err = client.CreateChatCompletion(context.Background(), chatRequest(fake.Limited))
	var reqErr *openai.RequestError
	if !errors.As(err, &reqErr) || reqErr.HTTPStatusCode != 429 {
		t.Fatalf("429: %v", err)
	}
	// An error event inside a stream has no HTTP status: its type is recorded.
	req := chatRequest(fake.Failing)
	stream, err := client.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = stream.Recv()
	}
	if !errors.As(err, &apiErr) || apiErr.Type != "server_error" {
		t.Fatalf("stream: %v", err)
	}
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3", len(spans))
	}
	for i, want := range []string{"404", "429", "server_error"} {
		if spans[i].Status().Code != codes.Error || fake.Attrs(spans[i])["error.type"].AsString() != want {
			t.Errorf("%s: status %v, error.type %v, want %s", spans[i].Name(), spans[i].Status(), fake.Attrs(spans[i])["error.type"].AsInterface(), want)
		}
	}
}

// TestSamplingParameters: go-openai's request numbers are omitempty, so a
// 0 is recorded only when set; set ones are, float32 as its decimal.
func TestSamplingParameters(t *testing.T) {
	client, rec := setup(t, 0)
	req := chatRequest(openai.GPT4o)
	if _, err := client.CreateChatCompletion(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	req.Temperature, req.TopP, req.MaxCompletionTokens, req.N, req.FrequencyPenalty, req.PresencePenalty = 0.7, 0.9, 128, 2, 0.1, 0.2
	if _, err := client.CreateChatCompletion(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	unset, set := fake.Attrs(rec.Ended()[0]), fake.Attrs(rec.Ended()[1])
	keys := []string{"gen_ai.request.temperature", "gen_ai.request.top_p", "gen_ai.request.max_tokens", "gen_ai.request.choice.count",
		"gen_ai.request.frequency_penalty", "gen_ai.request.presence_penalty"}
	for _, k := range keys {
		if v, ok := unset[k]; ok {
			t.Errorf("%s = %v recorded though the request left it 0, unsent", k, v.AsInterface())
		}
	}
	fake.Check(t, set, map[string]any{
		"gen_ai.request.temperature": 0.7, "gen_ai.request.top_p": 0.9, "gen_ai.request.max_tokens": 128, "gen_ai.request.choice.count": 2,
		"gen_ai.request.frequency_penalty": 0.1, "gen_ai.request.presence_penalty": 0.2,
	})
}

// TestToolCalls: a tool-calling answer is recorded as the conventions'
// tool_call parts, with no empty text part beside them.
func TestToolCalls(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client, rec := setup(t, 0)
	resp, err := client.CreateChatCompletion(context.Background(), chatRequest(fake.Tools))
	if err != nil || len(resp.Choices[0].Message.ToolCalls) != 1 {
		t.Fatalf("CreateChatCompletion: %v %+v", err, resp)
	}
	fake.Check(t, fake.Attrs(rec.Ended()[0]), map[string]any{
		"gen_ai.response.finish_reasons": "[tool_calls]",
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather",` +
			`"arguments":"{\"city\":\"Paris\"}"}],"finish_reason":"tool_calls"}]`,
	})
}

// TestUnmappedMethods: the client's methods the preset does not map are
// called straight through, without a span.
func TestUnmappedMethods(t *testing.T) {
	client, rec := setup(t, 0)
	models, err := client.ListModels(context.Background())
	if err != nil || len(models.Models) != 1 {
		t.Fatalf("ListModels: %v %+v", err, models)
	}
	if n := len(rec.Ended()); n != 0 {
		t.Errorf("%d spans for an unmapped method, want none", n)
	}
}
