package runtime

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/export"
)

// storingLangfuse is a loopback Langfuse that stores every request and
// answers it after delay.
func storingLangfuse(t *testing.T, delay time.Duration) *fakeLangfuse {
	lf := newFakeLangfuse(t, "pk-lf-1", "sk-lf-1")
	lf.otlp.SetMode(otlptest.SlowAnswer)
	lf.otlp.SetDelay(delay)
	return lf
}

// fastReplayCheck shortens the grace period before Langfuse is asked.
func fastReplayCheck(t *testing.T, grace time.Duration) {
	t.Helper()
	prev := replayCheckGrace
	replayCheckGrace = grace
	t.Cleanup(func() { replayCheckGrace = prev })
}

// endCalls ends n GenAI spans, each its own trace.
func endCalls(m *Manager, n int) {
	tr := m.Tracer("t")
	for range n {
		_, s := tr.Start(context.Background(), "chat gpt-4o-mini", tenAttributes)
		s.End()
	}
}

// emitBatch ends n GenAI spans and flushes them as one batch.
func emitBatch(t *testing.T, m *Manager, n int) {
	t.Helper()
	endCalls(m, n)
	flush(t, m)
}

// acceptAfterFirst switches the receiver to answering at once after its
// first request, and after the client gave up on it (its attempt timeout,
// after): Langfuse took the request (stored it, or hung on it), its answer
// was lost, and it recovered, so that anything sent again is taken and
// counted.
func acceptAfterFirst(r *otlptest.Receiver, after time.Duration) {
	switchAfterFirst(r, after, otlptest.Accept)
}

// switchAfterFirst sets the receiver's mode once it has taken its first
// request and the client gave up on it (after).
func switchAfterFirst(r *otlptest.Receiver, after time.Duration, mode otlptest.Mode) {
	go func() {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			if len(r.Requests()) > 0 {
				time.Sleep(after)
				r.SetMode(mode)
				return
			}
		}
	}()
}

