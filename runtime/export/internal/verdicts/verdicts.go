// Package verdicts remembers a verdict per trace for a while, swept by
// generations: the export pipeline's sampler's memory of the traces it
// decided. It imports nothing of runtime/export.
package verdicts

import (
	"time"

	"go.opentelemetry.io/otel/trace"
)

// Map remembers the sampler's verdict (a V) on each trace for at least a
// given time, for the trace's spans that end after it was decided (a
// goroutine that starts a span from a request's context after its root
// ended). There is one entry per trace decided in that time, a lone root's
// included, and every span looks its trace up, most of them in vain: so
// one map (a miss costs one probe), with no pointers for the collector to
// scan, and swept once a generation rather than every second (each entry
// is visited three times in its life, not once a second).
type Map[V any] struct {
	m map[trace.TraceID]verdict[V]
	// gen is the generation being written, which began at began; each
	// lasts length.
	gen    uint32
	began  time.Time
	length time.Duration
}

// verdict is a noted verdict and the generation it was noted in.
type verdict[V any] struct {
	keep V
	gen  uint32
}

// keptGenerations is how many generations a verdict lives: the one it was
// noted in and two more, so that it is kept more than two lengths.
const keptGenerations = 3

// New returns a Map that remembers each verdict for at least
// remember (and at most one and a half times as long).
func New[V any](remember time.Duration, now time.Time) Map[V] {
	return Map[V]{m: map[trace.TraceID]verdict[V]{}, began: now, length: max(remember/2, 1)}
}

// Get returns the trace's verdict, if one was noted.
func (v *Map[V]) Get(tid trace.TraceID) (V, bool) {
	x, ok := v.m[tid]
	return x.keep, ok
}

// Put notes the trace's verdict.
func (v *Map[V]) Put(tid trace.TraceID, keep V) {
	v.m[tid] = verdict[V]{keep: keep, gen: v.gen}
}

// Age begins a new generation once the current one has lasted its length,
// forgetting the verdicts of the generation that ends its life: a verdict
// noted in a generation that began at b is kept until b plus three
// lengths, more than two lengths after it was noted.
func (v *Map[V]) Age(now time.Time) {
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
