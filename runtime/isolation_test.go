package runtime

import (
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
)

// TestSlowDestinationCostsTheHealthyOneNothing: Langfuse answers every
// request in a second while a child process makes 5,000 spans a second for
// six seconds, default settings otherwise. The healthy destination gets
// every span as it comes (each a model call with a 1 KiB prompt); the slow one falls behind, spills its backlog to
// its own spool and, once the load stops, catches up: every span reaches
// both, none is shed, and delivered + counted = made at each.
func TestSlowDestinationCostsTheHealthyOneNothing(t *testing.T) {
	t.Parallel()
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	langfuse.SetMode(otlptest.Slow)
	langfuse.SetDelay(time.Second)
	env := append([]string{envSpoolDir + "=" + t.TempDir(), envServiceName + "=" + opsService, envMetrics + "=false",
		childPollEnv + "=20ms", instanaEnv(instana)}, langfuseEnv(langfuse, "sk-lf-ops")...)
	c := startChild(t, "load", env...)
	const made = 30_000
	c.do("emitgenai %d s 5000 1024", made)
	during := c.stats()
	if shed := during.Pipeline.ShedTotal(); shed != 0 {
		t.Errorf("%d spans shed before fan-out while one destination was merely slow: %v", shed, during.Pipeline.Shed)
	}
	checkDelivered(t, "instana", instana, made)
	st := c.waitStats("langfuse caught up", func(s childStats) bool {
		d := s.dest("langfuse")
		return d.Exported+d.DroppedTotal() >= made && d.Spool != nil && d.Spool.PendingSpans == 0
	})
	lf := st.dest("langfuse")
	if got, dups := langfuse.Unique(); int64(got)+lf.DroppedTotal() != made || dups > 0 {
		t.Errorf("langfuse: %d delivered (%d duplicates) + %d counted lost (%v) != %d made", got, dups, lf.DroppedTotal(), lf.Dropped, made)
	}
	if lf.Spooled == 0 {
		t.Errorf("langfuse never spilled to its spool (%+v): the test did not make it fall behind", lf)
	}
	t.Logf("langfuse spooled %d spans and replayed %d; queue max %d bytes", lf.Spooled, lf.Replayed, lf.Settings.QueueMaxBytes)
}
