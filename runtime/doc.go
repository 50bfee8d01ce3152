// Package runtime sends the spans of a Go GenAI service to IBM Instana and
// Langfuse at once, from inside the process, each in the form that
// destination reads, with identical trace and span IDs.
//
// Call Configure once at start-up and Shutdown before exit:
//
//	m, err := runtime.Configure(ctx, runtime.WithServiceName("chat"))
//	if err != nil {
//		log.Fatal(err) // only invalid configuration is an error
//	}
//	defer m.Shutdown(context.Background())
//
// Configure reads the environment (see the README's table) and the options
// override it. With no destination configured, every finished trace is
// printed to stderr as a tree.
//
// Each destination has its own translation, queue bounded in bytes, circuit
// breaker and disk spool: a destination that is down, slow or hanging never
// slows the application, never starves the other destination, and loses no
// span while the spool's disk budget lasts.
package runtime