// TestReplayAsksLangfuseWhatItStored: a batch whose request Langfuse took
// while its answer was lost (it answered after the client's attempt
// timeout; the client saw no answer and may not know) is sent again only
// for the spans Langfuse does not store, as its public API says after the
// grace period; where it cannot say, the batch is sent as before and its
// spans counted as possible duplicates. Exact counts at the receiver and
// in the destination's stats.
func TestReplayAsksLangfuseWhatItStored(t *testing.T) {
	const n, grace = 300, 300 * time.Millisecond // 300 spans: two requests of 200 IDs at most
	cases := []struct {
		name      string
		mode      otlptest.Mode // how Langfuse takes the first request
		perMinute int
		apiKey    string // the secret key the read API accepts
		// want: spans the receiver gets twice, deduplicated, possible
		// duplicates; checks made, failed; spans found, unasked.
		dups, deduplicated, possible   int64
		checks, failed, found, unasked int64
	}{
		{name: "stored", mode: otlptest.SlowAnswer, perMinute: 10, apiKey: "sk-lf-1",
			deduplicated: n, checks: 2, found: n},
		// Not shown after the grace period: sent again, still counted as
		// possible duplicates (Langfuse may write them late).
		{name: "not stored", mode: otlptest.Hang, perMinute: 10, apiKey: "sk-lf-1",
			possible: n, checks: 2},
		{name: "budget for one request", mode: otlptest.SlowAnswer, perMinute: 1, apiKey: "sk-lf-1",
			dups: n - 200, deduplicated: 200, possible: n - 200, checks: 1, found: 200, unasked: n - 200},
		{name: "read API refuses the keys", mode: otlptest.SlowAnswer, perMinute: 10, apiKey: "sk-lf-other",
			dups: n, possible: n, checks: 1, failed: 1, unasked: n},
		// As before: every copy sent again is a duplicate (here the retries
		// in place reach Langfuse while it still answers late: -1, at least
		// one copy), each counted as a possible duplicate (-1: at least as
		// many as the receiver holds twice).
		{name: "checks off", mode: otlptest.SlowAnswer, perMinute: 0, apiKey: "sk-lf-1",
			dups: -1, possible: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			fastReplayCheck(t, grace)
			lf := newFakeLangfuse(t, "pk-lf-1", tc.apiKey)
			lf.otlp.SetMode(tc.mode)
			lf.otlp.SetDelay(5 * time.Second)
			const attempt = 150 * time.Millisecond
			acceptAfterFirst(lf.otlp, 2*attempt)
			m, logs := configure(t, WithLangfuse(lf.URL, "pk-lf-1", "sk-lf-1"), WithLangfuseReplayChecks(tc.perMinute),
				WithAttemptTimeout(attempt), WithBatchTimeout(time.Second))
			emitBatch(t, m, n)
			d := destination(t, m, "langfuse")
			waitUntil(t, func() bool { // the last copy, retried from the spool, may come later
				st := d.Stats()
				return st.Exported+st.DroppedTotal() >= n && st.Spool.PendingSpans == 0 && st.InFlight == 0
			})
			st := m.Destinations()[0]

			unique, dups := lf.otlp.Unique()
			if unique != n || int64(dups) != tc.dups && (tc.dups != -1 || dups < n) {
				t.Errorf("Langfuse stores %d spans, %d of them twice; want %d, %d", unique, dups, n, tc.dups)
			}
			possibleOK := st.PossibleDuplicates == tc.possible || tc.possible == -1 && st.PossibleDuplicates >= int64(dups)
			if st.Exported != n || st.DroppedTotal() != 0 || st.Deduplicated != tc.deduplicated || !possibleOK {
				t.Errorf("exported %d, dropped %v, deduplicated %d, possible duplicates %d; want %d, none, %d, %d",
					st.Exported, st.Dropped, st.Deduplicated, st.PossibleDuplicates, n, tc.deduplicated, tc.possible)
			}
			rc := st.ReplayCheck
			if tc.perMinute == 0 {
				if rc != nil || lf.reads.Load() != 0 {
					t.Errorf("checks off, yet %d reads (status %+v)", lf.reads.Load(), rc)
				}
				return
			}
			got := [5]int64{rc.Checks, rc.Failed, rc.Found, rc.Unasked, rc.Asked}
			want := [5]int64{tc.checks, tc.failed, tc.found, tc.unasked, n - tc.unasked}
			if got != want || lf.reads.Load() != tc.checks || rc.PerMinute != tc.perMinute {
				t.Errorf("replay check: checks, failed, found, unasked, asked %v, want %v; %d reads; %+v", got, want, lf.reads.Load(), rc)
			}
			if sent := lf.otlp.Requests()[0].Time; lf.firstRead().Sub(sent) < grace {
				t.Errorf("Langfuse was asked %v after the request, within the grace period of %v", lf.firstRead().Sub(sent), grace)
			}
			if tc.failed > 0 && (!strings.Contains(rc.LastError, envLangfuseSecretKey) || strings.Contains(rc.LastError, "sk-lf-1") ||
				!strings.Contains(logs.String(), "possible duplicates")) {
				t.Errorf("a refused check: last error %q; log %s", rc.LastError, logs)
			}
		})
	}
}

