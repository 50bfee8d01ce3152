package runtime

import (
	"context"
	goruntime "runtime"
	"testing"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// BenchmarkScore measures the caller's cost of genai.Score against the
// span it scores (Start and End, ten attributes), in the same run and the
// same setup: Instana taking spans and scores (a loopback receiver that
// drops what it gets). Every 1024 operations the timer stops and the
// manager is flushed, so that the background keeps up and no score is
// dropped (dropped/op says so): scores made flat out outrun the
// destinations, and what the hand-off cannot hold (1 MiB) is dropped and
// counted. The caller's path is the same whichever destinations take
// scores: an append under a lock. caller-cpu-ns/op is the CPU of the
// benchmark's own thread in the timed stretches.
//
//	go test ./runtime -run '^$' -bench BenchmarkScore -benchmem -count 8 | tee score.txt
//	benchstat -col /op score.txt
func BenchmarkScore(b *testing.B) {
	for _, op := range []string{"span", "score", "score+comment"} {
		b.Run("op="+op, func(b *testing.B) {
			m := benchManager(b, WithInstana(discardingReceiver(b).URL(), ""), WithCaptureContent(true))
			tr := m.Tracer("bench")
			ctx, span := tr.Start(context.Background(), "chat gpt-4o-mini", tenAttributes)
			span.End()
			goruntime.LockOSThread()
			defer goruntime.UnlockOSThread()
			b.ReportAllocs()
			var cpu int64
			cpu0, ok := threadCPU()
			i := 0
			for b.Loop() {
				switch op {
				case "span":
					_, s := tr.Start(ctx, "chat gpt-4o-mini", tenAttributes)
					s.End()
				case "score":
					genai.Score(ctx, "helpfulness", 0.9)
				default:
					genai.Score(ctx, "helpfulness", 0.9, genai.WithComment("answers the question and says what to do"))
				}
				if i++; i%1024 == 0 {
					b.StopTimer()
					cpu1, _ := threadCPU()
					cpu += cpu1 - cpu0
					_ = m.Flush(context.Background())
					cpu0, _ = threadCPU()
					b.StartTimer()
				}
			}
			if cpu1, _ := threadCPU(); ok {
				cpu += cpu1 - cpu0
				b.ReportMetric(float64(cpu)/float64(b.N), "caller-cpu-ns/op")
			}
			b.ReportMetric(float64(m.PipelineStats().Scores.Dropped["queue_full"])/float64(b.N), "dropped/op")
		})
	}
}
