package export

import (
	"context"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/breaker"
)

// TestBreakerEndToEndInABubble drives a destination's breaker through all
// its states over HTTP (in-memory connections, the same protocol), in a
// synctest bubble where the open periods of minutes pass in no wall time:
// a refusing destination opens it; however long the senders poll, no
// request goes out until the probe is due; a failed probe doubles the open
// period; a successful one closes the breaker and the spooled spans are
// delivered, each once.
func TestBreakerEndToEndInABubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, client := otlptest.NewInMemory(t)
		r.SetMode(otlptest.Refuse)
		br := breaker.New(breaker.Settings{Name: "e2e", FailureThreshold: 2, OpenTimeout: time.Minute, MaxOpenTimeout: time.Hour})
		d, err := NewDestination(withDefaults(DestinationConfig{Name: "e2e", Breaker: br, URL: r.URL() + "/v1/traces", Client: client,
			Settings: DestinationSettings{SpoolDir: t.TempDir(), PollInterval: 5 * time.Millisecond, MaxInFlight: 1, Retry: RetryPolicy{MaxAttempts: 1}}}))
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
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
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
		st := br.Status()
		first := st.Backoff

		// The senders poll every 5 ms; until the probe is due, no request.
		time.Sleep(time.Until(st.NextProbe) - time.Millisecond)
		if n := len(r.Requests()); n != refused {
			t.Fatalf("%d requests in an open period of %v, 1 ms before the probe", n-refused, first)
		}

		// The probe is due and fails: open again, for twice as long.
		time.Sleep(time.Millisecond)
		waitFor(t, func() bool { return len(r.Requests()) == refused+1 && br.State() == breaker.Open })
		if second := br.Status().Backoff; second < 2*time.Minute || second < first {
			t.Errorf("open periods %v then %v: want the second doubled", first, second)
		}

		// The destination is back; the next probe succeeds and the spool
		// drains.
		r.SetMode(otlptest.Accept)
		time.Sleep(br.Status().Backoff)
		got := r.WaitSpans(t, 30, 10*time.Second)
		if unique, dups := r.Unique(); len(got) != 30 || unique != 30 || dups != 0 {
			t.Errorf("%d spans (%d unique, %d duplicates) delivered, want 30 once", len(got), unique, dups)
		}
		if st := br.Status(); st.State != breaker.Closed || st.TotalFailures != 3 || st.Opens != 0 {
			t.Errorf("breaker after recovery: %+v", st)
		}
		_ = p.Shutdown(ctx)
	})
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
