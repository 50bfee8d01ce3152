package runtime

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/export"
)

// readBack confirms, now and then, that traces delivered to Langfuse
// appear there: it reads one back through Langfuse's public API
// (GET /api/public/v2/observations?traceId=...) with the project's keys,
// which the destination's client adds to each request.
// "Langfuse answered 200 but the trace never appeared" (keys of another
// project, a region mix-up) then shows in /health and the destinations
// view instead of going unnoticed. It runs in its own goroutine, makes at
// most one request per check interval, and never reports to the
// application.
type readBack struct {
	base   string // the URL of Langfuse's observations API
	client *http.Client
	log    *slog.Logger
	timing readBackTiming

	mu      sync.Mutex
	pending []delivery // oldest first, bounded
	status  export.ReadBackStatus

	stop chan struct{}
	done chan struct{}
}

// delivery is one trace delivered, to look for.
type delivery struct {
	trace       trace.TraceID
	start, sent time.Time
}

// readBackTiming: how often to check, how long after delivery a trace is
// looked for (Langfuse shows a trace within seconds with ingestion
// version 4), and after how long a trace still not found counts as
// missing.
type readBackTiming struct {
	every, settle, missingAfter time.Duration
}

// readBackTimingNow is the timing new managers use; tests shorten it.
var readBackTimingNow = readBackTiming{every: 30 * time.Second, settle: 10 * time.Second, missingAfter: 2 * time.Minute}

// maxPending bounds the deliveries remembered for checking.
const maxPending = 16

func newReadBack(base string, client *http.Client, log *slog.Logger, timing readBackTiming) *readBack {
	r := &readBack{base: langfuseAPI(base, "/api/public/v2/observations"), client: client, log: log, timing: timing,
		stop: make(chan struct{}), done: make(chan struct{})}
	go r.loop()
	return r
}

// delivered notes a delivered trace; it is called by the destination's
// senders and never blocks.
func (r *readBack) delivered(tid trace.TraceID, start time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.pending {
		if p.trace == tid {
			return
		}
	}
	if len(r.pending) == maxPending {
		r.pending = r.pending[1:]
	}
	r.pending = append(r.pending, delivery{trace: tid, start: start, sent: time.Now()})
}

func (r *readBack) loop() {
	defer close(r.done)
	t := time.NewTicker(r.timing.every)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			r.check()
		}
	}
}

// check looks for the oldest delivery old enough to be visible.
func (r *readBack) check() {
	r.mu.Lock()
	if len(r.pending) == 0 || time.Since(r.pending[0].sent) < r.timing.settle {
		r.mu.Unlock()
		return
	}
	d := r.pending[0]
	r.pending = r.pending[1:]
	r.mu.Unlock()

	found, err := r.find(d)
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status.Checks++
	r.status.LastCheck = now
	switch {
	case err != nil:
		r.status.LastError = err.Error()
		r.pending = append([]delivery{d}, r.pending...) // not a verdict: try it again
	case found:
		r.status.LastError = ""
		r.status.LastConfirmed, r.status.ConfirmedTrace = now, d.trace.String()
		r.status.Missing, r.status.MissingTrace, r.status.MissingSince = false, "", time.Time{}
	case now.Sub(d.sent) >= r.timing.missingAfter:
		r.status.LastError = ""
		if !r.status.Missing {
			r.log.Warn("genaitrace: a trace Langfuse accepted does not appear in Langfuse; check that LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY are the keys of the project you are looking at, and the region of LANGFUSE_HOST",
				"trace_id", d.trace.String(), "delivered", d.sent)
			r.status.MissingSince = now
		}
		r.status.Missing, r.status.MissingTrace = true, d.trace.String()
	default:
		r.status.LastError = ""
		r.pending = append(r.pending, d) // not yet: look again later
	}
}

// find asks Langfuse for the trace's observations.
func (r *readBack) find(d delivery) (bool, error) {
	q := url.Values{}
	q.Set("traceId", d.trace.String())
	q.Set("fields", "core")
	q.Set("limit", "1")
	q.Set("fromStartTime", d.start.Add(-time.Minute).UTC().Format(time.RFC3339))
	page, err := getObservations(context.Background(), r.client, r.base, q)
	var ae *apiError
	switch {
	case errors.As(err, &ae) && ae.status == http.StatusNotFound:
		return false, nil
	case err != nil:
		return false, err
	}
	for _, o := range page.Data {
		if o.TraceID == d.trace.String() {
			return true, nil
		}
	}
	return false, nil
}

// snapshot returns the read-back's status.
func (r *readBack) snapshot() *export.ReadBackStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.status
	return &st
}

func (r *readBack) close() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	<-r.done
}
