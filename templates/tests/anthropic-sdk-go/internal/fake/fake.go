// Package fake serves the SDK's wire format on loopback for the preset's
// tests and the suggested mapping's.
package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Model is the model the fake answers as.
const Model = "claude-sonnet-5-5-20260101"

// Unknown is a model the fake answers with Anthropic's 404 not_found_error.
const Unknown = "claude-unknown"

// Server speaks Anthropic's Messages API: JSON, and SSE events with the
// first one delayed; max_tokens 1 cuts the stream mid-way, max_tokens 2
// sends an overloaded_error event after the first.
func Server(t *testing.T, delay time.Duration) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/messages", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model     string `json:"model"`
			Stream    bool   `json:"stream"`
			MaxTokens int64  `json:"max_tokens"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		if req.Model == Unknown {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Request-Id", "req_404")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"type":"error","error":{"type":"not_found_error","message":"model: %s"},"request_id":"req_404"}`, req.Model)
			return
		}
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"msg_1","type":"message","role":"assistant","model":%q,"content":[{"type":"text","text":"Hello!"}],
				"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":90,"cache_creation_input_tokens":5}}`, Model)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		f := w.(http.Flusher)
		time.Sleep(delay)
		event := func(name, data string) { fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data); f.Flush() }
		event("message_start", fmt.Sprintf(`{"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","model":%q,"content":[],"stop_reason":null,"usage":{"input_tokens":10,"cache_read_input_tokens":90,"cache_creation_input_tokens":5,"output_tokens":1}}}`, Model))
		event("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)
		if req.MaxTokens == 2 { // the API fails mid-stream, in an error event
			event("error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
			return
		}
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
		if v, ok := a[k]; !ok || fmt.Sprint(v.AsInterface()) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", k, v.AsInterface(), w)
		}
	}
}
