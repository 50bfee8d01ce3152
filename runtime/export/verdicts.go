package export

import (
	"time"

	"go.opentelemetry.io/otel/trace"
)

// verdicts remembers the sampler's verdict on each trace for at least a
// given time, for the trace's spans that end after it was decided (a
// goroutine that starts a span from a request's context after its root
// ended). There is one entry per trace decided in that time, a lone root's
// included, and every span looks its trace up, most of them in vain: so
// one map (a miss costs one probe), with no pointers for the collector to
// scan, and swept once a generation rather than every second (each entry
// is visited three times in its life, not once a second).
type verdicts struct {
	m map[trace.TraceID]verdict
	// gen is the generation being written, which began at began; each
	// lasts length.
	gen    uint32
	began  time.Time
	length time.Duration
}

// verdict is a noted verdict and the generation it was noted in.
type verdict struct {
	keep KeepReason
	gen  uint32
}

// keptGenerations is how many generations a verdict lives: the one it was
// noted in and two more, so that it is kept more than two lengths.
const keptGenerations = 3

// newVerdicts returns verdicts that remember each one for at least
// remember (and at most one and a half times as long).
func newVerdicts(remember time.Duration, now time.Time) verdicts {
	return verdicts{m: map[trace.TraceID]verdict{}, began: now, length: max(remember/2, 1)}
}

// get returns the trace's verdict, if one was noted.
func (v *verdicts) get(tid trace.TraceID) (KeepReason, bool) {
	x, ok := v.m[tid]
	return x.keep, ok
}

// put notes the trace's verdict.
func (v *verdicts) put(tid trace.TraceID, keep KeepReason) {
	v.m[tid] = verdict{keep: keep, gen: v.gen}
}

// age begins a new generation once the current one has lasted its length,
// forgetting the verdicts of the generation that ends its life: a verdict
// noted in a generation that began at b is kept until b plus three
// lengths, more than two lengths after it was noted.
func (v *verdicts) age(now time.Time) {
	if now.Sub(v.began) < v.length {
		return
	}
	v.gen++
	v.began = now
	for tid, x := range v.m {
		if v.gen-x.gen >= keptGenerations {
			delete(v.m, tid)
		}
	}
}
