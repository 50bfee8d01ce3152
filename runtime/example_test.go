package runtime_test

import (
	"context"
	"log"
	"os"
	"time"

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