// TestReplayAfterAnOutageSendsNoStoredSpanAgain: Langfuse stores a request
// and goes down before it answers, its public API with it. The batch
// cannot be checked (503) nor sent (refused): it goes to the spool, marked
// as possibly delivered. Once Langfuse is back, the replay asks first,
// finds every span stored, and sends none of them again: the receiver
// holds each span once, the spool is empty, nothing counts as a possible
// duplicate. The endpoint is given in the OTLP form Langfuse's guide
// writes, …/api/public/otel, from which the public API's URL is derived.
func TestReplayAfterAnOutageSendsNoStoredSpanAgain(t *testing.T) {
	clearEnv(t)
	const n = 120
	fastReplayCheck(t, 200*time.Millisecond)
	lf := storingLangfuse(t, 10*time.Second)
	m, _ := configure(t, WithLangfuse(lf.URL+"/api/public/otel", "pk-lf-1", "sk-lf-1"),
		WithAttemptTimeout(5*time.Second), WithBatchTimeout(time.Second), WithBreaker(2, 2*time.Second, 2*time.Second))
	endCalls(m, n)
	go func() { _ = m.Flush(context.Background()) }()
	lf.otlp.WaitSpans(t, n, 5*time.Second) // stored, not answered
	lf.otlp.Down()
	d := destination(t, m, "langfuse")
	waitUntil(t, func() bool { st := d.Stats(); return st.Spool != nil && st.Spool.PendingSpans == n })
	lf.otlp.SetMode(otlptest.Accept)
	if err := lf.otlp.Up(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { st := d.Stats(); return st.Spool.PendingSpans == 0 && st.Exported == n })

	st := m.Destinations()[0]
	unique, dups := lf.otlp.Unique()
	if unique != n || dups != 0 || lf.otlp.Unanswered() != n {
		t.Errorf("Langfuse stores %d spans, %d twice, took %d without answering; want %d, 0, %d", unique, dups, lf.otlp.Unanswered(), n, n)
	}
	if st.Deduplicated != n || st.PossibleDuplicates != 0 || st.Replayed != n || st.DroppedTotal() != 0 {
		t.Errorf("deduplicated %d, possible duplicates %d, replayed %d, dropped %v; want %d, 0, %d, none",
			st.Deduplicated, st.PossibleDuplicates, st.Replayed, st.Dropped, n, n)
	}
	rc := st.ReplayCheck
	if rc.Checks-rc.Failed != 1 || rc.Failed < 1 || rc.Found != n {
		t.Errorf("replay check %+v: want one answered check that found the %d spans, after at least one that failed", rc, n)
	}
	withSpans := 0
	for _, r := range lf.otlp.Requests() {
		if r.Spans > 0 {
			withSpans++
		}
	}
	if withSpans != 1 {
		t.Errorf("%d requests with spans reached Langfuse, want the first alone", withSpans)
	}
	t.Logf("%d requests, %d failed; replay check %+v", st.Requests, st.Failures, *rc)
}

// The stored check is the Langfuse kind's alone, and its status is shown
// as the destination's.
func TestReplayCheckIsLangfusesAlone(t *testing.T) {
	clearEnv(t)
	lf, other := newFakeLangfuse(t, "pk", "sk"), otlptest.New(t)
	m, _ := configure(t, WithLangfuse(lf.URL, "pk", "sk"), WithInstana(other.URL(), ""), WithOTLP(other.URL()+"/v1/traces", nil))
	for _, d := range m.Destinations() {
		if (d.ReplayCheck != nil) != (d.Name == "langfuse") {
			t.Errorf("%s: replay check %+v", d.Name, d.ReplayCheck)
		}
	}
	if rc := m.Destinations()[1].ReplayCheck; rc.PerMinute != defaultReplayChecks || rc.Grace != replayCheckGrace {
		t.Errorf("defaults: %+v", rc)
	}
	var body struct {
		Destinations []struct {
			Name        string                    `json:"name"`
			ReplayCheck *export.ReplayCheckStatus `json:"replay_check"`
		} `json:"destinations"`
	}
	getJSON(t, m, "/destinations", &body)
	for _, d := range body.Destinations {
		if (d.ReplayCheck != nil) != (d.Name == "langfuse") {
			t.Errorf("/destinations: %s shows replay_check %+v", d.Name, d.ReplayCheck)
		}
	}

	t.Setenv(envLangfuseReplayChecks, "0")
	off, _ := configure(t, WithLangfuse(lf.URL, "pk", "sk"))
	if rc := off.Destinations()[0].ReplayCheck; rc != nil || off.Config().Langfuse.ReplayChecksPerMinute != 0 {
		t.Errorf("%s=0: replay check %+v, /config %d", envLangfuseReplayChecks, rc, off.Config().Langfuse.ReplayChecksPerMinute)
	}
}

