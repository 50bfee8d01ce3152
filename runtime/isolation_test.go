package runtime

import (
	"context"
	goruntime "runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/internal/textcut"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/spancopy"
	"go.opentelemetry.io/otel/trace"
)

// TestSlowDestinationCostsTheHealthyOneNothing: Langfuse answers every
// request in three seconds, two requests at a time (it then takes at most
// 341 spans a second) while a child process makes a thousand model calls a
// second (256-byte prompts) for six seconds, with the default memory
// budget and a 256 KiB queue per destination: the slow destination's backlog outgrows its
// queue within the run, while the budget's live share could hold the whole
// run's spans, so that what is shed here would be shed because of the slow
// destination, not for want of CPU on a loaded machine. The healthy
// destination gets every span as it comes; the slow one spills its backlog
// to its own spool and, once the load stops, catches up: every span
// reaches both, none is shed, and delivered + counted = made at each.
func TestSlowDestinationCostsTheHealthyOneNothing(t *testing.T) {
	// Not in parallel: it measures that nothing is shed while it runs.
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	langfuse.SetMode(otlptest.Slow)
	langfuse.SetDelay(3 * time.Second)
	env := append([]string{envSpoolDir + "=" + t.TempDir(), envServiceName + "=" + opsService, envMetrics + "=false",
		envQueueMaxBytes + "=256KiB", envMaxInFlight + "=2", childPollEnv + "=20ms", instanaEnv(instana)}, langfuseEnv(langfuse, "sk-lf-ops")...)
	c := startChild(t, "load", env...)
	made, rate := 6_000, 1_000
	if raceOn {
		made, rate = 3_000, 500 // the race detector's background is several times slower
	}
	c.do("emitgenai %d s %d 256", made, rate)
	during := c.stats()
	if shed := during.Pipeline.ShedTotal(); shed != 0 {
		t.Errorf("%d spans shed before fan-out while one destination was merely slow: %v", shed, during.Pipeline.Shed)
	}
	checkDelivered(t, "instana", instana, made)
	st := c.waitStats("langfuse caught up", func(s childStats) bool {
		d := s.dest("langfuse")
		return d.Exported+d.DroppedTotal() >= int64(made) && d.Spool != nil && d.Spool.PendingSpans == 0
	})
	lf := st.dest("langfuse")
	if got, dups := langfuse.Unique(); int64(got)+lf.DroppedTotal() != int64(made) || dups > 0 {
		t.Errorf("langfuse: %d delivered (%d duplicates) + %d counted lost (%v) != %d made", got, dups, lf.DroppedTotal(), lf.Dropped, made)
	}
	if lf.Spooled == 0 {
		t.Errorf("langfuse never spilled to its spool (%+v): the test did not make it fall behind", lf)
	}
	t.Logf("langfuse spooled %d spans and replayed %d; queue max %d bytes", lf.Spooled, lf.Replayed, lf.Settings.QueueMaxBytes)
}

