package breaker

import (
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type transition struct{ from, to State }

func newTestBreaker(t *testing.T) (*Breaker, *clock, *[]transition) {
	t.Helper()
	c := &clock{now: time.Unix(1_700_000_000, 0)}
	var changes []transition
	b := New(Settings{Name: "dest", Now: c.Now, OnStateChange: func(_ string, from, to State) {
		changes = append(changes, transition{from, to})
	}})
	return b, c, &changes
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
	b, _, changes := newTestBreaker(t)
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
}

func TestExponentialBackoffUpToMax(t *testing.T) {
	b, clk, changes := newTestBreaker(t)
	for range 5 {
		fail(t, b)
	}
	// Open periods: 30s, 60s, 120s, 240s, then capped at 300s; jitter adds
	// up to 20%, capped at the maximum.
	wants := []time.Duration{30, 60, 120, 240, 300, 300}
	for i, w := range wants {
		w *= time.Second
		st := b.Status()
		got := st.NextProbe.Sub(clk.Now())
		if got < w || got > min(w+w/5, DefaultMaxOpenTimeout) {
			t.Fatalf("opening %d: next probe in %v, want %v..+20%% (max 5m)", i+1, got, w)
		}
		// No probe before it is due.
		clk.advance(got - time.Millisecond)
		if _, err := b.Allow(); err != ErrOpen {
			t.Fatalf("opening %d: probe allowed early", i+1)
		}
		clk.advance(time.Millisecond)
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
	clk.advance(DefaultMaxOpenTimeout)
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
	if got := b.Status().NextProbe.Sub(clk.Now()); got > 36*time.Second {
		t.Errorf("backoff not reset: next probe in %v", got)
	}
}

func TestIgnoreCountsNeitherWay(t *testing.T) {
	b, _, _ := newTestBreaker(t)
	for range 4 {
		fail(t, b)
	}
	done, _ := b.Allow()
	done(Ignore)
	if b.State() != Closed || b.Status().ConsecutiveFailures != 4 {
		t.Fatalf("ignore changed the breaker: %+v", b.Status())
	}
}

func TestPostponeProbeAndReset(t *testing.T) {
	b, clk, changes := newTestBreaker(t)
	b.PostponeProbe(clk.Now().Add(time.Hour)) // closed: no effect
	if !b.Status().NextProbe.IsZero() {
		t.Fatal("postponed a probe while closed")
	}
	for range 5 {
		fail(t, b)
	}
	b.PostponeProbe(clk.Now().Add(10 * time.Minute))
	clk.advance(6 * time.Minute)
	if _, err := b.Allow(); err != ErrOpen {
		t.Fatal("probe allowed before the postponed time")
	}
	b.Reset()
	if b.State() != Closed {
		t.Fatal("not closed after reset")
	}
	if _, err := b.Allow(); err != nil {
		t.Fatalf("Allow after reset: %v", err)
	}
	last := (*changes)[len(*changes)-1]
	if last != (transition{Open, Closed}) {
		t.Errorf("reset transition %v", last)
	}
}

func TestConfigurableThresholds(t *testing.T) {
	c := &clock{now: time.Unix(0, 0)}
	b := New(Settings{FailureThreshold: 2, OpenTimeout: time.Second, MaxOpenTimeout: 3 * time.Second, Now: c.Now})
	fail(t, b)
	fail(t, b)
	if b.State() != Open {
		t.Fatal("threshold 2 not honoured")
	}
	if d := b.Status().NextProbe.Sub(c.Now()); d < time.Second || d > 1200*time.Millisecond {
		t.Errorf("open period %v", d)
	}
}