// The budget allows perMinute requests at once, then one every
// 60/perMinute seconds, and never more than a minute's worth.
func TestRateBudget(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	b := newRateBudget(10, t0)
	n := 0
	for b.take(t0) {
		n++
	}
	if n != 10 {
		t.Fatalf("%d requests at once, want 10", n)
	}
	if b.take(t0.Add(5 * time.Second)) {
		t.Error("a request 5 s later: want one every 6 s")
	}
	if !b.take(t0.Add(6*time.Second)) || b.take(t0.Add(6*time.Second)) {
		t.Error("6 s later: want exactly one request")
	}
	n = 0
	for b.take(t0.Add(time.Hour)) {
		n++
	}
	if n != 10 {
		t.Errorf("%d requests after an idle hour, want a minute's worth, 10", n)
	}
}

// The public API's URL, whichever form of LANGFUSE_ENDPOINT was given.
func TestLangfuseAPIURL(t *testing.T) {
	for _, endpoint := range []string{"https://lf.example.com", "https://lf.example.com/", "https://lf.example.com/api/public/otel",
		"https://lf.example.com/api/public/otel/v1/traces"} {
		if got := langfuseAPI(endpoint, "/api/public/v2/observations"); got != "https://lf.example.com/api/public/v2/observations" {
			t.Errorf("%s: %s", endpoint, got)
		}
	}
	if got := langfuseAPI("https://host/langfuse/", "/api/public/v2/observations"); got != "https://host/langfuse/api/public/v2/observations" {
		t.Errorf("a base path: %s", got)
	}
}

// TestShutdownKeepsAnUnaskedBatchForTheNextProcess: a shutdown that comes
// while a batch waits out the grace period before Langfuse is asked does
// not wait for it, nor ask: the batch goes to the spool still marked as
// possibly delivered, and the next process asks before it replays it,
// sending none of the spans Langfuse stored.
func TestShutdownKeepsAnUnaskedBatchForTheNextProcess(t *testing.T) {
	clearEnv(t)
	const n = 50
	fastReplayCheck(t, 10*time.Second)
	lf := storingLangfuse(t, 5*time.Second)
	spool := t.TempDir()
	opts := []Option{WithLangfuse(lf.URL, "pk-lf-1", "sk-lf-1"), WithSpoolDir(spool), WithAttemptTimeout(150 * time.Millisecond), WithBatchTimeout(time.Second)}
	first, _ := configure(t, opts...)
	endCalls(first, n)
	go func() { _ = first.Flush(context.Background()) }()
	lf.otlp.WaitSpans(t, n, 5*time.Second)
	waitUntil(t, func() bool { return lf.otlp.Unanswered() == n }) // the client gave up: the batch waits out the grace
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if err := first.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Shutdown took %v: it waited for the grace period", took)
	}
	if st := first.Destinations()[0]; st.Spool.PendingSpans != n || st.ReplayCheck.Checks != 0 || lf.reads.Load() != 0 {
		t.Fatalf("after shutdown: %d spans spooled, %d checks, %d reads; want %d, 0, 0", st.Spool.PendingSpans, st.ReplayCheck.Checks, lf.reads.Load(), n)
	}

	lf.otlp.SetMode(otlptest.Accept)
	replayCheckGrace = 100 * time.Millisecond
	next, _ := configure(t, opts...)
	d := destination(t, next, "langfuse")
	waitUntil(t, func() bool {
		st := d.Stats()
		return st.Spool != nil && st.Spool.FoundSpans == n && st.Spool.PendingSpans == 0
	})
	st := next.Destinations()[0]
	unique, dups := lf.otlp.Unique()
	if unique != n || dups != 0 || st.Deduplicated != n || st.PossibleDuplicates != 0 || st.ReplayCheck.Found != n {
		t.Errorf("Langfuse stores %d spans, %d twice; the next process deduplicated %d, possible duplicates %d, found %d; want %d, 0, %d, 0, %d",
			unique, dups, st.Deduplicated, st.PossibleDuplicates, st.ReplayCheck.Found, n, n, n)
	}
}

