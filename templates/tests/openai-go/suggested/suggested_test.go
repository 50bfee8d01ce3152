package suggested

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"example.com/presets/openaigo/internal/fake"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// TestSuggestedMappingRecords calls every model method the suggestion
// maps, unedited, over OpenAI's wire format.
func TestSuggestedMappingRecords(t *testing.T) {
	client := openai.NewClient(option.WithBaseURL(fake.Server(t, 0).URL+"/"), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
	rec := tracetest.NewSpanRecorder()
	tp := genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	ctx := context.Background()

	chat := NewTracedChatCompletionService(&client.Chat.Completions, tp)
	params := openai.ChatCompletionNewParams{Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		Temperature: openai.Float(0.2), StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}}
	if _, err := chat.New(ctx, params); err != nil {
		t.Fatal(err)
	}
	stream := chat.NewStreaming(ctx, params)
	for stream.Next() {
	}
	if err := stream.Close(); err != nil || stream.Err() != nil {
		t.Fatal(err, stream.Err())
	}
	if _, err := NewTracedEmbeddingService(&client.Embeddings, tp).New(ctx, openai.EmbeddingNewParams{
		Model: openai.EmbeddingModelTextEmbedding3Small, Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hi")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := NewTracedResponseService(&client.Responses, tp).New(ctx, responses.ResponseNewParams{Model: "gpt-4o",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}}); err != nil {
		t.Fatal(err)
	}

	spans := rec.Ended()
	if len(spans) != 4 {
		t.Fatalf("%d spans, want 4", len(spans))
	}
	fake.Check(t, fake.Attrs(spans[0]), map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.request.temperature": 0.2, "gen_ai.response.id": "chatcmpl-1", "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
		"gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 5, "gen_ai.usage.cache_read.input_tokens": 4,
		"gen_ai.usage.reasoning.output_tokens": 2, "gen_ai.response.finish_reasons": "[stop]",
	})
	fake.Check(t, fake.Attrs(spans[1]), map[string]any{
		"gen_ai.request.model": "gpt-4o-mini", "genaitrace.stream.chunks": 4, "gen_ai.response.id": "chatcmpl-s",
		"gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 2, "gen_ai.response.finish_reasons": "[stop]",
	})
	fake.Check(t, fake.Attrs(spans[2]), map[string]any{
		"gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-3-small",
		"gen_ai.usage.input_tokens": 3, "gen_ai.embeddings.dimension.count": 3,
	})
	fake.Check(t, fake.Attrs(spans[3]), map[string]any{
		"gen_ai.request.model": "gpt-4o", "gen_ai.response.id": "resp_1", "gen_ai.usage.input_tokens": 9, "gen_ai.usage.output_tokens": 3,
	})
}
