package runtime

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// DiagnosticsFilter returns a filter for otelhttp.WithFilter that leaves
// the requests to the diagnostics handler mounted under prefix (such as
// "/telemetry") untraced, so that otelhttp around the whole mux starts no
// span for them:
//
//	mux.Handle("/telemetry/", http.StripPrefix("/telemetry", m.DiagnosticsHandler()))
//	h := otelhttp.NewHandler(mux, "server", otelhttp.WithFilter(runtime.DiagnosticsFilter("/telemetry")))
//
// The filter is what keeps them from every exporter: otelhttp starts its
// span before the handler runs. Without it, the handler still keeps the
// span it runs under, and the spans started beneath it, from genaitrace's
// destinations and diagnostics, but not from other span processors of the
// same TracerProvider.
func DiagnosticsFilter(prefix string) func(*http.Request) bool {
	prefix = "/" + strings.Trim(prefix, "/")
	return func(r *http.Request) bool {
		p := r.URL.Path
		if prefix == "/" {
			return false // the handler is mounted at the root: all of it is diagnostics
		}
		return p != prefix && !strings.HasPrefix(p, prefix+"/")
	}
}

// quietKey marks a context as a diagnostics request's: spans started with
// it are not exported.
type quietKey struct{}

// quietHandler marks each request of h, as early as h can: the span the
// request runs under (otelhttp's, started before any handler) and every
// span started beneath it are kept from genaitrace's export.
func quietHandler(q *quietSpans, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if s := trace.SpanFromContext(ctx); s.IsRecording() {
			q.add(s.SpanContext())
		}
		q.requests.Add(1)
		defer q.requests.Add(-1)
		h.ServeHTTP(w, r.WithContext(context.WithValue(ctx, quietKey{}, true)))
	})
}

// quietSpans are the spans genaitrace does not export: the diagnostics
// handler's requests and what they start. A span leaves the set when it
// ends; entries of spans that never reach this processor (a span of
// another TracerProvider) expire. While the set is empty the processor's
// cost is one atomic load per span.
type quietSpans struct {
	n        atomic.Int32 // entries in m
	requests atomic.Int32 // diagnostics requests being served
	mu       sync.Mutex
	m        map[spanKey]time.Time
}

type spanKey struct {
	trace trace.TraceID
	span  trace.SpanID
}

// Bounds of the quiet set: beyond quietMax entries a request is traced
// (no harm but a span), and entries older than quietExpiry are spans that
// will not end here.
const (
	quietMax    = 4096
	quietExpiry = time.Minute
)

func keyOf(sc trace.SpanContext) spanKey { return spanKey{sc.TraceID(), sc.SpanID()} }

// active reports whether any span is quiet: the one check on the caller's
// path when none is.
func (q *quietSpans) active() bool { return q.n.Load() > 0 }

func (q *quietSpans) add(sc trace.SpanContext) {
	now := time.Now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.m == nil {
		q.m = map[spanKey]time.Time{}
	}
	if len(q.m) >= 64 {
		for k, at := range q.m {
			if now.Sub(at) > quietExpiry {
				delete(q.m, k)
			}
		}
	}
	if len(q.m) < quietMax {
		q.m[keyOf(sc)] = now
	}
	q.n.Store(int32(len(q.m)))
}

// starts notes a span started with ctx: quiet when ctx is a diagnostics
// request's.
func (q *quietSpans) starts(ctx context.Context, sc trace.SpanContext) {
	if (q.active() || q.requests.Load() > 0) && ctx.Value(quietKey{}) != nil {
		q.add(sc)
	}
}

// ends reports whether a span that ended is quiet, and forgets it.
func (q *quietSpans) ends(sc trace.SpanContext) bool {
	if !q.active() {
		return false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	k := keyOf(sc)
	if _, ok := q.m[k]; !ok {
		return false
	}
	delete(q.m, k)
	q.n.Store(int32(len(q.m)))
	return true
}
