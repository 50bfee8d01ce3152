package export

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/breaker"
)

// fakeClock is the breaker's one clock in tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestBreakerOnAFakeClockEndToEnd drives a destination's breaker through
// all its states over real HTTP, its time given by a fake clock: a
// refusing destination opens it; however long the senders poll, no
// request goes out until the clock reaches the probe; a failed probe
// doubles the open period; a successful one closes the breaker and the
// spooled spans are delivered, each once.
func TestBreakerOnAFakeClockEndToEnd(t *testing.T) {
	r := otlptest.New(t)
	r.SetMode(otlptest.Refuse)
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	br := breaker.New(breaker.Settings{Name: "e2e", FailureThreshold: 2, OpenTimeout: time.Minute, MaxOpenTimeout: time.Hour, Now: clk.Now})
	d, err := NewDestination(withDefaults(DestinationConfig{Name: "e2e", Breaker: br, SpoolDir: t.TempDir(), PollInterval: 5 * time.Millisecond, MaxInFlight: 1,
		Retry: RetryPolicy{MaxAttempts: 1}, URL: r.URL() + "/v1/traces", Client: &http.Client{Timeout: time.Second}}))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPipeline(PipelineConfig{MaxBatch: 10, BatchTimeout: time.Hour}, d)
	spans := recordSpans(t, resource.Empty(), func(tp trace.TracerProvider) {
		for i := range 30 {
			_, s := tp.Tracer("t").Start(context.Background(), "s"+strconv.Itoa(i))
			s.End()
		}
	})
	for _, s := range spans {
		p.Accept(*s, ValuePlain, 100)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.dispatch()
	waitFor(t, func() bool { return br.State() == breaker.Open })
	if err := d.Flush(ctx); err != nil { // everything is on disk now
		t.Fatal(err)
	}
	refused := len(r.Requests())
	if refused != 2 {
		t.Errorf("%d requests before the breaker opened, want the threshold, 2", refused)
	}

	// Real time passes, the clock does not: no request.
	time.Sleep(50 * time.Millisecond)
	if n := len(r.Requests()); n != refused {
		t.Fatalf("%d requests while the breaker was open on its clock", n-refused)
	}
	first := br.Status().Backoff

	// The probe is due and fails: open again, for twice as long.
	clk.advance(first)
	waitFor(t, func() bool { return len(r.Requests()) == refused+1 && br.State() == breaker.Open })
	if second := br.Status().Backoff; second < 2*time.Minute || second < first {
		t.Errorf("open periods %v then %v: want the second doubled", first, second)
	}

	// The destination is back; the next probe succeeds and the spool
	// drains.
	r.SetMode(otlptest.Accept)
	clk.advance(br.Status().Backoff)
	got := r.WaitSpans(t, 30, 10*time.Second)
	if unique, dups := r.Unique(); len(got) != 30 || unique != 30 || dups != 0 {
		t.Errorf("%d spans (%d unique, %d duplicates) delivered, want 30 once", len(got), unique, dups)
	}
	if st := br.Status(); st.State != breaker.Closed || st.TotalFailures != 3 || st.Opens != 0 {
		t.Errorf("breaker after recovery: %+v", st)
	}
	_ = p.Shutdown(ctx)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
