package runtime

import (
	"context"
	goruntime "runtime"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// BenchmarkSampling compares, at TELEMETRY_SAMPLE_RATE=0.1 with both
// destinations, the SDK's head sampler (ParentBased(TraceIDRatioBased),
// what genaitrace used before: nine in ten traces are never recorded,
// model calls among them) with genaitrace's sampling (every span recorded,
// every trace with a model call kept, a tenth of the others). One op is a
// trace of a web request: a server root and a database child, one in ten
// with a model call. It reports the caller's CPU and the background's per
// span, at a pace the background keeps up with.
//
//	go test ./runtime -run '^$' -bench BenchmarkSampling -benchtime 20000x -count 8 | tee sampling.txt
//	benchstat -col /sampler sampling.txt
func BenchmarkSampling(b *testing.B) {
	for _, c := range []struct {
		name   string
		tracer func(m *Manager) trace.Tracer
	}{
		{"head", func(m *Manager) trace.Tracer {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))),
				sdktrace.WithSpanProcessor(m.SpanProcessor()))
			b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			return tp.Tracer("bench")
		}},
		{"genaitrace", func(m *Manager) trace.Tracer { return m.Tracer("bench") }},
	} {
		b.Run("sampler="+c.name, func(b *testing.B) {
			r1, r2 := discardingReceiver(b), discardingReceiver(b)
			m := benchManager(b, WithInstana(r1.URL(), ""), WithLangfuse(r2.URL(), "pk", "sk"), WithSampleRate(0.1), WithoutMetrics())
			tr := c.tracer(m)
			ctx := context.Background()
			goruntime.LockOSThread()
			defer goruntime.UnlockOSThread()
			goruntime.GC()
			proc0, thread0 := processCPU(b), mustThreadCPU(b)
			next := time.Now()
			spans := 0
			i := 0
			for b.Loop() {
				rctx, root := tr.Start(ctx, "GET /items", trace.WithSpanKind(trace.SpanKindServer))
				_, db := tr.Start(rctx, "SELECT items")
				db.End()
				spans += 2
				if i%10 == 0 {
					_, call := tr.Start(rctx, "chat gpt-4o-mini", tenAttributes)
					call.End()
					spans++
				}
				root.End()
				if i++; i%200 == 0 {
					next = next.Add(25 * time.Millisecond)
					time.Sleep(time.Until(next))
				}
			}
			thread1 := mustThreadCPU(b)
			fctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			if err := m.Flush(fctx); err != nil {
				b.Fatal(err)
			}
			proc1 := processCPU(b)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64((proc1-proc0)-(thread1-thread0))/float64(spans), "background-cpu-ns/span")
			b.ReportMetric(float64(thread1-thread0)/float64(spans), "caller-cpu-ns/span")
		})
	}
}
