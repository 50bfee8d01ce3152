// Package fake serves OpenAI's chat completions on loopback, as eino-ext's
// OpenAI chat model reads them, and builds that model, for the preset's
// tests and the suggested mapping's.
package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	einoopenai "github.com/cloudwego/eino-ext/components/model/openai"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Models the fake answers differently.
const (
	Model      = "gpt-4o"            // the model the client is built with
	Broken     = "gpt-4o-broken"     // drops the connection mid-stream
	Limited    = "gpt-4o-limited"    // 429, with OpenAI's error body
	Gateway    = "gpt-4o-gateway"    // 502, with a proxy's HTML page
	Overloaded = "gpt-4o-overloaded" // a stream's error event after its first chunk, with HTTP 200
)

// Server speaks OpenAI's chat completions under /v1: JSON, and SSE with
// the first chunk delayed and usage in a last chunk (eino-ext asks for it
// with stream_options.include_usage). A request that offers tools and has
// no tool result yet is answered with a call of get_weather; one that
// carries the tool's result, with the weather.
func Server(t *testing.T, firstChunkDelay time.Duration) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model    string            `json:"model"`
			Stream   bool              `json:"stream"`
			Tools    []json.RawMessage `json:"tools"`
			Messages []struct {
				Role string `json:"role"`
			} `json:"messages"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		switch req.Model {
		case Limited:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)
			return
		case Gateway:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html><body>502 Bad Gateway</body></html>")
			return
		}
		toolCall := len(req.Tools) > 0 && req.Messages[len(req.Messages)-1].Role != "tool"
		text := "Hello!"
		if len(req.Tools) > 0 && !toolCall {
			text = "Sunny in Paris."
		}
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			message, finish := fmt.Sprintf(`{"role":"assistant","content":%q}`, text), "stop"
			if toolCall {
				message, finish = `{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}`, "tool_calls"
			}
			fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":%q,
				"choices":[{"index":0,"message":%s,"finish_reason":%q}],
				"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,
				  "prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":2}}}`, req.Model+"-2024-08-06", message, finish)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		flusher := w.(http.Flusher)
		time.Sleep(firstChunkDelay)
		chunk := func(s string) { fmt.Fprintf(w, "data: %s\n\n", s); flusher.Flush() }
		head := `{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06",`
		if toolCall {
			chunk(head + `"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}`)
			chunk(head + `"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":null}]}`)
			chunk(head + `"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`)
		} else {
			chunk(head + fmt.Sprintf(`"choices":[{"index":0,"delta":{"role":"assistant","content":%q},"finish_reason":null}]}`, text[:3]))
			switch req.Model {
			case Broken:
				conn, _, _ := w.(http.Hijacker).Hijack()
				_ = conn.Close()
				return
			case Overloaded:
				chunk(`{"error":{"message":"The server had an error while processing your request","type":"server_error","param":null,"code":null}}`)
				return
			}
			chunk(head + fmt.Sprintf(`"choices":[{"index":0,"delta":{"content":%q},"finish_reason":null}]}`, text[3:]))
			chunk(head + `"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`)
		}
		chunk(head + `"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":1}}}`)
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// ChatModel is eino-ext's OpenAI chat model, talking to a Server.
func ChatModel(t *testing.T, firstChunkDelay time.Duration) *einoopenai.ChatModel {
	t.Helper()
	m, err := einoopenai.NewChatModel(context.Background(), &einoopenai.ChatModelConfig{
		APIKey: "sk-test", BaseURL: Server(t, firstChunkDelay).URL + "/v1", Model: Model})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Attrs is a span's attributes by key.
func Attrs(s sdktrace.ReadOnlySpan) map[string]attribute.Value {
	m := map[string]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

// Check reports each wanted attribute that is missing or differs.
func Check(t *testing.T, a map[string]attribute.Value, want map[string]any) {
	t.Helper()
	for k, w := range want {
		v, ok := a[k]
		if !ok {
			t.Errorf("missing %s (want %v)", k, w)
			continue
		}
		if got := v.AsInterface(); fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", k, got, w)
		}
	}
}
