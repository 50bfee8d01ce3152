package runtime

import (
	"context"
	"log/slog"
	goruntime "runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// tenAttributes is the span the caller-cost benchmarks make: ten
// pre-built GenAI attributes, as a generated wrapper records them.
var tenAttributes = trace.WithAttributes(
	genai.OperationName.String("chat"),
	genai.ProviderName.String("openai"),
	genai.RequestModel.String("gpt-4o-mini"),
	genai.RequestTemperature.Float64(0.2),
	genai.RequestMaxTokens.Int(512),
	genai.ResponseModel.String("gpt-4o-mini-2024-07-18"),
	genai.ResponseID.String("chatcmpl-123"),
	genai.UsageInputTokens.Int(1200),
	genai.UsageOutputTokens.Int(300),
	genai.ResponseFinishReasons.StringSlice([]string{"stop"}),
)

// discardingReceiver is a loopback destination that reads and drops what it
// receives: decoding in-process would charge a remote destination's work
// to the benchmark.
func discardingReceiver(b *testing.B) *otlptest.Receiver {
	r := otlptest.New(b)
	r.SetMode(otlptest.Discard)
	return r
}

func benchManager(b *testing.B, opts ...Option) *Manager {
	b.Helper()
	base := []Option{WithoutGlobal(), WithLogger(slog.New(slog.DiscardHandler)), WithSpoolDir(b.TempDir()),
		WithDestinationsDisabled("console"), WithBreaker(2, 50*time.Millisecond, 200*time.Millisecond),
		WithAttemptTimeout(100 * time.Millisecond)}
	m, err := Configure(context.Background(), append(base, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.Shutdown(ctx)
	})
	return m
}

// spanLoop runs Start and End as fast as possible. Besides wall time it
// reports caller-cpu-ns/op: the CPU time of the benchmark's own OS thread
// per span, which is the caller's cost alone (background encoding and
// sending run on other threads). B/op and allocs/op count the whole
// process, background included.
func spanLoop(b *testing.B, tr trace.Tracer) {
	b.Helper()
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, ok := threadCPU()
	for b.Loop() {
		_, s := tr.Start(ctx, "chat gpt-4o-mini", tenAttributes)
		s.End()
	}
	if cpu1, _ := threadCPU(); ok {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "caller-cpu-ns/op")
	}
}

// BenchmarkSpanEnd measures the caller's cost of one span (Start and End,
// ten attributes) with genaitrace exporting to no, one and two
// destinations, and with one of two destinations hanging. The SDK without
// any processor is the floor.
//
//	go test ./runtime -run '^$' -bench BenchmarkSpanEnd -benchmem -count 10 | tee new.txt
//	benchstat new.txt
func BenchmarkSpanEnd(b *testing.B) {
	b.Run("sdk-no-processor", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider()
		spanLoop(b, tp.Tracer("bench"))
	})
	b.Run("sdk-batch-span-processor", func(b *testing.B) {
		spanLoop(b, bspProvider(b).Tracer("bench"))
	})
	b.Run("destinations=0", func(b *testing.B) {
		spanLoop(b, benchManager(b).Tracer("bench"))
	})
	b.Run("destinations=1", func(b *testing.B) {
		r := discardingReceiver(b)
		spanLoop(b, benchManager(b, WithInstana(r.URL(), "")).Tracer("bench"))
	})
	b.Run("destinations=2", func(b *testing.B) {
		r1, r2 := discardingReceiver(b), discardingReceiver(b)
		spanLoop(b, benchManager(b, WithInstana(r1.URL(), ""), WithLangfuse(r2.URL(), "pk", "sk")).Tracer("bench"))
	})
	b.Run("destinations=2,one-hanging", func(b *testing.B) {
		hang, ok := otlptest.New(b), discardingReceiver(b)
		hang.SetMode(otlptest.Hang)
		spanLoop(b, benchManager(b, WithInstana(hang.URL(), ""), WithLangfuse(ok.URL(), "pk", "sk")).Tracer("bench"))
	})
}

// discardExporter is the SDK path's baseline: a BatchSpanProcessor whose
// exporter does nothing.
type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }

func bspProvider(b *testing.B) *sdktrace.TracerProvider {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardExporter{}))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

// BenchmarkCallerLatency measures what the caller waits for in span.End
// (with Start), one span at a time at a steady 20,000 spans/s, while the
// background encodes and sends. It reports the median and the 99th
// percentile of the per-span latency; ns/op is the pacing and meaningless.
// Compare destinations=1 with destinations=2, with one of two hanging, and
// with every batch written to disk first.
//
//	go test ./runtime -run '^$' -bench BenchmarkCallerLatency -count 6 | tee latency.txt
//	benchstat -col /case latency.txt
func BenchmarkCallerLatency(b *testing.B) {
	cases := []struct {
		name  string
		build func(b *testing.B) trace.Tracer
	}{
		{"sdk-batch-span-processor", func(b *testing.B) trace.Tracer { return bspProvider(b).Tracer("bench") }},
		{"destinations=1", func(b *testing.B) trace.Tracer {
			r := discardingReceiver(b)
			return benchManager(b, WithInstana(r.URL(), "")).Tracer("bench")
		}},
		{"destinations=2", func(b *testing.B) trace.Tracer {
			r1, r2 := discardingReceiver(b), discardingReceiver(b)
			return benchManager(b, WithInstana(r1.URL(), ""), WithLangfuse(r2.URL(), "pk", "sk")).Tracer("bench")
		}},
		{"destinations=2,one-hanging", func(b *testing.B) trace.Tracer {
			hang, ok := otlptest.New(b), discardingReceiver(b)
			hang.SetMode(otlptest.Hang)
			return benchManager(b, WithInstana(hang.URL(), ""), WithLangfuse(ok.URL(), "pk", "sk")).Tracer("bench")
		}},
		{"destinations=2,durability=disk", func(b *testing.B) trace.Tracer {
			r1, r2 := discardingReceiver(b), discardingReceiver(b)
			return benchManager(b, WithInstana(r1.URL(), ""), WithLangfuse(r2.URL(), "pk", "sk"), WithDurability(DurabilityDisk)).Tracer("bench")
		}},
	}
	for _, c := range cases {
		b.Run("case="+c.name, func(b *testing.B) {
			tr := c.build(b)
			ctx := context.Background()
			const burst, rate = 20, 20_000 // spans per burst, spans per second
			lat := make([]time.Duration, 0, b.N)
			next := time.Now()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if i%burst == 0 {
					next = next.Add(burst * time.Second / rate)
					time.Sleep(time.Until(next))
				}
				start := time.Now()
				_, s := tr.Start(ctx, "chat gpt-4o-mini", tenAttributes)
				s.End()
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2]), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100]), "p99-ns")
		})
	}
}

