package breaker

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// Every test runs in a synctest bubble: time.Now is the bubble's, and
// time.Sleep moves it on at once, so open periods of minutes take none.

type transition struct{ from, to State }

func newTestBreaker(t *testing.T) (*Breaker, *[]transition) {
	t.Helper()
	var mu sync.Mutex
	var changes []transition
	b := New(Settings{Name: "dest", OnStateChange: func(_ string, from, to State) {
		mu.Lock()
		defer mu.Unlock()
		changes = append(changes, transition{from, to})
	}})
	return b, &changes
}

func fail(t *testing.T, b *Breaker) {
	t.Helper()
	done, err := b.Allow()
	if err != nil {
		t.Fatalf("Allow: %v", err)
	}
	done(Failure)
}

func TestOpensAfterFiveConsecutiveFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, changes := newTestBreaker(t)
		for i := range 4 {
			fail(t, b)
			if b.State() != Closed {
				t.Fatalf("open after %d failures", i+1)
			}
		}
		// A success resets the count.
		done, _ := b.Allow()
		done(Success)
		for range 4 {
			fail(t, b)
		}
		if b.State() != Closed {
			t.Fatal("opened although a success broke the streak")
		}
		fail(t, b)
		if b.State() != Open {
			t.Fatalf("state %v after 5 consecutive failures", b.State())
		}
		if _, err := b.Allow(); err != ErrOpen {
			t.Fatalf("Allow while open: %v", err)
		}
		if len(*changes) != 1 || (*changes)[0] != (transition{Closed, Open}) {
			t.Errorf("transitions %v", *changes)
		}
	})
}

func TestExponentialBackoffUpToMax(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, changes := newTestBreaker(t)
		for range 5 {
			fail(t, b)
		}
		// Open periods: 30s, 60s, 120s, 240s, then capped at 300s; jitter adds
		// up to 20%, capped at the maximum.
		wants := []time.Duration{30, 60, 120, 240, 300, 300}
		for i, w := range wants {
			w *= time.Second
			st := b.Status()
			got := time.Until(st.NextProbe)
			if got < w || got > min(w+w/5, DefaultMaxOpenTimeout) {
				t.Fatalf("opening %d: next probe in %v, want %v..+20%% (max 5m)", i+1, got, w)
			}
			// No probe before it is due.
			time.Sleep(got - time.Millisecond)
			if _, err := b.Allow(); err != ErrOpen {
				t.Fatalf("opening %d: probe allowed early", i+1)
			}
			time.Sleep(time.Millisecond)
			if b.State() != HalfOpen {
				t.Fatalf("state %v when probe is due", b.State())
			}
			done, err := b.Allow()
			if err != nil {
				t.Fatalf("opening %d: probe refused: %v", i+1, err)
			}
			// Half-open lets exactly one export through.
			if _, err := b.Allow(); err != ErrOpen {
				t.Fatalf("second concurrent probe allowed: %v", err)
			}
			done(Failure)
		}
		half := 0
		for _, c := range *changes {
			if c == (transition{Open, HalfOpen}) {
				half++
			}
		}
		if half != len(wants) {
			t.Errorf("%d half-open transitions reported for %d probes: %v", half, len(wants), *changes)
		}
		// A successful probe closes and resets the backoff.
		time.Sleep(DefaultMaxOpenTimeout)
		done, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		done(Success)
		if st := b.Status(); st.State != Closed || st.Opens != 0 || !st.NextProbe.IsZero() {
			t.Fatalf("after successful probe: %+v", st)
		}
		for range 5 {
			fail(t, b)
		}
		if got := time.Until(b.Status().NextProbe); got > 36*time.Second {
			t.Errorf("backoff not reset: next probe in %v", got)
		}
	})
}

func TestIgnoreCountsNeitherWay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := newTestBreaker(t)
		for range 4 {
			fail(t, b)
		}
		done, _ := b.Allow()
		done(Ignore)
		if b.State() != Closed || b.Status().ConsecutiveFailures != 4 {
			t.Fatalf("ignore changed the breaker: %+v", b.Status())
		}
	})
}

func TestResetMakesAFreshBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, changes := newTestBreaker(t)
		for range 5 {
			fail(t, b)
		}
		time.Sleep(10 * time.Second)
		if _, err := b.Allow(); err != ErrOpen {
			t.Fatal("probe allowed before the open period ended")
		}
		b.Reset()
		if st := b.Status(); st.State != Closed || st.Opens != 0 || st.ConsecutiveFailures != 0 || !st.NextProbe.IsZero() {
			t.Fatalf("not a fresh breaker after reset: %+v", st)
		}
		if _, err := b.Allow(); err != nil {
			t.Fatalf("Allow after reset: %v", err)
		}
		last := (*changes)[len(*changes)-1]
		if last != (transition{Open, Closed}) {
			t.Errorf("reset transition %v", last)
		}
		// The fresh breaker opens again after a full threshold, not one failure.
		for range 4 {
			fail(t, b)
		}
		if b.State() != Closed {
			t.Error("a reset breaker remembered earlier failures")
		}
	})
}

