package langchaingo

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/openai"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// server speaks OpenAI's chat completions and Anthropic's messages, the
// two backends the tests drive through langchaingo; a request whose text
// says "fail" gets a 500.
func server(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	failing := func(w http.ResponseWriter, r *http.Request) bool {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), "fail") {
			http.Error(w, `{"error":{"message":"upstream broke","type":"server_error"}}`, http.StatusInternalServerError)
			return true
		}
		return false
	}
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		if failing(w, r) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini-2024-07-18",
			"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],
			"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":2}}}`)
	})
	mux.HandleFunc("POST /v1/messages", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-5-5","content":[{"type":"text","text":"Hi!"}],
			"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":3,"cache_read_input_tokens":90,"cache_creation_input_tokens":5}}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func recorder() (*tracetest.SpanRecorder, genai.Option) {
	rec := tracetest.NewSpanRecorder()
	return rec, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
}

func attrs(s sdktrace.ReadOnlySpan) map[string]attribute.Value {
	m := map[string]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

func check(t *testing.T, a map[string]attribute.Value, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if v, ok := a[k]; !ok || fmt.Sprint(v.AsInterface()) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", k, v.AsInterface(), w)
		}
	}
}

func openAIModel(t *testing.T, opt genai.Option) *TracedLangchainModel {
	llm, err := openai.New(openai.WithBaseURL(server(t).URL+"/v1"), openai.WithToken("sk-test"), openai.WithModel("gpt-4o-mini"))
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
	a := attrs(s)
	check(t, a, map[string]any{
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
	llm, err := anthropic.New(anthropic.WithBaseURL(server(t).URL+"/v1"), anthropic.WithToken("sk-ant-test"), anthropic.WithModel("claude-sonnet-5-5"))
	if err != nil {
		t.Fatal(err)
	}
	model := NewTracedLangchainModel(llm, opt)
	if _, err := model.GenerateContent(context.Background(), []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "hi")},
		llms.WithModel("claude-sonnet-5-5"), llms.WithMaxTokens(100)); err != nil {
		t.Fatal(err)
	}
	// Anthropic's keys: InputTokens (without the cached ones), CacheReadInputTokens.
	check(t, attrs(rec.Ended()[0]), map[string]any{
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
	check(t, attrs(spans[0]), map[string]any{
		"gen_ai.operation.name": "text_completion", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.input.messages":  `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}]}]`,
	})
	if failed := spans[1]; failed.Status().Code != codes.Error || failed.Name() != "chat" {
		t.Errorf("failed call: %q %v", failed.Name(), failed.Status())
	}
}
