package runtime

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/runtime/export"
)

// processCPU is the process's user and system CPU time, in nanoseconds.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkDurability measures what TELEMETRY_DURABILITY=disk costs against
// the default: two destinations on loopback, spans made flat out, then
// flushed (sent and acknowledged). It reports the whole process's CPU per
// span (encoding, compression, sending, and in disk mode the spool's write,
// index entry, acknowledgement and cursor) and the wall time per span
// (ns/op).
//
//	go test ./runtime -run '^$' -bench BenchmarkDurability -benchtime 100000x -count 8 | tee durability.txt
//	benchstat -col /durability durability.txt
func BenchmarkDurability(b *testing.B) {
	for _, d := range []Durability{DurabilityMemory, DurabilityDisk} {
		b.Run("durability="+d.String(), func(b *testing.B) {
			r1, r2 := discardingReceiver(b), discardingReceiver(b)
			m := benchManager(b, WithInstana(r1.URL(), ""), WithLangfuse(r2.URL(), "pk", "sk"), WithDurability(d))
			tr := m.Tracer("bench")
			ctx := context.Background()
			b.ReportAllocs()
			cpu0 := processCPU(b)
			b.ResetTimer()
			for b.Loop() {
				_, s := tr.Start(ctx, "chat gpt-4o-mini", tenAttributes)
				s.End()
			}
			flushCtx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			if err := m.Flush(flushCtx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "process-cpu-ns/span")
			for _, dest := range m.Destinations() {
				if st := dest.Stats(); st.DroppedTotal() > 0 {
					b.Logf("%s dropped %v", st.Name, st.Dropped)
				}
			}
		})
	}
}

// BenchmarkConfigure measures Configure with an empty spool directory and
// with 64 MiB left there by an earlier process (destination down): what
// an earlier process left is adopted in the background, a poll interval
// after Configure returned, so the two cost the same.
//
//	go test ./runtime -run '^$' -bench BenchmarkConfigure -benchtime 200x -count 8 | tee configure.txt
//	benchstat -col /spool configure.txt
func BenchmarkConfigure(b *testing.B) {
	down := discardingReceiver(b)
	down.Down()
	for _, full := range []bool{false, true} {
		name := map[bool]string{false: "empty", true: "full-64MiB"}[full]
		b.Run("spool="+name, func(b *testing.B) {
			dir := b.TempDir()
			if full {
				leaveSpool(b, filepath.Join(dir, "instana", "p-earlier"), down.URL()+"/v1/traces", 64<<20)
			}
			opts := []Option{WithoutGlobal(), WithLogger(slog.New(slog.DiscardHandler)), WithSpoolDir(dir), WithInstana(down.URL(), ""), WithoutMetrics()}
			b.ReportAllocs()
			for b.Loop() {
				m, err := Configure(context.Background(), opts...)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				_ = m.Shutdown(ctx)
				cancel()
				b.StartTimer()
			}
		})
	}
}

// leaveSpool writes size bytes of spooled batches in dir, as a process
// sending to url would have left them.
func leaveSpool(b *testing.B, dir, url string, size int) {
	b.Helper()
	ep := export.Endpoint{URL: url}
	sp, err := export.OpenSpool(dir, export.SpoolOptions{MaxBytes: int64(size) * 2, Identity: ep.Identity("instana")})
	if err != nil {
		b.Fatal(err)
	}
	batch := []byte(strings.Repeat("x", 64<<10))
	for range size / len(batch) {
		if _, err := sp.Append(batch, 512, 0); err != nil {
			b.Fatal(err)
		}
	}
	_ = sp.Close()
}
