package ollama

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"example.com/presets/ollama/internal/fake"
	"github.com/ollama/ollama/api"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

func setup(t *testing.T, delay time.Duration) (*TracedOllamaClient, *tracetest.SpanRecorder) {
	u, err := url.Parse(fake.Server(t, delay).URL)
	if err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	return NewTracedOllamaClient(api.NewClient(u, http.DefaultClient), genai.WithTracerProvider(tp)), rec
}

func chat(c *TracedOllamaClient, prompt string, fn api.ChatResponseFunc) error {
	return c.Chat(context.Background(), &api.ChatRequest{Model: fake.Model,
		Messages: []api.Message{{Role: "user", Content: prompt}}}, fn)
}

func TestChatStream(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	const delay = 60 * time.Millisecond
	c, rec := setup(t, delay)
	var text string
	if err := chat(c, "hi", func(r api.ChatResponse) error { text += r.Message.Content; return nil }); err != nil || text != "Hello" {
		t.Fatalf("Chat: %q %v", text, err)
	}
	s := rec.Ended()[0]
	if s.Name() != "chat "+fake.Model {
		t.Errorf("span name %q", s.Name())
	}
	a := fake.Attrs(s)
	fake.Check(t, a, map[string]any{
		"gen_ai.provider.name": "ollama", "gen_ai.operation.name": "chat", "gen_ai.request.model": fake.Model,
		"gen_ai.response.model": fake.Model, "gen_ai.request.stream": true, "genaitrace.stream.chunks": 2,
		"gen_ai.usage.input_tokens": 26, "gen_ai.usage.output_tokens": 7, "gen_ai.response.finish_reasons": "[stop]",
		"gen_ai.input.messages":  `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Hello"}],"finish_reason":"stop"}]`,
	})
	if ttfc := a["gen_ai.response.time_to_first_chunk"].AsFloat64(); ttfc < delay.Seconds() {
		t.Errorf("time to first chunk %.3fs; the server waited %v", ttfc, delay)
	}
}

func TestChatStreamEndsEarly(t *testing.T) {
	c, rec := setup(t, 0)
	stop := errors.New("caller stopped")
	if err := chat(c, "hi", func(api.ChatResponse) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("Chat returned %v, want the callback's error", err)
	}
	if err := chat(c, "fail", func(api.ChatResponse) error { return nil }); err == nil {
		t.Fatal("Chat: the server's mid-stream error was lost")
	}
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	for i, s := range spans {
		if s.Status().Code != codes.Error || fake.Attrs(s)["genaitrace.stream.chunks"].AsInt64() != 1 {
			t.Errorf("span %d: status %v, chunks %v; want error after 1 chunk", i, s.Status(), fake.Attrs(s)["genaitrace.stream.chunks"])
		}
	}
	if _, done := fake.Attrs(spans[1])["gen_ai.usage.output_tokens"]; done {
		t.Error("a broken stream reported the counts only the final chunk carries")
	}
}

func TestGenerate(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	c, rec := setup(t, 0)
	err := c.Generate(context.Background(), &api.GenerateRequest{Model: fake.Model, Prompt: "hi", System: "be brief"},
		func(api.GenerateResponse) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	fake.Check(t, fake.Attrs(rec.Ended()[0]), map[string]any{
		"gen_ai.operation.name": "text_completion", "gen_ai.usage.input_tokens": 11, "gen_ai.usage.output_tokens": 3,
		"gen_ai.response.finish_reasons": "[length]", "genaitrace.stream.chunks": 2,
		"gen_ai.system_instructions": `[{"type":"text","content":"be brief"}]`,
		"gen_ai.input.messages":      `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.output.messages":     `[{"role":"assistant","parts":[{"type":"text","content":"Hi"}],"finish_reason":"length"}]`,
	})
}

func TestEmbed(t *testing.T) {
	c, rec := setup(t, 0)
	if _, err := c.Embed(context.Background(), &api.EmbedRequest{Model: "all-minilm", Input: "hi"}); err != nil {
		t.Fatal(err)
	}
	s := rec.Ended()[0]
	if s.Name() != "embeddings all-minilm" {
		t.Errorf("span name %q", s.Name())
	}
	fake.Check(t, fake.Attrs(s), map[string]any{
		"gen_ai.operation.name": "embeddings", "gen_ai.response.model": "all-minilm",
		"gen_ai.usage.input_tokens": 3, "gen_ai.embeddings.dimension.count": 4,
	})
}

// Methods the preset does not map are still wrapped and traced.
func TestUnmappedMethod(t *testing.T) {
	c, rec := setup(t, 0)
	_, _ = c.Version(context.Background())
	if s := rec.Ended()[0]; s.Name() != "OllamaClient.Version" {
		t.Errorf("span name %q", s.Name())
	}
}

func TestModelNotPulled(t *testing.T) {
	c, rec := setup(t, 0)
	err := c.Chat(context.Background(), &api.ChatRequest{Model: fake.Missing, Messages: []api.Message{{Role: "user", Content: "hi"}}},
		func(api.ChatResponse) error { return nil })
	var status api.StatusError
	if !errors.As(err, &status) || status.StatusCode != http.StatusNotFound {
		t.Fatalf("Chat: %v, want the server's 404", err)
	}
	if s := rec.Ended()[0]; s.Status().Code != codes.Error || fake.Attrs(s)["error.type"].AsString() != "404" {
		t.Errorf("status %v, error.type %v, want 404", s.Status(), fake.Attrs(s)["error.type"].AsInterface())
	}
}
