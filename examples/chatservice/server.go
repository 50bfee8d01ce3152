package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// chatRequest is what POST /chat takes.
type chatRequest struct {
	SessionID string `json:"session_id"`
	UserID    string `json:"user_id"`
	Message   string `json:"message"`
	Model     string `json:"model,omitempty"`
}

// chatReply is what POST /chat answers.
type chatReply struct {
	Reply        string `json:"reply"`
	Model        string `json:"model"`
	InputTokens  int    `json:"input_tokens"`
	OutputTokens int    `json:"output_tokens"`
	TraceID      string `json:"trace_id,omitempty"`
}

// handler serves POST /chat with the given client; with m set, it also
// serves genaitrace's diagnostics under /telemetry/ and traces requests
// with otelhttp, so each LLM span is a child of its request's span.
func handler(m *runtime.Manager, client ChatClient, model string) http.Handler {
	if m == nil {
		return chatMux(client, model)
	}
	mux := chatMux(client, model)
	mux.Handle("/telemetry/", http.StripPrefix("/telemetry", m.DiagnosticsHandler()))
	return traced(mux, m.TracerProvider())
}

// traced traces the service's requests with otelhttp, but for the
// diagnostics'.
func traced(h http.Handler, tp trace.TracerProvider) http.Handler {
	return otelhttp.NewHandler(h, "chatservice",
		otelhttp.WithTracerProvider(tp),
		// A request from a gateway carries its trace context.
		otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})),
		otelhttp.WithFilter(runtime.DiagnosticsFilter("/telemetry")),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + r.URL.Path }))
}

// chatMux serves POST /chat.
func chatMux(client ChatClient, model string) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /chat", func(w http.ResponseWriter, r *http.Request) {
		var in chatRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || strings.TrimSpace(in.Message) == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `want {"message": "...", "session_id": "...", "user_id": "..."}`})
			return
		}
		ctx := r.Context()
		if in.SessionID != "" {
			ctx = genai.WithSession(ctx, in.SessionID)
		}
		if in.UserID != "" {
			ctx = genai.WithUser(ctx, in.UserID)
		}
		if in.Model == "" {
			in.Model = model
		}
		resp, err := client.Complete(ctx, ChatRequest{Model: in.Model, MaxTokens: 512, Messages: []Message{
			{Role: "system", Content: "You are a helpful assistant."},
			{Role: "user", Content: in.Message},
		}})
		var api *apiError
		switch {
		case errors.As(err, &api):
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": api.Error()})
			return
		case err != nil:
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
			return
		case len(resp.Choices) == 0:
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": "the model returned no choice"})
			return
		}
		out := chatReply{Reply: resp.Choices[0].Message.Content, Model: resp.Model}
		if resp.Usage != nil {
			out.InputTokens, out.OutputTokens = resp.Usage.PromptTokens, resp.Usage.CompletionTokens
		}
		if sc := spanContext(r); sc != "" {
			out.TraceID = sc
		}
		writeJSON(w, http.StatusOK, out)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
