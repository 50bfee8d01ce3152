package diag

import (
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// span makes a stored span from ms offsets.
func span(id, parent byte, name string, start, end int) *storedSpan {
	t0 := time.Unix(1_700_000_000, 0)
	s := &storedSpan{name: name, spanID: trace.SpanID{id}, start: t0.Add(time.Duration(start) * time.Millisecond),
		end: t0.Add(time.Duration(end) * time.Millisecond)}
	if parent != 0 {
		s.parentID = trace.SpanID{parent}
	}
	return s
}

// The critical path follows what the root waited for, as Jaeger computes
// it: not only the child that ends last, but, walking back, the child that
// finished before that one started, and the parent's own time between
// them; a zero-length span is not on it.
func TestCriticalPathAsJaeger(t *testing.T) {
	// root 0..100: a 0..30 (its child a1 5..25), b 40..90, c 90..90 (zero
	// length, ends last), d 10..35 overlapping a.
	spans := []*storedSpan{
		span(1, 0, "root", 0, 100),
		span(2, 1, "a", 0, 30),
		span(3, 2, "a1", 5, 25),
		span(4, 1, "b", 40, 90),
		span(5, 1, "c", 90, 90),
		span(6, 1, "d", 10, 35),
	}
	got := criticalPath(spans)
	want := map[string]time.Duration{
		"root": 10*time.Millisecond + 5*time.Millisecond + 10*time.Millisecond, // 90..100, 35..40, 0..10
		"b":    50 * time.Millisecond,
		"d":    25 * time.Millisecond, // 10..35: finished last before b started
	}
	names := map[trace.SpanID]string{}
	for _, s := range spans {
		names[s.spanID] = s.name
	}
	for id, d := range got {
		if want[names[id]] != d {
			t.Errorf("%s: critical %v, want %v", names[id], d, want[names[id]])
		}
	}
	for name, d := range want {
		found := false
		for id := range got {
			found = found || names[id] == name
		}
		if !found {
			t.Errorf("%s (%v) is not on the critical path: %v", name, d, got)
		}
	}
	var sum time.Duration
	for _, d := range got {
		sum += d
	}
	if sum != 100*time.Millisecond {
		t.Errorf("the critical path covers %v of the root's 100 ms", sum)
	}
}
