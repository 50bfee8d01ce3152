// Package fake serves the SDK's wire format on loopback for the preset's
// tests and the suggested mapping's.
package fake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Response is a generateContent answer.
const Response = `{"candidates":[{"content":{"role":"model","parts":[{"text":"Hello!"}]},"finishReason":"STOP"}],
	"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"thoughtsTokenCount":3,"cachedContentTokenCount":4,"totalTokenCount":18},
	"modelVersion":"gemini-2.5-flash-001","responseId":"resp-1"}`

// Models the fake answers differently.
const (
	Missing = "gemini-missing" // the Gemini API's 404 NOT_FOUND
	Tools   = "gemini-tools"   // a functionCall part
)

// Server speaks the Gemini API: generateContent, streamGenerateContent
// (SSE, first chunk delayed; a model named broken drops the connection
// mid-stream) and batchEmbedContents.
func Server(t *testing.T, delay time.Duration) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, Missing):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error":{"code":404,"message":"models/%s is not found for API version v1beta.","status":"NOT_FOUND"}}`, Missing)
		case strings.HasSuffix(r.URL.Path, Tools+":generateContent"):
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"id":"fc_1","name":"get_weather","args":{"city":"Paris"}}}]},"finishReason":"STOP"}],
				"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"totalTokenCount":15},"modelVersion":"gemini-2.5-flash-001","responseId":"resp-t"}`)
		case strings.HasSuffix(r.URL.Path, ":generateContent"):
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, Response)
		case strings.HasSuffix(r.URL.Path, ":streamGenerateContent"):
			w.Header().Set("Content-Type", "text/event-stream")
			f := w.(http.Flusher)
			time.Sleep(delay)
			fmt.Fprint(w, `data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"modelVersion":"gemini-2.5-flash-001","responseId":"resp-s"}`+"\n\n")
			f.Flush()
			if strings.Contains(r.URL.Path, "broken") {
				conn, _, _ := w.(http.Hijacker).Hijack()
				_ = conn.Close()
				return
			}
			fmt.Fprint(w, `data: {"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":2,"thoughtsTokenCount":1,"totalTokenCount":13},"modelVersion":"gemini-2.5-flash-001","responseId":"resp-s"}`+"\n\n")
			f.Flush()
		case strings.HasSuffix(r.URL.Path, ":batchEmbedContents"), strings.HasSuffix(r.URL.Path, ":embedContent"):
			w.Header().Set("Content-Type", "application/json")
			// usageMetadata: v1.79's embedContentResponseFromMldev (models.go) reads it.
			fmt.Fprint(w, `{"embeddings":[{"values":[0.1,0.2,0.3,0.4]}],"usageMetadata":{"promptTokenCount":2,"totalTokenCount":2}}`)
		default:
			http.NotFound(w, r)
		}
	}))
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
