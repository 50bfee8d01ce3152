package verdicts

import (
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// TestVerdictsAreRememberedLongEnough: a verdict is found for at least the
// time asked for, and forgotten by one and a half times it.
func TestVerdictsAreRememberedLongEnough(t *testing.T) {
	start := time.Unix(1000, 0)
	const remember = time.Minute
	for _, offset := range []time.Duration{0, time.Second, 29 * time.Second, 30 * time.Second, 59 * time.Second} {
		v := New[int](remember, 1<<20, start)
		now := start
		step := func(d time.Duration) {
			for end := now.Add(d); now.Before(end); {
				now = now.Add(time.Second)
				v.Age(now)
			}
		}
		step(offset)
		tid := trace.TraceID{1}
		v.Put(tid, 7)
		step(remember)
		if keep, ok := v.Get(tid); !ok || keep != 7 {
			t.Errorf("noted %v in: forgotten %v later", offset, remember)
		}
		step(remember / 2)
		if _, ok := v.Get(tid); ok {
			t.Errorf("noted %v in: still remembered %v later", offset, 3*remember/2)
		}
	}
}

// TestVerdictsAreBoundedInEntries: at most maxEntries verdicts are held;
// the oldest go first (what is held is the newest noted), every verdict
// forgotten early is counted, and replacing one forgets nothing.
func TestVerdictsAreBoundedInEntries(t *testing.T) {
	v := New[int](time.Minute, 100, time.Unix(1000, 0))
	forgotten := 0
	for i := range 1000 {
		forgotten += v.Put(tid(i), i)
		if len(v.m) > 100 {
			t.Fatalf("%d verdicts held after %d, want at most 100", len(v.m), i+1)
		}
	}
	if forgotten+len(v.m) != 1000 || len(v.m) < 75 {
		t.Errorf("%d forgotten + %d held, want the 1000 noted, at least 75 held", forgotten, len(v.m))
	}
	for i := 1000 - len(v.m); i < 1000; i++ {
		if keep, ok := v.Get(tid(i)); !ok || keep != i {
			t.Errorf("the verdict noted %dth is forgotten, an older one held", i)
		}
	}
	if n := v.Put(tid(999), 1); n != 0 {
		t.Errorf("replacing a verdict forgot %d", n)
	}
}

// tid is the i-th trace ID of a test.
func tid(i int) trace.TraceID { return trace.TraceID{byte(i), byte(i >> 8)} }
