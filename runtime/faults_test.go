package runtime

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export"
)

// fastBreaker opens after 2 failures and probes after 50 ms, backing off to
// 200 ms, so outages in tests last milliseconds, not minutes.
var fastBreaker = WithBreaker(2, 50*time.Millisecond, 200*time.Millisecond)

// emitter produces one single-span trace per tick until stopped.
type emitter struct {
	n    atomic.Int64
	stop chan struct{}
	done chan struct{}
}

func emit(tr trace.Tracer, every time.Duration) *emitter { return emitBursts(tr, every, 1) }

// emitBursts produces n single-span traces per tick until stopped.
func emitBursts(tr trace.Tracer, every time.Duration, n int) *emitter {
	e := &emitter{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(e.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-e.stop:
				return
			case <-t.C:
				for range n {
					_, s := tr.Start(context.Background(), "op")
					s.End()
				}
				e.n.Add(int64(n))
			}
		}
	}()
	return e
}

func (e *emitter) Stop() int {
	close(e.stop)
	<-e.done
	return int(e.n.Load())
}

func destination(t *testing.T, m *Manager, name string) *runningDestination {
	t.Helper()
	if d := m.destination(name); d != nil {
		return d
	}
	t.Fatalf("no destination %s", name)
	return nil
}

// checkExact asserts that a destination accounted for every span: n
// accepted and exported, nothing dropped, and that the receiver got each
// span once, but those it took in a request it could not answer (it went
// down meanwhile): at least once, those come again, and nothing else may.
func checkExact(t *testing.T, d *runningDestination, r *otlptest.Receiver, n int) {
	t.Helper()
	// The receiver counts a request before the sender has read the answer.
	st := d.Stats()
	for deadline := time.Now().Add(5 * time.Second); st.Exported < int64(n) && time.Now().Before(deadline); st = d.Stats() {
		time.Sleep(5 * time.Millisecond)
	}
	if st.Accepted != int64(n) || st.Exported != int64(n) || st.DroppedTotal() != 0 {
		t.Errorf("%s: accepted %d exported %d dropped %v, want %d, %d, none", st.Name, st.Accepted, st.Exported, st.Dropped, n, n)
	}
	unique, dups := r.Unique()
	if unique != n || dups != r.Unanswered() {
		t.Errorf("%s receiver: %d distinct spans, %d duplicates; want %d and %d (spans it took without answering)", st.Name, unique, dups, n, r.Unanswered())
	}
	t.Logf("%s: %d spans, exported %d, spooled %d, replayed %d, retried attempts %d, duplicates %d",
		st.Name, n, st.Exported, st.Spooled, st.Replayed, st.Retried, dups)
}

