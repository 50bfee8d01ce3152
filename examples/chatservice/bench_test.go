package main

import (
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

func genaiProvider(m *runtime.Manager) genai.Option {
	return genai.WithTracerProvider(m.TracerProvider())
}

// BenchmarkChatRequest is the seed article's measurement, in Go: the chat
// service's request latency over loopback against a fake LLM that takes
// 1 ms, without telemetry, with Langfuse only, Instana only, and both.
// Destinations are loopback receivers that read and drop what they get.
//
//	go test ./examples/chatservice -run '^$' -bench BenchmarkChatRequest -count 8 | tee chat.txt
//	benchstat -col /telemetry chat.txt
func BenchmarkChatRequest(b *testing.B) {
	discard := func(b *testing.B) string {
		r := otlptest.New(b)
		r.SetMode(otlptest.Discard)
		return r.URL()
	}
	cases := []struct {
		name string
		opts func(b *testing.B) []runtime.Option
	}{
		{"none", nil},
		{"instrumented-no-destination", func(b *testing.B) []runtime.Option { return nil }},
		{"langfuse", func(b *testing.B) []runtime.Option {
			return []runtime.Option{runtime.WithLangfuse(discard(b), "pk", "sk")}
		}},
		{"instana", func(b *testing.B) []runtime.Option { return []runtime.Option{runtime.WithInstana(discard(b), "")} }},
		{"both", func(b *testing.B) []runtime.Option {
			return []runtime.Option{runtime.WithInstana(discard(b), ""), runtime.WithLangfuse(discard(b), "pk", "sk")}
		}},
	}
	for _, c := range cases {
		b.Run("telemetry="+c.name, func(b *testing.B) {
			var s *service
			if c.name == "none" {
				s = startService(b, time.Millisecond, false)
			} else {
				s = startService(b, time.Millisecond, true, c.opts(b)...)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			body := `{"session_id":"s-1","user_id":"u-1","message":"What should I wear in Paris today?"}`
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				if code, _ := post(b, client, s.url, body); code != http.StatusOK {
					b.Fatalf("status %d", code)
				}
			}
			// Everything in the process per request: client, service, fake
			// LLM, receivers and genaitrace's background export.
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/request")
		})
	}
}

// processCPU is the process's user and system CPU time in nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
