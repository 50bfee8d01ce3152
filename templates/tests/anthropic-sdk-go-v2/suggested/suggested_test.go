package suggested

import (
	"context"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"example.com/presets/anthropicsdkgov2/internal/fake"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// TestSuggestedMappingRecords calls the message service through the
// suggestion's wrapper, unedited, over Anthropic's wire format.
func TestSuggestedMappingRecords(t *testing.T) {
	client := anthropic.NewClient(option.WithBaseURL(fake.Server(t, 0).URL), option.WithAPIKey("sk-ant-test"),
		option.WithMaxRetries(0), option.WithoutOpenTelemetry())
	rec := tracetest.NewSpanRecorder()
	msgs := NewTracedMessageService(&client.Messages, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	params := anthropic.MessageNewParams{Model: anthropic.ModelClaudeSonnet5_5, MaxTokens: 256,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))}}
	ctx := context.Background()
	if _, err := msgs.New(ctx, params); err != nil {
		t.Fatal(err)
	}
	stream := msgs.NewStreaming(ctx, params)
	for stream.Next() {
	}
	if err := stream.Close(); err != nil || stream.Err() != nil {
		t.Fatal(err, stream.Err())
	}
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	fake.Check(t, fake.Attrs(spans[0]), map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-5-5",
		"gen_ai.request.max_tokens": 256, "gen_ai.response.id": "msg_1",
		"gen_ai.response.model": fake.Model, "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5,
		"gen_ai.usage.cache_read.input_tokens": 90, "gen_ai.usage.cache_creation.input_tokens": 5,
		"gen_ai.response.finish_reasons": "[end_turn]",
	})
	fake.Check(t, fake.Attrs(spans[1]), map[string]any{
		"gen_ai.request.model": "claude-sonnet-5-5", "gen_ai.response.id": "msg_s", "gen_ai.response.model": fake.Model,
		"gen_ai.usage.input_tokens": 10, "gen_ai.usage.cache_read.input_tokens": 90, "gen_ai.usage.output_tokens": 12,
		"gen_ai.response.finish_reasons": "[end_turn]",
	})
}