// TestLangfuseOutageEdgesMakeNoDuplicates is TestOutageEdgeDuplicates
// against a loopback Langfuse that stores every request and answers it
// 100 ms later: an outage in that window loses the answer of a request it
// stored, the duplicate no client can avoid by itself. Without checks,
// each such request is a duplicate (counted as possible). With them,
// Langfuse, asked after the grace period (once it is back, or, asked while
// it is down, at the replay from the spool), says it holds those spans,
// and none is sent again: every span stored once, the spans of every
// request stored without an answer counted as deduplicated. (A check that
// fails, Langfuse being down again when asked, leaves its spans to be sent
// again and counted as possible duplicates: then only that is asserted.)
func TestLangfuseOutageEdgesMakeNoDuplicates(t *testing.T) {
	clearEnv(t)
	fastReplayCheck(t, 400*time.Millisecond) // for both subtests, which run side by side
	for _, perMinute := range []int{0, 1000} {
		t.Run(map[bool]string{false: "checks off", true: "checks on"}[perMinute > 0], func(t *testing.T) {
			t.Parallel()
			lf := storingLangfuse(t, 100*time.Millisecond)
			m, _ := configure(t, WithLangfuse(lf.URL, "pk-lf-1", "sk-lf-1"), WithLangfuseReplayChecks(perMinute), fastBreaker)
			e := emitBursts(m.Tracer("t"), time.Millisecond, 10) // up to 10,000 spans/s
			for range 3 {
				time.Sleep(700 * time.Millisecond) // Langfuse is asked 400 ms after an outage's start: before the next one
				lf.otlp.Down()
				time.Sleep(200 * time.Millisecond)
				if err := lf.otlp.Up(); err != nil {
					t.Fatal(err)
				}
			}
			time.Sleep(700 * time.Millisecond)
			n := e.Stop()
			flush(t, m)
			d := destination(t, m, "langfuse")
			waitUntil(t, func() bool { st := d.Stats(); return st.Exported+st.DroppedTotal() >= int64(n) && st.InFlight == 0 })
			st := m.Destinations()[0]
			unique, dups := lf.otlp.Unique()
			unanswered := lf.otlp.Unanswered()
			if unique != n || st.DroppedTotal() != 0 || unanswered == 0 {
				t.Errorf("Langfuse stores %d of %d spans, %d without answering; dropped %v", unique, n, unanswered, st.Dropped)
			}
			if perMinute == 0 {
				if dups != unanswered || st.PossibleDuplicates < int64(dups) {
					t.Errorf("%d duplicates, %d stored without an answer, %d counted as possible", dups, unanswered, st.PossibleDuplicates)
				}
				t.Logf("%d spans: %d stored without an answer, %d duplicates, %d possible duplicates", n, unanswered, dups, st.PossibleDuplicates)
				return
			}
			rc := st.ReplayCheck
			if rc.Found == 0 || st.PossibleDuplicates < int64(dups) {
				t.Errorf("Langfuse showed %d spans it stored; %d duplicates, %d counted as possible", rc.Found, dups, st.PossibleDuplicates)
			}
			// A check that failed (Langfuse down again when asked, on a
			// loaded machine) leaves its spans unasked: sent again and
			// counted, as documented. Without one, none is sent again.
			if rc.Failed == 0 && rc.Unasked == 0 && (dups != 0 || st.Deduplicated != int64(unanswered)) {
				t.Errorf("%d duplicates; %d spans deduplicated, %d stored without an answer", dups, st.Deduplicated, unanswered)
			}
			t.Logf("%d spans: %d stored without an answer, %d deduplicated, %d possible duplicates (sent again, not shown stored), %d duplicates; checks %+v",
				n, unanswered, st.Deduplicated, st.PossibleDuplicates, dups, *rc)
		})
	}
}
