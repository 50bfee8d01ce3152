package langchaingo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"example.com/presets/langchaingo/internal/fake"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/openai"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

func recorder() (*tracetest.SpanRecorder, genai.Option) {
	rec := tracetest.NewSpanRecorder()
	return rec, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
}

func openAIModel(t *testing.T, opt genai.Option) *TracedLangchainModel {
	llm, err := openai.New(openai.WithBaseURL(fake.Server(t).URL+"/v1"), openai.WithToken("sk-test"), openai.WithModel("gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	return NewTracedLangchainModel(llm, opt)
}

func TestGenerateContentOpenAI(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	rec, opt := recorder()
	model := openAIModel(t, opt)
	resp, err := model.GenerateContent(context.Background(), []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, "Be brief."),
		llms.TextParts(llms.ChatMessageTypeHuman, "hi"),
	}, llms.WithModel("gpt-4o-mini"), llms.WithTemperature(0.2), llms.WithMaxTokens(64))
	if err != nil || resp.Choices[0].Content != "Hello!" {
		t.Fatalf("GenerateContent: %v", err)
	}
	s := rec.Ended()[0]
	if s.Name() != "chat gpt-4o-mini" {
		t.Errorf("span name %q", s.Name())
	}
	a := fake.Attrs(s)
	fake.Check(t, a, map[string]any{
		"gen_ai.provider.name": "openai", "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.request.temperature": 0.2, "gen_ai.request.max_tokens": 64,
		"gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 5, "gen_ai.usage.cache_read.input_tokens": 4,
		"gen_ai.usage.reasoning.output_tokens": 2, "gen_ai.response.finish_reasons": "[stop]",
		"gen_ai.input.messages":  `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"stop"}]`,
	})
	for _, unset := range []string{"gen_ai.request.top_p", "gen_ai.request.seed", "gen_ai.request.stop_sequences"} {
		if _, ok := a[unset]; ok {
			t.Errorf("%s recorded though no option set it", unset)
		}
	}
}

func TestGenerateContentAnthropic(t *testing.T) {
	rec, opt := recorder()
	llm, err := anthropic.New(anthropic.WithBaseURL(fake.Server(t).URL+"/v1"), anthropic.WithToken("sk-ant-test"), anthropic.WithModel("claude-sonnet-5-5"))
	if err != nil {
		t.Fatal(err)
	}
	model := NewTracedLangchainModel(llm, opt)
	if _, err := model.GenerateContent(context.Background(), []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "hi")},
		llms.WithModel("claude-sonnet-5-5"), llms.WithMaxTokens(100)); err != nil {
		t.Fatal(err)
	}
	// Anthropic's keys: InputTokens (without the cached ones), CacheReadInputTokens.
	fake.Check(t, fake.Attrs(rec.Ended()[0]), map[string]any{
		"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 3, "gen_ai.usage.cache_read.input_tokens": 90,
		"gen_ai.usage.cache_creation.input_tokens": 5, "gen_ai.response.finish_reasons": "[end_turn]",
	})
}

func TestCallAndFailure(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	rec, opt := recorder()
	model := openAIModel(t, opt)
	if out, err := model.Call(context.Background(), "hi", llms.WithModel("gpt-4o-mini")); err != nil || out != "Hello!" {
		t.Fatalf("Call: %q %v", out, err)
	}
	if _, err := model.GenerateContent(context.Background(), []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "fail")}); err == nil {
		t.Fatal("GenerateContent: the server's 500 was lost")
	}
	spans := rec.Ended()
	// Call is built on GenerateContent of the same (unwrapped) model: one span.
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	fake.Check(t, fake.Attrs(spans[0]), map[string]any{
		"gen_ai.operation.name": "text_completion", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.input.messages":  `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}]}]`,
	})
	if failed := spans[1]; failed.Status().Code != codes.Error || failed.Name() != "chat" {
		t.Errorf("failed call: %q %v", failed.Name(), failed.Status())
	}
}

// mapped is a model whose errors go through langchaingo's own mapper for
// OpenAI (openai.MapError, llms/openai/errors.go in v0.1.14), as an
// application that standardizes its errors wraps its model: they become
// *llms.Error with a standardized code.
type mapped struct{ llms.Model }

func (m mapped) GenerateContent(ctx context.Context, messages []llms.MessageContent, options ...llms.CallOption) (*llms.ContentResponse, error) {
	r, err := m.Model.GenerateContent(ctx, messages, options...)
	return r, openai.MapError(err)
}

// TestErrorType: what langchaingo v0.1.14's errors let a span say. Its
// OpenAI client returns an untyped error with the status in its text
// (llms/openai/internal/openaiclient/chat.go: "API returned unexpected
// status code: %d: %s"), and replaces a canceled context by a plain error
// (openaiclient.go, sanitizeHTTPError): both record _OTHER. An *llms.Error,
// which the backends' MapError functions make, records its code.
func TestErrorType(t *testing.T) {
	rec, opt := recorder()
	llm, err := openai.New(openai.WithBaseURL(fake.Server(t).URL+"/v1"), openai.WithToken("sk-test"), openai.WithModel("gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	hurry := []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "hurry")}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name  string
		model llms.Model
		ctx   context.Context
		text  string // in the SDK's error
		want  string
	}{
		{"429", llm, context.Background(), "status code: 429", "_OTHER"},
		{"canceled", llm, canceled, "request cancelled", "_OTHER"},
		{"429 through openai.MapError", mapped{llm}, context.Background(), "rate_limit", "rate_limit"},
	} {
		_, err := NewTracedLangchainModel(tc.model, opt).GenerateContent(tc.ctx, hurry)
		if err == nil || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.text)
		}
		if tc.want == "_OTHER" && errors.Is(err, context.Canceled) {
			t.Errorf("%s: langchaingo now keeps context.Canceled; error.type is canceled: update the preset's header", tc.name)
		}
		spans := rec.Ended()
		s := spans[len(spans)-1]
		if got := fake.Attrs(s)["error.type"].AsString(); s.Status().Code != codes.Error || got != tc.want {
			t.Errorf("%s: status %v, error.type %q, want %q", tc.name, s.Status(), got, tc.want)
		}
	}
}
