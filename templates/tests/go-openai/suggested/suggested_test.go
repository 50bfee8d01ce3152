package suggested

import (
	"context"
	"errors"
	"io"
	"testing"

	openai "github.com/sashabaranov/go-openai"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"example.com/presets/goopenai/internal/fake"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// TestSuggestedMappingRecords calls chat, streaming chat and embeddings
// through the suggestion's wrapper, unedited, over OpenAI's wire format.
func TestSuggestedMappingRecords(t *testing.T) {
	cfg := openai.DefaultConfig("sk-test")
	cfg.BaseURL = fake.Server(t, 0).URL + "/v1"
	rec := tracetest.NewSpanRecorder()
	client := NewTracedClient(openai.NewClientWithConfig(cfg), genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	ctx := context.Background()
	req := openai.ChatCompletionRequest{Model: openai.GPT4o, Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "hi"}},
		StreamOptions: &openai.StreamOptions{IncludeUsage: true}}
	if _, err := client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: req.Model, Messages: req.Messages}); err != nil {
		t.Fatal(err)
	}
	stream, err := client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = stream.Recv()
	}
	if !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	if _, err := client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: []string{"hi"}, Model: openai.SmallEmbedding3}); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3", len(spans))
	}
	fake.Check(t, fake.Attrs(spans[0]), map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
		"gen_ai.response.id": "chatcmpl-1", "gen_ai.response.model": "gpt-4o-2024-08-06",
		"gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 5, "gen_ai.usage.cache_read.input_tokens": 4,
		"gen_ai.usage.reasoning.output_tokens": 2, "gen_ai.response.finish_reasons": "[stop]",
	})
	fake.Check(t, fake.Attrs(spans[1]), map[string]any{
		"gen_ai.request.model": "gpt-4o", "genaitrace.stream.chunks": 4, "gen_ai.response.id": "chatcmpl-s",
		"gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 2, "gen_ai.response.finish_reasons": "[stop]",
	})
	fake.Check(t, fake.Attrs(spans[2]), map[string]any{
		"gen_ai.operation.name": "embeddings", "gen_ai.response.model": "text-embedding-3-small",
		"gen_ai.usage.input_tokens": 3, "gen_ai.embeddings.dimension.count": 3,
	})
}
