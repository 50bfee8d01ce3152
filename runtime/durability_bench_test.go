package runtime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io/fs"
	"log/slog"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
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
				if st := dest; st.DroppedTotal() > 0 {
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
				leaveSpool(b, dir, down.URL(), 64<<20)
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

// leaveSpool leaves about size bytes of spooled batches in dir, the way
// a process sending to a destination that is down leaves them: a manager
// whose breaker opens at the first failure spools spans of 64 KiB of
// incompressible content, then shuts down.
func leaveSpool(b *testing.B, dir, url string, size int) {
	b.Helper()
	m, err := Configure(context.Background(), WithoutGlobal(), WithLogger(slog.New(slog.DiscardHandler)), WithSpoolDir(dir),
		WithInstana(url, ""), WithoutMetrics(), WithDestinationsDisabled("console"), WithBreaker(1, time.Hour, time.Hour),
		WithSpoolMaxBytes(int64(size)*2))
	if err != nil {
		b.Fatal(err)
	}
	tr := m.Tracer("leave")
	blob := make([]byte, 48<<10)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i := range size / (64 << 10) {
		_, _ = rand.Read(blob)
		_, s := tr.Start(ctx, "spooled", trace.WithAttributes(attribute.String("blob", base64.StdEncoding.EncodeToString(blob))))
		s.End()
		if i%32 == 31 {
			if err := m.Flush(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := m.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
	var left int64
	_ = filepath.WalkDir(dir, func(_ string, e fs.DirEntry, _ error) error {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			left += info.Size()
		}
		return nil
	})
	if left < int64(size)*9/10 {
		b.Fatalf("spooled %d bytes, want about %d", left, size)
	}
}
