package anthropicsdkgo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

const model = "claude-sonnet-5-5-20260101"

// server speaks Anthropic's Messages API: JSON, and SSE events with the
// first one delayed; max_tokens 1 cuts the stream mid-way.
func server(t *testing.T, delay time.Duration) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Stream    bool  `json:"stream"`
			MaxTokens int64 `json:"max_tokens"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"msg_1","type":"message","role":"assistant","model":%q,"content":[{"type":"text","text":"Hello!"}],
				"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":90,"cache_creation_input_tokens":5}}`, model)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		f := w.(http.Flusher)
		time.Sleep(delay)
		event := func(name, data string) { fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data); f.Flush() }
		event("message_start", fmt.Sprintf(`{"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","model":%q,"content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_read_input_tokens":90,"cache_creation_input_tokens":5,"output_tokens":1}}}`, model))
		event("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)
		if req.MaxTokens == 1 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
			return
		}
		event("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`)
		event("content_block_stop", `{"type":"content_block_stop","index":0}`)
		event("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":12}}`)
		event("message_stop", `{"type":"message_stop"}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func setup(t *testing.T, delay time.Duration) (*TracedAnthropicMessages, *tracetest.SpanRecorder) {
	client := anthropic.NewClient(option.WithBaseURL(server(t, delay).URL), option.WithAPIKey("sk-ant-test"), option.WithMaxRetries(0))
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	return NewTracedAnthropicMessages(&client.Messages, genai.WithTracerProvider(tp)), rec
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
	check(t, attrs(s), map[string]any{
		"gen_ai.provider.name": "anthropic", "gen_ai.request.max_tokens": 256, "gen_ai.request.temperature": 0.5,
		"gen_ai.response.id": "msg_1", "gen_ai.response.model": model,
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
	a := attrs(rec.Ended()[0])
	check(t, a, map[string]any{
		"gen_ai.request.stream": true, "genaitrace.stream.chunks": 6, "gen_ai.response.id": "msg_s", "gen_ai.response.model": model,
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
	if len(spans) != 3 || attrs(spans[1])["genaitrace.stream.chunks"].AsInt64() != 1 || spans[2].Status().Code != codes.Error {
		t.Errorf("early close / broken stream: %d spans", len(spans))
	}
}