// blockingExporter never returns until released, so the SDK's
// BatchSpanProcessor keeps every span in its queue.
type blockingExporter struct{ release chan struct{} }

func (e blockingExporter) ExportSpans(ctx context.Context, _ []sdktrace.ReadOnlySpan) error {
	select {
	case <-e.release:
	case <-ctx.Done():
	}
	return nil
}
func (e blockingExporter) Shutdown(context.Context) error { return nil }

const bufferedSpans = 10_000

// BenchmarkBufferedMemory measures the heap held per span while a
// destination is down: genaitrace keeps gzip'd OTLP batches (no spool, so
// the memory queue holds everything), the SDK's BatchSpanProcessor keeps
// span snapshots.
//
//	go test ./runtime -run '^$' -bench BenchmarkBufferedMemory -count 5
func BenchmarkBufferedMemory(b *testing.B) {
	b.Run("genaitrace", func(b *testing.B) {
		for b.Loop() {
			r := otlptest.New(b)
			r.Down()
			m := benchManager(b, WithInstana(r.URL(), ""), WithoutSpool(), WithQueueMaxBytes(1<<30),
				WithBreaker(1, time.Hour, time.Hour))
			// The destination is down: Flush cannot complete, it only
			// hands everything to the queue before timing out.
			emitAndHandOver := func() {
				emitBuffered(m.Tracer("bench"))
				ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
				_ = m.Flush(ctx)
				cancel()
			}
			emitAndHandOver() // warm-up: the encoder's, gzip's and HTTP's fixed buffers
			queued := m.Destinations()[0].QueueBytes
			reportHeapPerSpan(b, emitAndHandOver)
			st := m.Destinations()[0]
			if st.Exported != 0 || st.DroppedTotal() != 0 || st.Accepted != 2*bufferedSpans {
				b.Fatalf("not all buffered: %+v", st)
			}
			b.ReportMetric(float64(st.QueueBytes-queued)/bufferedSpans, "queue-B/span")
			_ = m.Shutdown(context.Background()) // before the next iteration measures
		}
	})
	b.Run("sdk-batch-span-processor", func(b *testing.B) {
		for b.Loop() {
			exp := blockingExporter{release: make(chan struct{})}
			bsp := sdktrace.NewBatchSpanProcessor(exp, sdktrace.WithMaxQueueSize(3*bufferedSpans),
				sdktrace.WithMaxExportBatchSize(3*bufferedSpans), sdktrace.WithBatchTimeout(time.Hour))
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(bsp))
			emitBuffered(tp.Tracer("bench")) // warm-up, as above
			reportHeapPerSpan(b, func() { emitBuffered(tp.Tracer("bench")) })
			close(exp.release)
			_ = tp.Shutdown(context.Background())
		}
	})
}

func emitBuffered(tr trace.Tracer) {
	for i := range bufferedSpans {
		_, s := tr.Start(context.Background(), "chat gpt-4o-mini", tenAttributes,
			trace.WithAttributes(attribute.String("request", strconv.Itoa(i))))
		s.End()
	}
}

func reportHeapPerSpan(b *testing.B, fn func()) {
	b.Helper()
	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	fn()
	goruntime.GC()
	goruntime.GC()
	goruntime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/bufferedSpans, "B/span")
}

// BenchmarkThroughput measures spans per second exported to two
// destinations over loopback (receivers that read and drop the body),
// producer running flat out on every core, and the spans dropped on the
// way (target 0).
//
//	go test ./runtime -run '^$' -bench BenchmarkThroughput -benchtime 200000x -count 6
func BenchmarkThroughput(b *testing.B) {
	r1, r2 := discardingReceiver(b), discardingReceiver(b)
	m := benchManager(b, WithInstana(r1.URL(), ""), WithLangfuse(r2.URL(), "pk", "sk"), WithoutMetrics())
	tr := m.Tracer("bench")
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			_, s := tr.Start(ctx, "chat gpt-4o-mini", tenAttributes)
			s.End()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	var exported, dropped int64
	for _, d := range m.Destinations() {
		st := d
		exported += st.Exported
		dropped += st.DroppedTotal()
	}
	dropped += m.PipelineStats().ShedTotal()
	b.ReportMetric(float64(exported)/2/elapsed.Seconds(), "spans/s")
	b.ReportMetric(float64(dropped), "dropped")
}