func TestConfigurableThresholds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{FailureThreshold: 2, OpenTimeout: time.Second, MaxOpenTimeout: 3 * time.Second})
		fail(t, b)
		fail(t, b)
		if b.State() != Open {
			t.Fatal("threshold 2 not honoured")
		}
		if d := time.Until(b.Status().NextProbe); d < time.Second || d > 1200*time.Millisecond {
			t.Errorf("open period %v", d)
		}
	})
}

// A result reported by an export allowed before the breaker opened (or was
// reset) counts for nothing: it says nothing of the destination now.
func TestStaleResultsCountForNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := newTestBreaker(t)
		early, _ := b.Allow()
		for range 5 {
			fail(t, b)
		}
		early(Success) // allowed while closed, finished after the breaker opened
		if b.State() != Open {
			t.Fatalf("a stale success closed the breaker: %+v", b.Status())
		}
		time.Sleep(time.Hour)
		probe, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		b.Reset()
		probe(Failure) // the probe of a generation an operator reset
		if st := b.Status(); st.State != Closed || st.ConsecutiveFailures != 0 {
			t.Fatalf("a stale probe failure after reset: %+v", st)
		}
	})
}

// An abandoned probe (shutdown, cancellation) lets the next one go at once,
// without a transition an operator would see.
func TestAbandonedProbeIsMadeAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, changes := newTestBreaker(t)
		for range 5 {
			fail(t, b)
		}
		time.Sleep(time.Hour)
		probe, _ := b.Allow()
		probe(Ignore)
		n := len(*changes)
		if b.State() != HalfOpen {
			t.Fatalf("state %v after an abandoned probe, want half-open (a probe is due)", b.State())
		}
		probe, err := b.Allow()
		if err != nil {
			t.Fatalf("second probe: %v", err)
		}
		probe(Success)
		if b.State() != Closed {
			t.Fatal("not closed by the second probe")
		}
		// Half-open was reported with the first probe; the breaker stayed
		// half-open, so the second is not reported again.
		if got := (*changes)[n:]; len(got) != 1 || got[0] != (transition{HalfOpen, Closed}) {
			t.Errorf("transitions after the abandoned probe: %v", got)
		}
	})
}

// The totals are the breaker's life, not its current state's: an open
// breaker shows the failures that opened it.
func TestTotalsSurviveTransitions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := newTestBreaker(t)
		done, _ := b.Allow()
		done(Success)
		for range 5 {
			fail(t, b)
		}
		time.Sleep(time.Hour)
		probe, _ := b.Allow()
		probe(Success)
		st := b.Status()
		if st.TotalFailures != 5 || st.TotalSuccesses != 2 || st.ConsecutiveFailures != 0 {
			t.Errorf("status %+v: want 5 failures and 2 successes in all", st)
		}
		if want := time.Now(); !st.Since.Equal(want) {
			t.Errorf("since %v, want the probe's time %v (the bubble's)", st.Since, want)
		}
	})
}

// Many goroutines report at once; the race detector checks the locking and
// the breaker stays consistent: one opening, one probe at a time.
func TestConcurrentReports(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := newTestBreaker(t)
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for range 100 {
					if done, err := b.Allow(); err == nil {
						done(Failure)
					}
					_ = b.Status()
				}
			})
		}
		wg.Wait()
		if st := b.Status(); st.State != Open || st.Opens != 1 {
			t.Fatalf("after concurrent failures: %+v", st)
		}
		time.Sleep(time.Hour)
		var probes sync.WaitGroup
		var mu sync.Mutex
		allowed := 0
		for range 16 {
			probes.Go(func() {
				if _, err := b.Allow(); err == nil {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			})
		}
		probes.Wait()
		if allowed != 1 {
			t.Errorf("%d probes allowed at once, want 1", allowed)
		}
	})
}

// Ready is what senders ask before taking work: closed, or a probe due
// and none in flight.
func TestReadyWhileProbing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := newTestBreaker(t)
		if !b.Ready() {
			t.Fatal("a closed breaker is not ready")
		}
		for range 5 {
			fail(t, b)
		}
		if b.Ready() {
			t.Fatal("ready while open")
		}
		time.Sleep(time.Hour)
		if !b.Ready() {
			t.Fatal("not ready when the probe is due")
		}
		probe, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		if b.Ready() {
			t.Fatal("ready while the probe is in flight")
		}
		probe(Ignore)
		if !b.Ready() {
			t.Fatal("not ready after the probe was abandoned")
		}
		probe, _ = b.Allow()
		probe(Success)
		if !b.Ready() || b.State() != Closed {
			t.Fatal("not ready once closed")
		}
	})
}
