// Package fake serves the SDK's wire format on loopback for the preset's
// tests and the suggested mapping's.
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
	Missing = "gpt-missing"  // OpenAI's 404 model_not_found
	Tools   = "gpt-4o-tools" // a call of get_weather (chat: tool_calls; responses: a function_call item)
)

// Server speaks OpenAI's wire format: chat completions (JSON, and SSE
// with the first chunk delayed), embeddings and responses.
func Server(t *testing.T, firstChunkDelay time.Duration) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model  string `json:"model"`
			Stream bool   `json:"stream"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		if req.Model == Missing {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error":{"message":"The model %s does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}`, req.Model)
			return
		}
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			message, finish := `{"role":"assistant","content":"Hello!"}`, "stop"
			if req.Model == Tools {
				message, finish = `{"role":"assistant","content":null,"refusal":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}`, "tool_calls"
			}
			fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":%q,
				"choices":[{"index":0,"message":%s,"finish_reason":%q}],
				"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,
				  "prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":2}}}`, req.Model+"-2024-07-18", message, finish)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		flusher := w.(http.Flusher)
		time.Sleep(firstChunkDelay)
		chunk := func(s string) { fmt.Fprintf(w, "data: %s\n\n", s); flusher.Flush() }
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}`)
		if req.Model == "broken" {
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			_ = conn.Close() // the connection drops mid-stream
			return
		}
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}`)
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`)
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":0}}}`)
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
	mux.HandleFunc("POST /embeddings", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":3,"total_tokens":3}}`)
	})
	mux.HandleFunc("POST /responses", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model  string `json:"model"`
			Stream bool   `json:"stream"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		if req.Stream {
			w.Header().Set("Content-Type", "text/event-stream")
			flusher := w.(http.Flusher)
			time.Sleep(firstChunkDelay)
			event := func(name, data string) { fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data); flusher.Flush() }
			event("response.created", `{"type":"response.created","sequence_number":0,"response":{"id":"resp_s","object":"response","created_at":1,"model":"gpt-4o-2024-08-06","status":"in_progress","output":[]}}`)
			event("response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"hi there"}`)
			event("response.completed", `{"type":"response.completed","sequence_number":2,"response":{"id":"resp_s","object":"response","created_at":1,"model":"gpt-4o-2024-08-06","status":"completed","output":[{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"hi there","annotations":[]}]}],"usage":{"input_tokens":9,"output_tokens":3,"total_tokens":12,"input_tokens_details":{"cached_tokens":2},"output_tokens_details":{"reasoning_tokens":1}}}}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if req.Model == Tools {
			io.WriteString(w, `{"id":"resp_t","object":"response","created_at":1,"model":"gpt-4o-2024-08-06","status":"completed",
				"output":[{"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}],
				"usage":{"input_tokens":20,"output_tokens":8,"total_tokens":28,"input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}}}`)
			return
		}
		if req.Model == "gpt-4o-short" {
			io.WriteString(w, `{"id":"resp_i","object":"response","created_at":1,"model":"gpt-4o-2024-08-06","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},
				"output":[{"type":"message","id":"msg_1","role":"assistant","status":"incomplete","content":[{"type":"output_text","text":"hi th","annotations":[]}]}],
				"usage":{"input_tokens":9,"output_tokens":2,"total_tokens":11,"input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}}}`)
			return
		}
		io.WriteString(w, `{"id":"resp_1","object":"response","created_at":1,"model":"gpt-4o-2024-08-06","status":"completed",
			"output":[{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"hi there","annotations":[]}]}],
			"usage":{"input_tokens":9,"output_tokens":3,"total_tokens":12,"input_tokens_details":{"cached_tokens":2},"output_tokens_details":{"reasoning_tokens":1}}}`)
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
