// Package fake serves the SDK's wire format on loopback for the preset's
// tests and the suggested mapping's.
package fake

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Invalid is a model ID the fake answers with a ValidationException.
const Invalid = "invalid.model-v1"

// Server speaks Bedrock Runtime's REST protocol: Converse and InvokeModel,
// and the service's error for the model Invalid.
func Server(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "/model/"+Invalid+"/"):
			// The service's error shape: bedrockruntime v1.63.12's
			// response_snapshot/ValidationException.error.snap.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ValidationException","message":"The provided model identifier is invalid."}`)
		case strings.HasSuffix(r.URL.Path, "/converse"):
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"output":{"message":{"role":"assistant","content":[{"text":"Hello!"}]}},"stopReason":"end_turn",
				"usage":{"inputTokens":10,"outputTokens":5,"totalTokens":18,"cacheReadInputTokens":2,"cacheWriteInputTokens":1},"metrics":{"latencyMs":12}}`)
		case strings.HasSuffix(r.URL.Path, "/invoke"):
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"completion":"Hello!"}`)
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
