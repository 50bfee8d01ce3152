package runtime_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/runtime"
)

// Configure reads the environment (INSTANA_ENDPOINT, LANGFUSE_PUBLIC_KEY,
// ...); options override it. With no destination configured, each trace
// is printed to stderr.
func ExampleConfigure() {
	ctx := context.Background()
	m, err := runtime.Configure(ctx,
		runtime.WithServiceName("chat-service"),
		runtime.WithServiceVersion("1.4.2"),
		runtime.WithConsole(os.Stdout),
	)
	if err != nil {
		log.Fatal(err) // invalid configuration only: a down destination is not an error
	}
	_, span := m.Tracer("example").Start(ctx, "handle request")
	span.End()

	shutdown, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = m.Shutdown(shutdown) // flushes every destination in parallel, by the deadline
}

// An application that already has a TracerProvider adds genaitrace's export
// to it.
func ExampleManager_SpanProcessor() {
	m, err := runtime.Configure(context.Background(), runtime.WithoutGlobal())
	if err != nil {
		log.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	appProvider := sdktrace.NewTracerProvider() // the application's own provider
	appProvider.RegisterSpanProcessor(m.SpanProcessor())
}

// Behind otelhttp, DiagnosticsFilter keeps the diagnostics' own requests
// (the page, its assets, its JSON) from being traced at all.
func ExampleDiagnosticsFilter() {
	m, err := runtime.Configure(context.Background(), runtime.WithoutGlobal(), runtime.WithoutSpool())
	if err != nil {
		log.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	mux := http.NewServeMux()
	mux.HandleFunc("POST /ask", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "answer") })
	mux.Handle("/telemetry/", http.StripPrefix("/telemetry", m.DiagnosticsHandler()))
	handler := otelhttp.NewHandler(mux, "server",
		otelhttp.WithTracerProvider(m.TracerProvider()),
		otelhttp.WithFilter(runtime.DiagnosticsFilter("/telemetry")))

	traced := runtime.DiagnosticsFilter("/telemetry")
	for _, path := range []string{"/ask", "/telemetry/", "/telemetry/health"} {
		fmt.Println(path, traced(httptest.NewRequest(http.MethodGet, path, nil)))
	}
	_ = handler
	// Output:
	// /ask true
	// /telemetry/ false
	// /telemetry/health false
}