// TestBigPromptsCostTheirContentNeverTheirSpan: model calls with prompts
// of 1, 4, 16 and 64 MiB, a hundred a second from a child process, default
// settings: every span reaches both destinations, Langfuse with the
// prompt cut to 1 MiB and marked as cut, none shed; the process's peak
// resident set stays within what the prompts themselves take (the
// application holds each while it makes the call) plus the memory budget.
func TestBigPromptsCostTheirContentNeverTheirSpan(t *testing.T) {
	// Not in parallel: a peak resident set measured while other tests
	// starve the collector of CPU measures them.
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	env := append([]string{envSpoolDir + "=" + t.TempDir(), envServiceName + "=" + opsService, envMetrics + "=false",
		childBatchEnv + "=20ms", childPollEnv + "=20ms", instanaEnv(instana)}, langfuseEnv(langfuse, "sk-lf-ops")...)
	rounds := []struct{ n, mib int }{{20, 1}, {20, 4}, {10, 16}, {4, 64}}
	// The application's own peak: the same calls through a bare SDK.
	base := startChild(t, "baseline", envSpoolDir+"="+t.TempDir(), envConsole+"=false")
	for _, r := range rounds {
		base.do("emitgenai %d p%d 100 %d sdk", r.n, r.mib, r.mib<<20)
	}
	own := base.stats().PeakRSS
	c := startChild(t, "prompts", env...)
	made := 0
	for _, r := range rounds {
		c.do("emitgenai %d p%d 100 %d", r.n, r.mib, r.mib<<20)
		made += r.n
	}
	c.flush()
	st := c.stats()
	if shed := st.Pipeline.ShedTotal(); shed != 0 {
		t.Errorf("%d spans shed (%v): a big prompt cost its span", shed, st.Pipeline.Shed)
	}
	checkDelivered(t, "instana", instana, made)
	checkDelivered(t, "langfuse", langfuse, made)
	cut := 0
	for _, s := range langfuse.Spans() {
		in, _ := s.Attrs()["langfuse.observation.input"].(string)
		if len(in) > spancopy.MaxValueBytes+1024 {
			t.Errorf("%s: Langfuse got %d bytes of input, more than the %d bytes cap", s.Name, len(in), spancopy.MaxValueBytes)
		}
		if strings.Contains(in, textcut.Mark) || strings.Contains(in, spancopy.ContentDropped) {
			cut++
		}
	}
	if cut != made {
		t.Errorf("%d of %d spans' inputs are marked as cut or dropped, want all (every prompt is 1 MiB or more)", cut, made)
	}
	if own == 0 {
		t.Skip("no peak RSS from /proc on this system") // the delivery checks above ran
	}
	// A peak resident set depends on when the collector ran, which a
	// loaded machine makes late for both processes alike: this bound
	// catches what the issue saw (hundreds of MiB for the spans of big
	// prompts), TestBigPromptIsNotRetained what is retained exactly.
	// Under the race detector both processes' peaks carry its shadow
	// memory, several times the heap and varying from run to run (bare
	// SDK 724-932 MiB, genaitrace 1,035-1,068 MiB in four runs; without
	// it 85 and 157-161 MiB): the margin doubles, which still catches
	// what the issue saw.
	margin := int64(256 << 20)
	if raceOn {
		margin *= 2
	}
	if st.PeakRSS > own+margin {
		t.Errorf("peak RSS %d MiB: far more than the application's own %d MiB (the same calls through a bare SDK) + %d MiB", st.PeakRSS>>20, own>>20, margin>>20)
	}
	t.Logf("%d calls: peak RSS %d MiB, the application alone %d MiB; %d kept without content", made, st.PeakRSS>>20, own>>20, st.Pipeline.ContentShed)
}

