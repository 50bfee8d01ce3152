package suggested

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/ollama/ollama/api"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"example.com/presets/ollama/internal/fake"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// TestSuggestedMappingRecords calls Chat, Generate and Embed through the
// suggestion's wrapper, unedited, over Ollama's API.
func TestSuggestedMappingRecords(t *testing.T) {
	u, err := url.Parse(fake.Server(t, 0).URL)
	if err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder()
	c := NewTracedClient(api.NewClient(u, http.DefaultClient), genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	ctx := context.Background()
	ignore := func(api.ChatResponse) error { return nil }
	if err := c.Chat(ctx, &api.ChatRequest{Model: fake.Model, Messages: []api.Message{{Role: "user", Content: "hi"}}}, ignore); err != nil {
		t.Fatal(err)
	}
	if err := c.Generate(ctx, &api.GenerateRequest{Model: fake.Model, Prompt: "hi"}, func(api.GenerateResponse) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Embed(ctx, &api.EmbedRequest{Model: "all-minilm", Input: "hi"}); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3", len(spans))
	}
	fake.Check(t, fake.Attrs(spans[0]), map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "ollama", "gen_ai.request.model": fake.Model,
		"gen_ai.response.model": fake.Model, "genaitrace.stream.chunks": 2, "gen_ai.usage.input_tokens": 26,
		"gen_ai.usage.output_tokens": 7, "gen_ai.response.finish_reasons": "[stop]",
	})
	fake.Check(t, fake.Attrs(spans[1]), map[string]any{
		"gen_ai.request.model": fake.Model, "gen_ai.usage.input_tokens": 11, "gen_ai.usage.output_tokens": 3,
		"gen_ai.response.finish_reasons": "[length]",
	})
	fake.Check(t, fake.Attrs(spans[2]), map[string]any{
		"gen_ai.operation.name": "embeddings", "gen_ai.request.model": "all-minilm", "gen_ai.usage.input_tokens": 3,
		"gen_ai.embeddings.dimension.count": 4,
	})
}
