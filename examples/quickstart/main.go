// Command quickstart runs a planner agent that calls a search tool and an
// LLM client twice (the second call fails), all through wrappers that
// genaitrace-gen generated from the repository's annotations.yaml.
//
// On its embedded default it needs no account and no server: each finished
// trace is printed to stderr as a tree, and the diagnostics page is served
// at http://localhost:8080/telemetry/. With the Instana and Langfuse
// variables set, the same traces go there too.
//
//	go run ./examples/quickstart            # a round every few seconds, until Ctrl-C
//	go run ./examples/quickstart -once      # one round, then exit
//	go run ./examples/quickstart -addr :9090
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/genaitrace/genaitrace/runtime"
	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "address of the diagnostics page")
	once := flag.Bool("once", false, "run one round and exit")
	every := flag.Duration("every", 5*time.Second, "time between rounds")
	flag.Parse()
	if err := run(*addr, *once, *every); err != nil {
		log.Fatal(err)
	}
}

func run(addr string, once bool, every time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m, err := runtime.Configure(ctx, runtime.WithServiceName("quickstart"), runtime.WithConsole(os.Stderr))
	if err != nil {
		return err
	}
	defer shutdown(m)

	// The generated wrappers: each records a GenAI span and calls through.
	llm := NewTracedLLM(&fakeLLM{})
	search := NewTracedTool(searchTool{})
	agent := NewTracedAgent(planner{llm: llm, search: search})

	srv, url := serveDiagnostics(m, addr)
	if srv != nil {
		defer srv.Close()
	}
	for round := 1; ; round++ {
		roundCtx := genai.WithSession(ctx, fmt.Sprintf("session-%d", round))
		answer, err := agent.Run(roundCtx, "What should I wear in Paris today?")
		if err != nil {
			log.Print(err)
		}
		_ = m.Flush(ctx)
		fmt.Fprintf(os.Stderr, "\nanswer: %s\n", answer)
		if round == 1 {
			explain(m, url, once)
		}
		if once {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

// serveDiagnostics mounts the diagnostics handler as an application would.
// A taken port is not fatal: the quickstart moves to a free one.
func serveDiagnostics(m *runtime.Manager, addr string) (*http.Server, string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Printf("cannot listen on %s (%v); using a free port", addr, err)
		if ln, err = net.Listen("tcp", "localhost:0"); err != nil {
			log.Printf("no diagnostics page: %v", err)
			return nil, ""
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/telemetry/", http.StripPrefix("/telemetry", m.DiagnosticsHandler()))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Print(err)
		}
	}()
	return srv, "http://" + ln.Addr().String() + "/telemetry/"
}

func explain(m *runtime.Manager, url string, once bool) {
	fmt.Fprintln(os.Stderr)
	if len(m.Destinations()) == 0 {
		fmt.Fprintln(os.Stderr, "No destination is configured, so the trace went to the console (above).")
		fmt.Fprintln(os.Stderr, "Set INSTANA_ENDPOINT, or LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, to send it there too.")
	} else {
		for _, d := range m.Destinations() {
			fmt.Fprintln(os.Stderr, deliveryLine(d))
		}
	}
	if url != "" && !once {
		fmt.Fprintf(os.Stderr, "Diagnostics: %s (a new trace every few seconds; Ctrl-C to stop)\n", url)
	}
}

func shutdown(m *runtime.Manager) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Shutdown(ctx); err != nil {
		log.Print(err)
	}
}

// deliveryLine says what became of the trace at one destination: "sent"
// only once the destination took it.
func deliveryLine(d export.DestinationStats) string {
	switch {
	case d.Exported > 0 && !d.LastErrorTime.After(d.LastSuccess):
		return fmt.Sprintf("Sent to %s (%s): %d spans so far.", d.Name, d.Endpoint, d.Exported)
	case d.LastError != "":
		return fmt.Sprintf("Not sent to %s (%s): %s. The spans are kept and sent when it answers; the diagnostics say more.", d.Name, d.Endpoint, d.LastError)
	}
	return fmt.Sprintf("Not sent to %s (%s) yet.", d.Name, d.Endpoint)
}