// TestShutdownWithASlowDestinationDuplicatesLittle: SIGTERM-like shutdown
// with a one-second deadline while Langfuse stores every request and
// answers it 400 ms later. Requests that cannot be answered by the
// deadline are not started: their batches go to the spool for the next
// process, and only those already in flight when the shutdown began can
// be stored without an answer and sent again (what the process spooled
// itself is sent during the shutdown while the deadline allows). Every span
// reaches Langfuse at least once; the duplicates are at most those
// requests' spans, all counted as possible duplicates by the next process.
func TestShutdownWithASlowDestinationDuplicatesLittle(t *testing.T) {
	t.Parallel()
	lf := otlptest.New(t)
	lf.SetMode(otlptest.SlowAnswer)
	lf.SetDelay(400 * time.Millisecond)
	if raceOn {
		lf.SetDelay(1500 * time.Millisecond) // slower than the race detector's load: a backlog at the shutdown
	}
	spool := t.TempDir()
	env := append([]string{envSpoolDir + "=" + spool, envServiceName + "=" + opsService, envMetrics + "=false",
		childPollEnv + "=20ms", envLangfuseEnabled + "=true"}, langfuseEnv(lf, "sk-lf-ops")...)
	c := startChild(t, "slow", env...)
	made, rate := 20_000, 5_000
	if raceOn {
		made, rate = 8_000, 2_000
	}
	c.do("emit %d s %d", made, rate)
	c.shutdown(time.Second)
	lf.SetMode(otlptest.Accept)
	next := startChild(t, "next", env...)
	st := next.waitStats("the spool replayed", func(s childStats) bool {
		d := s.dest("langfuse")
		if unique, _ := lf.Unique(); unique == made {
			return true // the shutdown sent what it had spooled itself, within its deadline
		}
		return d.Spool != nil && d.Spool.PendingSpans == 0 && d.Spool.FoundSpans > 0 && d.Replayed >= d.Spool.FoundSpans
	})
	unique, dups := lf.Unique()
	if unique != made {
		t.Errorf("%d of %d spans reached Langfuse", unique, made)
	}
	inFlight := 4 * 512 // the senders' requests when the shutdown began, at most
	if dups > inFlight {
		t.Errorf("%d duplicates: more than the %d spans of the requests in flight when the shutdown began", dups, inFlight)
	}
	if got := st.dest("langfuse").PossibleDuplicates; int64(dups) > got {
		t.Errorf("%d duplicates, %d counted as possible", dups, got)
	}
	t.Logf("%d spans: %d spooled at shutdown, %d duplicates (%.2f %%), %d counted possible", made, st.dest("langfuse").Spool.FoundSpans, dups,
		100*float64(dups)/float64(made), st.dest("langfuse").PossibleDuplicates)
}

// TestFlappingDestinationLosesNothing: Langfuse flaps (200, 500, refused,
// stalled, 500 ms each) while a child process makes 5,000 spans a second
// for four seconds, with a short breaker; Instana is healthy. Instana gets
// every span once; once Langfuse settles, it gets every span too, and any
// duplicate is one it was told of (a request stored without an answer).
func TestFlappingDestinationLosesNothing(t *testing.T) {
	t.Parallel()
	instana, lf := otlptest.New(t), otlptest.New(t)
	env := append([]string{envSpoolDir + "=" + t.TempDir(), envServiceName + "=" + opsService, envMetrics + "=false",
		childPollEnv + "=20ms", childAttemptEnv + "=1s", childGraceEnv + "=250ms", envBreakerFails + "=3", envBreakerOpen + "=1s", envBreakerMaxOpen + "=2s",
		instanaEnv(instana)}, langfuseEnv(lf, "sk-lf-ops")...)
	c := startChild(t, "flap", env...)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { flap(lf, otlptest.Accept, stop); close(done) }()
	made, rate := 20_000, 5_000
	if raceOn {
		made, rate = 8_000, 2_000
	}
	c.do("emit %d s %d", made, rate)
	close(stop)
	<-done
	instana.WaitSpans(t, made, 30*time.Second)
	st := c.waitStats("langfuse caught up", func(s childStats) bool {
		d := s.dest("langfuse")
		u, _ := lf.Unique()
		return int64(u)+d.DroppedTotal() >= int64(made) && d.Spool != nil && d.Spool.PendingSpans == 0 && d.InFlight == 0
	})
	if u, dups := instana.Unique(); u != made || int64(dups) > st.dest("instana").PossibleDuplicates {
		// A healthy destination a loaded machine answers late may get a
		// request again after a timeout: counted, never silent.
		t.Errorf("instana: %d of %d spans, %d duplicates (%d counted possible)", u, made, dups, st.dest("instana").PossibleDuplicates)
	}
	d := st.dest("langfuse")
	unique, dups := lf.Unique()
	if int64(unique)+d.DroppedTotal() != int64(made) || d.DroppedTotal() != 0 {
		t.Errorf("langfuse: %d delivered + %d lost (%v), want all %d delivered", unique, d.DroppedTotal(), d.Dropped, made)
	}
	if int64(dups) > d.PossibleDuplicates {
		t.Errorf("langfuse: %d duplicates, %d counted as possible", dups, d.PossibleDuplicates)
	}
	t.Logf("langfuse: %d requests, %d failed, %d spans spooled and %d replayed, %d duplicates (%d possible), breaker opened %d times",
		d.Requests, d.Failures, d.Spooled, d.Replayed, dups, d.PossibleDuplicates, d.Breaker.Opens)
}

