package anthropicsdkgo

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"example.com/presets/anthropicsdkgo/internal/fake"
	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

func setup(t *testing.T, delay time.Duration) (*TracedAnthropicMessages, *tracetest.SpanRecorder) {
	client := anthropic.NewClient(option.WithBaseURL(fake.Server(t, delay).URL), option.WithAPIKey("sk-ant-test"), option.WithMaxRetries(0))
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	return NewTracedAnthropicMessages(&client.Messages, genai.WithTracerProvider(tp)), rec
}

func params(maxTokens int64) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{Model: anthropic.ModelClaudeSonnet5_5, MaxTokens: maxTokens, Temperature: anthropic.Float(0.5),
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
		System:   []anthropic.TextBlockParam{{Text: "Be brief."}}}
}

func TestMessage(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	msgs, rec := setup(t, 0)
	m, err := msgs.New(context.Background(), params(256))
	if err != nil || m.Content[0].Text != "Hello!" {
		t.Fatalf("New: %v", err)
	}
	s := rec.Ended()[0]
	if s.Name() != "chat claude-sonnet-5-5" {
		t.Errorf("span name %q", s.Name())
	}
	fake.Check(t, fake.Attrs(s), map[string]any{
		"gen_ai.provider.name": "anthropic", "gen_ai.request.max_tokens": 256, "gen_ai.request.temperature": 0.5,
		"gen_ai.response.id": "msg_1", "gen_ai.response.model": fake.Model,
		"gen_ai.usage.input_tokens": 105, "gen_ai.usage.output_tokens": 5, "gen_ai.usage.cache_read.input_tokens": 90,
		"gen_ai.usage.cache_creation.input_tokens": 5, "gen_ai.response.finish_reasons": "[end_turn]",
		"gen_ai.output.messages":     `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"end_turn"}]`,
		"gen_ai.input.messages":      `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.system_instructions": `[{"type":"text","content":"Be brief."}]`,
	})
}

func TestMessageStreaming(t *testing.T) {
	const delay = 60 * time.Millisecond
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	msgs, rec := setup(t, delay)
	stream := msgs.NewStreaming(context.Background(), params(256))
	var text string
	for stream.Next() {
		if ev := stream.Current(); ev.Type == "content_block_delta" {
			text += ev.Delta.Text
		}
	}
	if err := stream.Err(); err != nil || text != "Hello" {
		t.Fatalf("stream: %q %v", text, err)
	}
	a := fake.Attrs(rec.Ended()[0])
	fake.Check(t, a, map[string]any{
		"gen_ai.request.stream": true, "genaitrace.stream.chunks": 6, "gen_ai.response.id": "msg_s", "gen_ai.response.model": fake.Model,
		"gen_ai.usage.input_tokens": 105, "gen_ai.usage.cache_read.input_tokens": 90, "gen_ai.usage.output_tokens": 12,
		"gen_ai.response.finish_reasons": "[end_turn]",
		"gen_ai.output.messages":         `[{"role":"assistant","parts":[{"type":"text","content":"Hello"}],"finish_reason":"end_turn"}]`,
	})
	if ttfc := a["gen_ai.response.time_to_first_chunk"].AsFloat64(); ttfc < delay.Seconds() {
		t.Errorf("time to first chunk %.3fs; the server waited %v", ttfc, delay)
	}

	stream = msgs.NewStreaming(context.Background(), params(256))
	stream.Next()
	_ = stream.Close()
	stream = msgs.NewStreaming(context.Background(), params(1))
	for stream.Next() {
	}
	spans := rec.Ended()
	if len(spans) != 3 || fake.Attrs(spans[1])["genaitrace.stream.chunks"].AsInt64() != 1 || spans[2].Status().Code != codes.Error {
		t.Errorf("early close / broken stream: %d spans", len(spans))
	}
}

func TestAPIError(t *testing.T) {
	msgs, rec := setup(t, 0)
	p := params(256)
	p.Model = fake.Unknown
	_, err := msgs.New(context.Background(), p)
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Fatalf("New: %v, want the API's 404", err)
	}
	// An error event inside a stream comes with the stream's HTTP status,
	// 200: Anthropic's error type is what tells it apart.
	stream := msgs.NewStreaming(context.Background(), params(2))
	for stream.Next() {
	}
	if !errors.As(stream.Err(), &apiErr) || apiErr.Type() != "overloaded_error" {
		t.Fatalf("stream: %v, want an overloaded_error", stream.Err())
	}
	spans := rec.Ended()
	if spans[0].Status().Code != codes.Error || fake.Attrs(spans[0])["error.type"].AsString() != "not_found_error" {
		t.Errorf("New: status %v, error.type %v, want not_found_error", spans[0].Status(), fake.Attrs(spans[0])["error.type"].AsInterface())
	}
	if spans[1].Status().Code != codes.Error || fake.Attrs(spans[1])["error.type"].AsString() != "overloaded_error" {
		t.Errorf("stream: status %v, error.type %v, want overloaded_error", spans[1].Status(), fake.Attrs(spans[1])["error.type"].AsInterface())
	}
}
