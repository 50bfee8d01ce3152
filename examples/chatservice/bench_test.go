package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/examples/fakellm"
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
// Two cases separate what the instrumentation costs from what genaitrace
// adds: the same otelhttp and generated wrapper on the plain SDK with no
// span processor (spans made, never exported: the instrumentation's own
// cost), and with a BatchSpanProcessor whose exporter drops everything
// (the least any export costs: the SDK's snapshot and hand-off).
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
		{"sdk-no-processor", nil},
		{"sdk-batch-discard", nil},
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
			switch c.name {
			case "none":
				s = startService(b, time.Millisecond, false)
			case "sdk-no-processor":
				s = startSDKService(b, time.Millisecond, sdktrace.NewTracerProvider())
			case "sdk-batch-discard":
				s = startSDKService(b, time.Millisecond, sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardExporter{})))
			default:
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

// discardExporter drops what a BatchSpanProcessor hands it.
type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }

// startSDKService wires the chat service as main does, but on a plain SDK
// TracerProvider instead of genaitrace's.
func startSDKService(b *testing.B, latency time.Duration, tp *sdktrace.TracerProvider) *service {
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	llm := httptest.NewServer(fakellm.Handler(fakellm.Config{Latency: latency, CachedTokens: 8}))
	b.Cleanup(llm.Close)
	transport := otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(tp))
	client := NewTracedChatClient(&httpChatClient{base: llm.URL, client: &http.Client{Transport: transport}}, genai.WithTracerProvider(tp))
	srv := httptest.NewServer(traced(chatMux(client, "gpt-4o-mini"), tp))
	b.Cleanup(srv.Close)
	return &service{url: srv.URL}
}