// TestBigPromptIsNotRetained: while a model call with a 64 MiB prompt waits
// in the pipeline (its destination hangs), genaitrace holds its span with
// the prompt cut to 1 MiB (not dropped: it fits), never the application's
// prompt: once the application lets the prompt go, the collector frees it.
func TestBigPromptIsNotRetained(t *testing.T) {
	clearEnv(t)
	r := otlptest.New(t)
	r.SetMode(otlptest.Hang)
	m, _ := configure(t, WithLangfuse(r.URL(), "pk", "sk"), WithoutSpool(), WithBatchTimeout(time.Hour))
	heap := func() uint64 {
		goruntime.GC()
		var ms goruntime.MemStats
		goruntime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	func() {
		prompt := strings.Repeat("p", 64<<20)
		_, s := m.Tracer("t").Start(context.Background(), "chat", tenAttributes, trace.WithAttributes(genai.InputMessages.String(prompt)))
		s.End()
	}()
	if p := m.PipelineStats(); p.Pending != 1 || p.ContentShed != 0 {
		t.Fatalf("%d spans pending (%d without content), want the one, held with its prompt cut", p.Pending, p.ContentShed)
	}
	if held := int64(heap()) - int64(before); held > 8<<20 {
		t.Errorf("%d MiB more on the heap while the span waits: the 64 MiB prompt is retained", held>>20)
	}
}

// TestOversizedBatchGoesToDiskNotMemory: while Langfuse's one sender is
// stuck on a request, a model call with a 900 KiB prompt is encoded into a
// batch larger than the destination's whole queue. It goes to the spool,
// not into memory regardless: held there, it would take most of the
// memory budget from the spans not yet handed out, and a burst of calls
// that fits the budget would lose their prompts or be shed.
func TestOversizedBatchGoesToDiskNotMemory(t *testing.T) {
	clearEnv(t)
	lf := otlptest.New(t)
	lf.SetMode(otlptest.Hang)
	m, _ := configure(t, WithLangfuse(lf.URL(), "pk-lf-1", "sk-lf-1"), WithMaxInFlight(1), WithMemoryMaxBytes(16<<20),
		WithCaptureContent(true), WithAttemptTimeout(time.Minute))
	tr := m.Tracer("t")
	call := func(name string, prompt int) {
		_, s := tr.Start(context.Background(), name, tenAttributes, trace.WithAttributes(genai.InputMessages.String(strings.Repeat("p", prompt))))
		s.End()
	}
	call("first", 10)
	waitUntil(t, func() bool { return len(lf.Requests()) == 1 }) // the one sender is stuck on it
	call("big", 900<<10)
	d := destination(t, m, "langfuse")
	waitUntil(t, func() bool { st := d.Stats(); return st.Spooled > 0 || st.QueueBytes > 0 })
	if st := d.Stats(); st.QueueBytes > st.Settings.QueueMaxBytes {
		t.Fatalf("the queue holds %d bytes, more than its %d: the oversized batch was taken into memory", st.QueueBytes, st.Settings.QueueMaxBytes)
	}
	for i := range 300 {
		call("burst-"+strconv.Itoa(i), 4<<10)
	}
	waitUntil(t, func() bool { return m.PipelineStats().Pending == 0 }) // handed to the destination (Flush would wait for the stuck request)
	p := m.PipelineStats()
	if p.ShedTotal() != 0 || p.ContentShed != 0 {
		t.Errorf("%d spans shed (%v), %d kept without their prompt: the budget was held by a batch the disk could have held", p.ShedTotal(), p.Shed, p.ContentShed)
	}
}
