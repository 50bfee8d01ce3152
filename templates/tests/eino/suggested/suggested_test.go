package suggested

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/schema"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"example.com/presets/eino/internal/fake"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// TestSuggestedMappingRecords calls Generate and Stream through the
// suggestion's wrapper, unedited, on eino-ext's OpenAI model over
// OpenAI's wire format.
func TestSuggestedMappingRecords(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	m := NewTracedToolCallingChatModel(fake.ChatModel(t, 0), genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	ctx := context.Background()
	input := []*schema.Message{schema.UserMessage("hi")}
	if _, err := m.Generate(ctx, input, model.WithModel("gpt-4o-mini")); err != nil {
		t.Fatal(err)
	}
	sr, err := m.Stream(ctx, input, model.WithModel("gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = sr.Recv()
	}
	sr.Close()
	if !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(rec.Ended()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // the stream's span ends in its copying goroutine
	}
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	fake.Check(t, fake.Attrs(spans[0]), map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 5, "gen_ai.usage.cache_read.input_tokens": 4,
		"gen_ai.usage.reasoning.output_tokens": 2, "gen_ai.response.finish_reasons": "[stop]",
	})
	fake.Check(t, fake.Attrs(spans[1]), map[string]any{
		"gen_ai.request.model": "gpt-4o-mini", "gen_ai.request.stream": true,
		"gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 2, "gen_ai.response.finish_reasons": "[stop]",
	})
}
