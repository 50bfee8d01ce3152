// Package fake serves the SDK's wire format on loopback for the preset's
// tests and the suggested mapping's.
package fake

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Server speaks OpenAI's chat completions and Anthropic's messages, the
// two backends the tests drive through langchaingo; a request whose text
// says "fail" gets a 500, one that says "hurry" OpenAI's 429 (the error
// body of https://platform.openai.com/docs/guides/error-codes).
func Server(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	failing := func(w http.ResponseWriter, r *http.Request) bool {
		body, _ := io.ReadAll(r.Body)
		switch {
		case strings.Contains(string(body), "fail"):
			http.Error(w, `{"error":{"message":"upstream broke","type":"server_error"}}`, http.StatusInternalServerError)
			return true
		case strings.Contains(string(body), "hurry"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"error":{"message":"Rate limit reached for gpt-4o-mini","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)
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
