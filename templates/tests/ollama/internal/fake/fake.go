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

	"github.com/ollama/ollama/api"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Model is the model the fake answers as.
const Model = "llama3.3:70b"

// Missing is a model the fake has not pulled: 404.
const Missing = "llama-missing"

// Server speaks Ollama's API: NDJSON lines for /api/chat and
// /api/generate with the first line delayed and the counts on the final
// (done) line; the prompt "fail" gets an error line mid-stream.
func Server(t *testing.T, delay time.Duration) *httptest.Server {
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
		if req.Model == Missing {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error":"model %q not found, try pulling it first"}`, req.Model)
			return
		}
		fail := len(req.Messages) > 0 && req.Messages[0].Content == "fail"
		lines(w, fail,
			fmt.Sprintf(`{"model":%q,"created_at":"2026-11-24T08:00:00Z","message":{"role":"assistant","content":"Hel"},"done":false}`, Model),
			fmt.Sprintf(`{"model":%q,"created_at":"2026-11-24T08:00:01Z","message":{"role":"assistant","content":"lo"},"done":true,"done_reason":"stop","prompt_eval_count":26,"eval_count":7}`, Model))
	})
	mux.HandleFunc("POST /api/generate", func(w http.ResponseWriter, r *http.Request) {
		lines(w, false,
			fmt.Sprintf(`{"model":%q,"response":"Hi","done":false}`, Model),
			fmt.Sprintf(`{"model":%q,"response":"","done":true,"done_reason":"length","prompt_eval_count":11,"eval_count":3}`, Model))
	})
	mux.HandleFunc("POST /api/embed", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"model":%q,"embeddings":[[0.1,0.2,0.3,0.4]],"prompt_eval_count":3}`, "all-minilm")
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
