package ollama

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

const model = "llama3.3:70b"

// server speaks Ollama's API: NDJSON lines for /api/chat and
// /api/generate with the first line delayed and the counts on the final
// (done) line; the prompt "fail" gets an error line mid-stream.
func server(t *testing.T, delay time.Duration) *httptest.Server {
	mux := http.NewServeMux()
	lines := func(w http.ResponseWriter, fail bool, first, second string) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		f := w.(http.Flusher)
		time.Sleep(delay)
		fmt.Fprintln(w, first)
		f.Flush()
		if fail {
			fmt.Fprintln(w, `{"error":"model runner has unexpectedly stopped"}`)
			return
		}
		fmt.Fprintln(w, second)
	}
	mux.HandleFunc("POST /api/chat", func(w http.ResponseWriter, r *http.Request) {
		var req api.ChatRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		fail := len(req.Messages) > 0 && req.Messages[0].Content == "fail"
		lines(w, fail,
			fmt.Sprintf(`{"model":%q,"created_at":"2026-11-24T08:00:00Z","message":{"role":"assistant","content":"Hel"},"done":false}`, model),
			fmt.Sprintf(`{"model":%q,"created_at":"2026-11-24T08:00:01Z","message":{"role":"assistant","content":"lo"},"done":true,"done_reason":"stop","prompt_eval_count":26,"eval_count":7}`, model))
	})
	mux.HandleFunc("POST /api/generate", func(w http.ResponseWriter, r *http.Request) {
		lines(w, false,
			fmt.Sprintf(`{"model":%q,"response":"Hi","done":false}`, model),
			fmt.Sprintf(`{"model":%q,"response":"","done":true,"done_reason":"length","prompt_eval_count":11,"eval_count":3}`, model))
	})
	mux.HandleFunc("POST /api/embed", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"model":%q,"embeddings":[[0.1,0.2,0.3,0.4]],"prompt_eval_count":3}`, "all-minilm")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func setup(t *testing.T, delay time.Duration) (*TracedOllamaClient, *tracetest.SpanRecorder) {
	u, err := url.Parse(server(t, delay).URL)
	if err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	return NewTracedOllamaClient(api.NewClient(u, http.DefaultClient), genai.WithTracerProvider(tp)), rec
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

func chat(c *TracedOllamaClient, prompt string, fn api.ChatResponseFunc) error {
	return c.Chat(context.Background(), &api.ChatRequest{Model: model,
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
	if s.Name() != "chat "+model {
		t.Errorf("span name %q", s.Name())
	}
	a := attrs(s)
	check(t, a, map[string]any{
		"gen_ai.provider.name": "ollama", "gen_ai.operation.name": "chat", "gen_ai.request.model": model,
		"gen_ai.response.model": model, "gen_ai.request.stream": true, "genaitrace.stream.chunks": 2,
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
		if s.Status().Code != codes.Error || attrs(s)["genaitrace.stream.chunks"].AsInt64() != 1 {
			t.Errorf("span %d: status %v, chunks %v; want error after 1 chunk", i, s.Status(), attrs(s)["genaitrace.stream.chunks"])
		}
	}
	if _, done := attrs(spans[1])["gen_ai.usage.output_tokens"]; done {
		t.Error("a broken stream reported the counts only the final chunk carries")
	}
}

func TestGenerate(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	c, rec := setup(t, 0)
	err := c.Generate(context.Background(), &api.GenerateRequest{Model: model, Prompt: "hi", System: "be brief"},
		func(api.GenerateResponse) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	check(t, attrs(rec.Ended()[0]), map[string]any{
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
	check(t, attrs(s), map[string]any{
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
