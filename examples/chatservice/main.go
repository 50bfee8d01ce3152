// Command chatservice is a net/http chat service instrumented with
// genaitrace: POST /chat calls an OpenAI-compatible LLM through its
// generated wrapper, request spans come from otelhttp (so each LLM span is
// a child of its request's span), genaitrace's diagnostics are served under
// /telemetry/, and SIGTERM shuts the server down gracefully and flushes
// telemetry to every destination.
//
//	go run ./examples/fakellm/cmd/fakellm -addr localhost:9000 &
//	go run ./examples/chatservice -addr localhost:8081 -llm-url http://localhost:9000
//	curl -d '{"session_id":"s1","message":"hello"}' localhost:8081/chat
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime"
)

func main() {
	addr := flag.String("addr", "localhost:8081", "listen address")
	llmURL := flag.String("llm-url", "http://localhost:9000", "base URL of an OpenAI-compatible endpoint")
	model := flag.String("model", "gpt-4o-mini", "model to ask")
	flag.Parse()
	if err := run(*addr, *llmURL, *model); err != nil {
		log.Fatal(err)
	}
}

func run(addr, llmURL, model string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var opts []runtime.Option
	if os.Getenv("OTEL_SERVICE_NAME") == "" { // an option would override the variable
		opts = append(opts, runtime.WithServiceName("chatservice"))
	}
	m, err := runtime.Configure(ctx, opts...)
	if err != nil {
		return err
	}
	transport := otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(m.TracerProvider()))
	client := NewTracedChatClient(&httpChatClient{base: llmURL, apiKey: os.Getenv("OPENAI_API_KEY"), client: &http.Client{Transport: transport, Timeout: 60 * time.Second}})

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler(m, client, model), ReadHeaderTimeout: 5 * time.Second}
	slog.Info("chatservice listening", "chat", "http://"+ln.Addr().String()+"/chat", "diagnostics", "http://"+ln.Addr().String()+"/telemetry/")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown: finish in-flight requests, then flush telemetry
	// to every destination in parallel, within the deadline.
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Warn("chatservice: shutdown", "error", err)
	}
	if err := m.Shutdown(shutdown); err != nil {
		slog.Warn("chatservice: telemetry shutdown", "error", err)
	}
	slog.Info("chatservice stopped")
	return nil
}

// spanContext is the request's trace ID, returned to callers so they can
// find the trace in Instana, Langfuse or the diagnostics page.
func spanContext(r *http.Request) string {
	if sc := trace.SpanContextFromContext(r.Context()); sc.IsValid() {
		return sc.TraceID().String()
	}
	return ""
}
