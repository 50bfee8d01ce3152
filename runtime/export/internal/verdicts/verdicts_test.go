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
		v := New[int](remember, start)
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