func TestOutageThenRecoveryLosesNothing(t *testing.T) {
	t.Parallel()
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	m, logs := configure(t, WithInstana(instana.URL(), ""), WithLangfuse(langfuse.URL(), "pk", "sk"), fastBreaker)
	e := emit(m.Tracer("t"), 500*time.Microsecond)

	time.Sleep(200 * time.Millisecond)
	instana.Down()
	time.Sleep(600 * time.Millisecond)
	// Langfuse kept receiving during the outage: everything emitted before
	// now reaches it while Instana is still down.
	during := int(e.n.Load())
	langfuse.WaitSpans(t, during, 5*time.Second)
	if st := destination(t, m, "instana").Stats(); st.Breaker.Opens == 0 || st.Spooled == 0 {
		t.Errorf("instana during outage: breaker opens %d, spooled %d", st.Breaker.Opens, st.Spooled)
	}
	if err := instana.Up(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	n := e.Stop()
	flush(t, m)
	instana.WaitSpans(t, n, 10*time.Second)
	langfuse.WaitSpans(t, n, 10*time.Second)
	checkExact(t, destination(t, m, "instana"), instana, n)
	checkExact(t, destination(t, m, "langfuse"), langfuse, n)
	if st := destination(t, m, "instana").Stats(); st.Replayed == 0 || st.Spool.PendingSpans != 0 {
		t.Errorf("instana replayed %d, still pending %d", st.Replayed, st.Spool.PendingSpans)
	}
	for _, want := range []string{"destination unavailable", "circuit breaker open", "circuit breaker closed", "reachable again"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

func TestRefusingDestinationIsRetried(t *testing.T) {
	t.Parallel()
	r := otlptest.New(t)
	r.SetMode(otlptest.Refuse)
	m, _ := configure(t, WithInstana(r.URL(), ""), fastBreaker)
	tr := m.Tracer("t")
	for range 100 {
		_, s := tr.Start(context.Background(), "op")
		s.End()
	}
	// Two refused attempts: the first and its retry.
	for deadline := time.Now().Add(10 * time.Second); len(r.Requests()) < 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	r.SetMode(otlptest.Accept)
	flush(t, m)
	r.WaitSpans(t, 100, 5*time.Second)
	d := destination(t, m, "instana")
	checkExact(t, d, r, 100)
	if st := d.Stats(); st.Retried == 0 || st.Failures == 0 {
		t.Errorf("no retries recorded: %+v", st)
	}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	r := otlptest.New(t)
	r.SetMode(otlptest.RateLimit)
	r.SetRetryAfter(1)
	m, _ := configure(t, WithInstana(r.URL(), ""), WithMaxInFlight(1))
	_, s := m.Tracer("t").Start(context.Background(), "op")
	s.End()
	deadline := time.Now().Add(5 * time.Second)
	for len(r.Requests()) < 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	r.SetMode(otlptest.Accept)
	flush(t, m)
	reqs := r.Requests()
	if len(reqs) < 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if gap := reqs[1].Time.Sub(reqs[0].Time); gap < 950*time.Millisecond {
		t.Errorf("retried %v after a 429 with Retry-After: 1", gap)
	}
	checkExact(t, destination(t, m, "instana"), r, 1)
}

func TestRejectedBatchIsSetAsideNotRetried(t *testing.T) {
	t.Parallel()
	r := otlptest.New(t)
	r.SetMode(otlptest.Reject)
	m, logs := configure(t, WithInstana(r.URL(), ""))
	tr := m.Tracer("t")
	for range 10 {
		_, s := tr.Start(context.Background(), "op")
		s.End()
	}
	flush(t, m)
	time.Sleep(100 * time.Millisecond) // a retry would show up by now
	st := destination(t, m, "instana").Stats()
	if len(r.Requests()) != 1 {
		t.Errorf("%d requests for a rejected batch, want 1 (no retry)", len(r.Requests()))
	}
	if st.SetAside != 10 || st.Dropped[export.DropRejected] != 10 || st.Exported != 0 {
		t.Errorf("set aside %d, dropped %v, exported %d", st.SetAside, st.Dropped, st.Exported)
	}
	if st.Breaker.State != breaker.Closed {
		t.Errorf("breaker %v: a rejecting destination is up", st.Breaker.State)
	}
	if !strings.Contains(st.LastError, "HTTP 400") || !strings.Contains(logs.String(), "set aside") {
		t.Errorf("last error %q", st.LastError)
	}
}

func TestTooLargeSplitsTheBatch(t *testing.T) {
	t.Parallel()
	r := otlptest.New(t)
	r.SetMode(otlptest.TooLarge)
	r.SetMaxSpans(60)
	m, _ := configure(t, WithInstana(r.URL(), ""), WithBatchTimeout(time.Hour))
	tr := m.Tracer("t")
	for range 500 {
		_, s := tr.Start(context.Background(), "op")
		s.End()
	}
	flush(t, m)
	r.WaitSpans(t, 500, 5*time.Second)
	checkExact(t, destination(t, m, "instana"), r, 500)
	for _, req := range r.Requests() {
		if req.Status == 200 && req.Spans > 60 {
			t.Errorf("accepted request of %d spans", req.Spans)
		}
	}
}

func TestSlowDestinationKeepsUpWithSeveralInFlight(t *testing.T) {
	clearEnv(t)
	slow, fast := otlptest.New(t), otlptest.New(t)
	slow.SetMode(otlptest.Slow)
	slow.SetDelay(100 * time.Millisecond)
	m, _ := configure(t, WithInstana(slow.URL(), ""), WithLangfuse(fast.URL(), "pk", "sk"), WithMaxInFlight(4))
	e := emit(m.Tracer("t"), 200*time.Microsecond)
	time.Sleep(time.Second)
	n := e.Stop()
	flush(t, m)
	slow.WaitSpans(t, n, 10*time.Second)
	checkExact(t, destination(t, m, "instana"), slow, n)
	checkExact(t, destination(t, m, "langfuse"), fast, n)
	// With 100 ms per request and batches every 20 ms, one request in
	// flight could not have kept up.
	if reqs := len(slow.Requests()); reqs < 15 {
		t.Errorf("only %d requests", reqs)
	}
}

func TestHangingDestination(t *testing.T) {
	clearEnv(t)
	hang, healthy := otlptest.New(t), otlptest.New(t)
	hang.SetMode(otlptest.Hang)
	logs := &logBuffer{}
	m, err := Configure(context.Background(), WithoutGlobal(), WithLogger(logs.logger()), WithSpoolDir(t.TempDir()),
		WithInstana(hang.URL(), ""), WithLangfuse(healthy.URL(), "pk", "sk"), WithLangfuseExport(LangfuseExportAll),
		WithBatchTimeout(20*time.Millisecond), WithAttemptTimeout(100*time.Millisecond),
		WithRetry(export.RetryPolicy{MaxAttempts: 1}), fastBreaker)
	if err != nil {
		t.Fatal(err)
	}
	e := emit(m.Tracer("t"), 500*time.Microsecond)
	time.Sleep(time.Second)
	n := e.Stop()
	st := destination(t, m, "instana").Stats()
	if st.Breaker.Opens == 0 {
		t.Errorf("breaker never opened: %+v", st.Breaker)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_ = m.Shutdown(ctx)
	if took := time.Since(start); took > 2100*time.Millisecond {
		t.Errorf("Shutdown took %v with a 2s deadline", took)
	}
	checkExact(t, destination(t, m, "langfuse"), healthy, n)
	// Nothing is lost at the hanging destination either: it is all spooled.
	st = destination(t, m, "instana").Stats()
	if st.Exported+st.Spool.PendingSpans != int64(n) || st.DroppedTotal() != 0 {
		t.Errorf("instana: exported %d + spooled %d of %d, dropped %v", st.Exported, st.Spool.PendingSpans, n, st.Dropped)
	}
}

func TestSpoolCapDropsOldestWithExactCounts(t *testing.T) {
	t.Parallel()
	r := otlptest.New(t)
	r.Down()
	// A breaker that opens at the first failure and stays open: every batch
	// goes from the encoder to the spool, in the order made. (A breaker
	// probing meanwhile would have a sender append its failed probe later,
	// after newer batches.)
	// The memory budget holds the whole burst: this test is about the
	// spool's cap, not about shedding.
	m, _ := configure(t, WithInstana(r.URL(), ""), WithBreaker(1, time.Hour, time.Hour), WithSpoolMaxBytes(64<<10), WithBatchTimeout(time.Hour), WithQueueMaxBytes(1),
		WithMemoryMaxBytes(1<<30))
	tr := m.Tracer("t")
	_, s := tr.Start(context.Background(), "op-first")
	s.End()
	flush(t, m)
	const n = 20_001
	attr := trace.WithAttributes(attributeFiller()...)
	for i := range n - 1 {
		_, s := tr.Start(context.Background(), "op-"+strconv.Itoa(i), attr)
		s.End()
	}
	flush(t, m)
	st := destination(t, m, "instana").Stats()
	if st.Accepted != n {
		t.Fatalf("accepted %d", st.Accepted)
	}
	if st.Dropped[export.DropSpoolFull] == 0 || st.Spool.Bytes > 64<<10 {
		t.Fatalf("cap not reached: dropped %v, spool %d bytes", st.Dropped, st.Spool.Bytes)
	}
	if got := st.Spool.PendingSpans + st.Dropped[export.DropSpoolFull] + st.Exported; got != n {
		t.Errorf("pending %d + dropped %d + exported %d = %d, want %d", st.Spool.PendingSpans, st.Dropped[export.DropSpoolFull], st.Exported, got, n)
	}
	// The newest spans survive: after recovery they are delivered.
	if err := r.Up(); err != nil {
		t.Fatal(err)
	}
	destination(t, m, "instana").breaker.Reset()
	want := int(st.Spool.PendingSpans)
	spans := r.WaitSpans(t, want, 10*time.Second)
	seen := map[string]bool{}
	for _, s := range spans {
		seen[s.Name] = true
	}
	if !seen["op-"+strconv.Itoa(n-2)] || seen["op-first"] {
		t.Error("the newest span was dropped instead of the oldest")
	}
}

// TestBatchLargerThanTheSpool: a destination that is down gets batches
// larger than its whole spool (200 spans of 2 KiB that does not compress,
// against the smallest spool accepted). Each is spooled in halves, down to
// what fits; past the cap the oldest are deleted, counted as spool_full;
// nothing is lost to a spool "error", and every span is accounted for.
func TestBatchLargerThanTheSpool(t *testing.T) {
	t.Parallel()
	r := otlptest.New(t)
	r.Down()
	m, _ := configure(t, WithInstana(r.URL(), ""), WithCompression("instana", export.Gzip), WithBreaker(1, time.Hour, time.Hour),
		WithSpoolMaxBytes(minSpoolBytes), WithQueueMaxBytes(1), WithMemoryMaxBytes(1<<30))
	tr := m.Tracer("t")
	const n = 200
	for i := range n {
		_, s := tr.Start(context.Background(), "op-"+strconv.Itoa(i), trace.WithAttributes(attrString("noise", incompressible(i, 2048))))
		s.End()
	}
	flush(t, m)
	st := destination(t, m, "instana").Stats()
	if st.Dropped[export.DropSpoolError] != 0 {
		t.Errorf("%d spans dropped as a spool error: a batch too large for the spool was not split", st.Dropped[export.DropSpoolError])
	}
	if st.Spool.PendingSpans == 0 || st.Spool.Bytes > minSpoolBytes {
		t.Errorf("spool holds %d spans in %d bytes, want some within %d", st.Spool.PendingSpans, st.Spool.Bytes, minSpoolBytes)
	}
	if got := st.Spool.PendingSpans + st.DroppedTotal(); got != n {
		t.Errorf("pending %d + dropped %v = %d, want %d", st.Spool.PendingSpans, st.Dropped, got, n)
	}
}

// incompressible is n bytes of text gzip cannot shrink much, different
// for each seed.
func incompressible(seed, n int) string {
	var b strings.Builder
	x := uint64(seed)*0x9E3779B97F4A7C15 + 1
	for b.Len() < n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b.WriteByte(byte('!' + x%90))
	}
	return b.String()
}

func attributeFiller() []attributeKV {
	out := make([]attributeKV, 10)
	for i := range out {
		out[i] = attrString("k"+strconv.Itoa(i), strings.Repeat("v", 20+i))
	}
	return out
}

// TestHalvesOfAnUncertainBatchCountTheirCopies: Instana stores a batch of
// 100 spans and its answer is lost (the client's attempt times out); the
// retry is refused as too large (413) and goes in halves. Each half holds
// spans the lost request may have delivered: the receiver holds every span
// twice, and each extra copy is counted as a possible duplicate, exactly.
func TestHalvesOfAnUncertainBatchCountTheirCopies(t *testing.T) {
	t.Parallel()
	const n, attempt = 100, 150 * time.Millisecond
	r := otlptest.New(t)
	r.SetMode(otlptest.SlowAnswer)
	r.SetDelay(5 * time.Second)
	r.SetMaxSpans(60)
	switchAfterFirst(r, attempt/2, otlptest.TooLarge) // before the client gives up: its retry meets the 413
	m, _ := configure(t, WithInstana(r.URL(), ""), WithAttemptTimeout(attempt), WithBatchTimeout(time.Hour))
	tr := m.Tracer("t")
	for range n {
		_, s := tr.Start(context.Background(), "op")
		s.End()
	}
	flush(t, m)
	d := destination(t, m, "instana")
	waitUntil(t, func() bool { st := d.Stats(); return st.Exported+st.DroppedTotal() >= n && st.InFlight == 0 })
	unique, dups := r.Unique()
	st := d.Stats()
	// At least one lost answer (two, when a loaded machine switches the
	// receiver after the first retry): every span held twice or more.
	if unique != n || dups < n || st.DroppedTotal() != 0 {
		t.Fatalf("the receiver holds %d spans, %d extra copies, dropped %v; want %d, at least %d, none", unique, dups, st.Dropped, n, n)
	}
	if st.PossibleDuplicates != int64(dups) {
		t.Errorf("%d possible duplicates counted, the receiver holds %d copies", st.PossibleDuplicates, dups)
	}
}
