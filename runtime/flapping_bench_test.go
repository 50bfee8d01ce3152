package runtime

import (
	"context"
	goruntime "runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
)

// BenchmarkFlappingDestination measures what a destination that cannot
// make up its mind costs the application: Langfuse answering 200, then
// 500, then refusing connections, then stalling, each for 500 ms in turn,
// with a short breaker (1 s, at most 2 s), against a healthy Langfuse, in
// the same run. A producer makes 5,000 spans a second for the benchmark's
// spans; the metrics are the caller's span latency (Start and End) at the
// median and the 99th percentile, and the whole process's CPU per span.
//
//	go test ./runtime -run '^$' -bench BenchmarkFlappingDestination -benchtime 20000x -count 6 | tee flap.txt
//	benchstat -col /langfuse flap.txt
func BenchmarkFlappingDestination(b *testing.B) {
	for _, flapping := range []bool{false, true} {
		name := "healthy"
		if flapping {
			name = "flapping"
		}
		b.Run("langfuse="+name, func(b *testing.B) {
			lf, in := otlptest.New(b), discardingReceiver(b)
			lf.SetMode(otlptest.Discard)
			m := benchManager(b, WithInstana(in.URL(), ""), WithLangfuse(lf.URL(), "pk", "sk"),
				WithBreaker(3, time.Second, 2*time.Second), WithAttemptTimeout(250*time.Millisecond), WithoutMetrics())
			stop := make(chan struct{})
			var wg sync.WaitGroup
			if flapping {
				wg.Go(func() { flap(lf, otlptest.Discard, stop) })
			}
			tr := m.Tracer("bench")
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			goruntime.GC()
			proc0 := processCPU(b)
			next := time.Now()
			i := 0
			for b.Loop() {
				t0 := time.Now()
				_, s := tr.Start(ctx, "chat gpt-4o-mini", tenAttributes)
				s.End()
				lat = append(lat, time.Since(t0))
				if i++; i%50 == 0 {
					next = next.Add(10 * time.Millisecond)
					time.Sleep(time.Until(next))
				}
			}
			proc1 := processCPU(b)
			close(stop)
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns/span")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns/span")
			b.ReportMetric(float64(proc1-proc0)/float64(b.N), "process-cpu-ns/span")
		})
	}
}

// flap cycles the receiver through a destination's moods until stop: ok
// (Accept, or Discard for benchmarks), 500, refused, stalled.
func flap(r *otlptest.Receiver, ok otlptest.Mode, stop chan struct{}) {
	moods := []func(){
		func() { _ = r.Up(); r.SetMode(ok) },
		func() { r.SetMode(otlptest.Refuse) },
		func() { r.Down() },
		func() { _ = r.Up(); r.SetMode(otlptest.Hang) },
	}
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		moods[i%len(moods)]()
		select {
		case <-stop:
			_ = r.Up()
			r.SetMode(ok)
			return
		case <-t.C:
		}
	}
}
