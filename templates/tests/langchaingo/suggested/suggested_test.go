package suggested

import (
	"context"
	"testing"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"example.com/presets/langchaingo/internal/fake"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// TestSuggestedMappingRecords calls GenerateContent through the
// suggestion's wrapper, unedited, on langchaingo's OpenAI backend: the
// token counts come from GenerationInfo, through the keys the suggestion
// guessed.
func TestSuggestedMappingRecords(t *testing.T) {
	llm, err := openai.New(openai.WithBaseURL(fake.Server(t).URL+"/v1"), openai.WithToken("sk-test"), openai.WithModel("gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder()
	model := NewTracedModel(llm, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	if _, err := model.GenerateContent(context.Background(), []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "hi")},
		llms.WithModel("gpt-4o-mini"), llms.WithTemperature(0.2), llms.WithMaxTokens(64)); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	fake.Check(t, fake.Attrs(spans[0]), map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "langchaingo", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.request.temperature": 0.2, "gen_ai.request.max_tokens": 64, "gen_ai.usage.input_tokens": 12,
		"gen_ai.usage.output_tokens": 5, "gen_ai.response.finish_reasons": "[stop]",
	})
}
