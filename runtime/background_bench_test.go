package runtime

import (
	"context"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/runtime/export"
)

// BenchmarkBackgroundCPU measures what genaitrace's background costs per
// span: the CPU of the whole process less the CPU of the goroutine making
// the spans (locked to its thread), at a pace the background keeps up with
// (512 spans, then a pause, about 20k spans/s), for one and two
// destinations. It is the in-process counterpart of tools/overload, quick
// enough to compare changes with benchstat. allocs/span and B/span are the
// whole process's (the caller's SDK spans included), from the runtime's
// allocation counters over the loop and the flush.
//
//	go test ./runtime -run '^$' -bench BenchmarkBackgroundCPU -benchtime 100000x -count 8 | tee bg.txt
//	benchstat -col /destinations bg.txt
func BenchmarkBackgroundCPU(b *testing.B) {
	cases := []struct {
		name string
		opts func(r1, r2 string) []Option
	}{
		{"instana", func(r1, _ string) []Option { return []Option{WithInstana(r1, "")} }},
		{"langfuse", func(_, r2 string) []Option { return []Option{WithLangfuse(r2, "pk", "sk")} }},
		{"both", func(r1, r2 string) []Option { return []Option{WithInstana(r1, ""), WithLangfuse(r2, "pk", "sk")} }},
		// The receivers are on loopback, where the default is no
		// compression, as for a host agent: what gzip adds, for both.
		{"both,gzip", func(r1, r2 string) []Option {
			return []Option{WithInstana(r1, ""), WithLangfuse(r2, "pk", "sk"), WithCompression("instana", export.Gzip), WithCompression("langfuse", export.Gzip)}
		}},
	}
	for _, c := range cases {
		b.Run("destinations="+c.name, func(b *testing.B) {
			r1, r2 := discardingReceiver(b), discardingReceiver(b)
			m := benchManager(b, append(c.opts(r1.URL(), r2.URL()), WithoutMetrics())...)
			tr := m.Tracer("bench")
			ctx := context.Background()
			goruntime.LockOSThread()
			defer goruntime.UnlockOSThread()
			goruntime.GC()
			var mem0, mem1 goruntime.MemStats
			goruntime.ReadMemStats(&mem0)
			proc0, thread0 := processCPU(b), mustThreadCPU(b)
			next := time.Now()
			i := 0
			for b.Loop() {
				_, s := tr.Start(ctx, "chat gpt-4o-mini", tenAttributes)
				s.End()
				if i++; i%512 == 0 {
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
			goruntime.ReadMemStats(&mem1)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(mem1.Mallocs-mem0.Mallocs)/float64(b.N), "allocs/span")
			b.ReportMetric(float64(mem1.TotalAlloc-mem0.TotalAlloc)/float64(b.N), "B/span")
			b.ReportMetric(float64((proc1-proc0)-(thread1-thread0))/float64(b.N), "background-cpu-ns/span")
			b.ReportMetric(float64(thread1-thread0)/float64(b.N), "caller-cpu-ns/span")
		})
	}
}

func mustThreadCPU(b *testing.B) int64 {
	n, ok := threadCPU()
	if !ok {
		b.Skip("no per-thread CPU clock on this system")
	}
	return n
}
