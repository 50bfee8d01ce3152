package suggested

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/genai"

	"example.com/presets/googlegenai/internal/fake"
	gt "github.com/genaitrace/genaitrace/runtime/genai"
)

// TestSuggestedMappingRecords calls the models service through the
// suggestion's wrapper, unedited, over the Gemini API's wire format.
func TestSuggestedMappingRecords(t *testing.T) {
	client, err := genai.NewClient(context.Background(), &genai.ClientConfig{APIKey: "test-key", Backend: genai.BackendGeminiAPI,
		HTTPOptions: genai.HTTPOptions{BaseURL: fake.Server(t, 0).URL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder()
	models := NewTracedModels(client.Models, gt.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	ctx := context.Background()
	temp := float32(0.25)
	if _, err := models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("hi"), &genai.GenerateContentConfig{Temperature: &temp}); err != nil {
		t.Fatal(err)
	}
	for _, err := range models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("hi"), nil) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.EmbedContent(ctx, "text-embedding-004", genai.Text("hi"), nil); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3", len(spans))
	}
	fake.Check(t, fake.Attrs(spans[0]), map[string]any{
		"gen_ai.operation.name": "generate_content", "gen_ai.provider.name": "gcp.gemini", "gen_ai.request.model": "gemini-2.5-flash",
		"gen_ai.request.temperature": 0.25, "gen_ai.response.id": "resp-1", "gen_ai.response.model": "gemini-2.5-flash-001",
		"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5, "gen_ai.usage.reasoning.output_tokens": 3,
		"gen_ai.usage.cache_read.input_tokens": 4, "gen_ai.response.finish_reasons": "[STOP]",
	})
	fake.Check(t, fake.Attrs(spans[1]), map[string]any{
		"gen_ai.request.model": "gemini-2.5-flash", "gen_ai.response.id": "resp-s", "gen_ai.usage.input_tokens": 10,
		"gen_ai.usage.output_tokens": 2, "gen_ai.response.finish_reasons": "[STOP]",
	})
	fake.Check(t, fake.Attrs(spans[2]), map[string]any{
		"gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-004", "gen_ai.embeddings.dimension.count": 4,
		"gen_ai.usage.input_tokens": 2,
	})
}
