// Command fakellm serves a deterministic OpenAI-compatible chat endpoint.
//
//	go run ./examples/fakellm/cmd/fakellm -addr localhost:9000 -latency 1ms
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/genaitrace/genaitrace/examples/fakellm"
)

func main() {
	addr := flag.String("addr", "localhost:9000", "listen address")
	var cfg fakellm.Config
	flag.DurationVar(&cfg.Latency, "latency", time.Millisecond, "answer latency")
	flag.IntVar(&cfg.PromptTokens, "prompt-tokens", 0, "prompt tokens reported (0: from the request's length)")
	flag.IntVar(&cfg.CompletionTokens, "completion-tokens", 0, "completion tokens reported (0: from the answer's length)")
	flag.IntVar(&cfg.CachedTokens, "cached-tokens", 0, "cached prompt tokens reported")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("fakellm: http://%s/v1/chat/completions", ln.Addr())
	srv := &http.Server{Handler: fakellm.Handler(cfg), ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.Serve(ln))
}
