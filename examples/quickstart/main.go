// Command quickstart runs a planner agent that calls a search tool and an
// LLM client twice (the second call fails), all through wrappers that
// genaitrace-gen generated from the repository's annotations.yaml, and
// shows the trace. With no destination configured (no account, no server)
// each finished trace is printed to stderr as a tree; with the Instana and
// Langfuse variables set, the same trace goes there.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/genaitrace/genaitrace/runtime"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

func main() {
	ctx := context.Background()
	m, err := runtime.Configure(ctx, runtime.WithServiceName("quickstart"))
	if err != nil {
		log.Fatal(err)
	}

	// The generated wrappers: each records a GenAI span and calls through.
	llm := NewTracedLLM(&fakeLLM{})
	search := NewTracedTool(searchTool{})
	agent := NewTracedAgent(planner{llm: llm, search: search})

	ctx = genai.WithSession(ctx, "session-1")
	answer, err := agent.Run(ctx, "What should I wear in Paris today?")
	if err != nil {
		log.Print(err)
	}

	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Shutdown(shutdown); err != nil {
		log.Print(err)
	}
	fmt.Fprintf(os.Stderr, "\nanswer: %s\n", answer)
	if len(m.Destinations()) == 0 {
		fmt.Fprintln(os.Stderr, "The trace above went to the console because no destination is configured.")
		fmt.Fprintln(os.Stderr, "Set INSTANA_ENDPOINT, or LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, to send it there too.")
	}
}
