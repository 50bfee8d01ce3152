package diag

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/export"
)

func spansOf(t *testing.T, build func(tr trace.Tracer)) []*export.Span {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	build(tp.Tracer("t"))
	var out []*export.Span
	for _, s := range rec.Ended() {
		out = append(out, &export.Span{ReadOnlySpan: s, Facts: &export.Facts{}})
	}
	return out
}

func TestStoreBoundedInBytes(t *testing.T) {
	s := NewStore(64<<10, false)
	spans := spansOf(t, func(tr trace.Tracer) {
		for range 500 {
			_, sp := tr.Start(context.Background(), "op", trace.WithAttributes(attribute.String("k", "some value")))
			sp.End()
		}
	})
	s.Consume(spans)
	st := s.stats()
	if st.Bytes > 64<<10 || st.EvictedTraces == 0 || st.Traces == 0 || int64(st.Traces)+st.EvictedTraces+st.SkippedSpans != 500 {
		t.Errorf("store: %+v", st)
	}
}

// Above storeSpanRate the store keeps a share of traces, chosen by trace
// ID so that every span of a stored trace is stored, and all again once
// the rate falls.
func TestStoreAdmission(t *testing.T) {
	s := NewStore(1<<30, false)
	now := time.Now()
	s.admit.windowStart = now
	ids := make([]trace.TraceID, 4*storeSpanRate)
	for i := range ids {
		_, _ = rand.Read(ids[i][:])
	}
	for _, id := range ids { // 4,000 spans in the first second: all stored
		if !s.admit.admits(id, now) {
			t.Fatal("a span of the first window was not stored")
		}
	}
	later := now.Add(time.Second)
	stored := map[trace.TraceID]bool{}
	for range 3 { // each trace's spans get the same answer
		for _, id := range ids {
			ok := s.admit.admits(id, later)
			if prev, seen := stored[id]; seen && prev != ok {
				t.Fatalf("trace %s: stored %v, then %v", id, prev, ok)
			}
			stored[id] = ok
		}
	}
	n := 0
	for _, ok := range stored {
		if ok {
			n++
		}
	}
	if want := len(ids) / 4; n < want*8/10 || n > want*12/10 { // a quarter of traces, give or take
		t.Errorf("at 4x the rate, %d of %d traces stored; want about %d", n, len(ids), want)
	}
	if got := s.admit.share(); got < 0.24 || got > 0.26 {
		t.Errorf("share %.3f, want 0.25", got)
	}
	s.admit.admits(ids[0], later.Add(time.Second)) // closes a window of 12,000 spans in a second
	if got := s.admit.share(); got < 0.08 || got > 0.09 {
		t.Errorf("share %.3f after 12,000 spans in a second, want 1/12", got)
	}
	s.admit.admits(ids[0], later.Add(3*time.Second))
	if got := s.admit.share(); got != 1 {
		t.Errorf("share %.3f after a quiet window, want 1", got)
	}
}
