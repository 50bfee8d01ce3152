// Package fake serves OpenAI's wire format on loopback, as go-openai
// reads it, for the preset's tests and the suggested mapping's.
package fake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Models the fake answers differently.
const (
	Tools   = "gpt-4o-tools"  // answers with a tool call
	Broken  = "gpt-4o-broken" // drops the connection mid-stream
	Missing = "gpt-missing"   // 404 model_not_found
	Limited = "gpt-limited"   // 429 with a body that is not OpenAI's error JSON
	Failing = "gpt-failing"   // an error event in the middle of the stream
)

// Server speaks OpenAI's chat completions (JSON, and SSE with the first
// chunk delayed), embeddings and the model list under /v1, and its error
// bodies.
func Server(t *testing.T, firstChunkDelay time.Duration) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model  string `json:"model"`
			Stream bool   `json:"stream"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		switch req.Model {
		case Missing:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error":{"message":"The model %s does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}`, req.Model)
			return
		case Limited:
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, "rate limited")
			return
		}
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			message, finish := `{"role":"assistant","content":"Hello!"}`, "stop"
			if req.Model == Tools {
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
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}`)
		if req.Model == Failing {
			chunk(`{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`)
			return
		}
		if req.Model == Broken {
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
			return
		}
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}`)
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`)
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":1}}}`)
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
	mux.HandleFunc("POST /v1/embeddings", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":3,"total_tokens":3}}`)
	})
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[{"id":"gpt-4o","object":"model","created":1,"owned_by":"openai"}]}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
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
