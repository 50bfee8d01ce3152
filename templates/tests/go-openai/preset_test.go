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
	for _, s := range rec.Ended() {
		if s.Status().Code != codes.Error {
			t.Errorf("%s: status %v", s.Name(), s.Status())
		}
	}
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
