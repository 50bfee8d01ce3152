// Package verdicts remembers a verdict per trace for a while, swept by
// generations: the export pipeline's sampler's memory of the traces it
// decided. It imports nothing of runtime/export.
package verdicts

import (
	"maps"
	"slices"
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
// is visited three times in its life, not once a second). It is bounded
// in bytes too: past its maximum number of entries the oldest generation
// is forgotten early (at a high rate of traces, a verdict is remembered
// for less than the time asked).
type Map[V any] struct {
	m          map[trace.TraceID]verdict[V]
	maxEntries int
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

// EntryBytes is what one verdict takes in memory, measured with a million
// verdicts (55 bytes, the map's growth included), rounded up.
const EntryBytes = 64

// New returns a Map that remembers each verdict for at least
// remember (and at most one and a half times as long), and at most
// maxEntries verdicts (at least one).
func New[V any](remember time.Duration, maxEntries int, now time.Time) Map[V] {
	return Map[V]{m: map[trace.TraceID]verdict[V]{}, maxEntries: max(maxEntries, 1), began: now, length: max(remember/2, 1)}
}

// Get returns the trace's verdict, if one was noted.
func (v *Map[V]) Get(tid trace.TraceID) (V, bool) {
	x, ok := v.m[tid]
	return x.keep, ok
}

// Put notes the trace's verdict. When the map is full, it first forgets
// the oldest generations' verdicts, early, down to three quarters of its
// entries, and returns how many it forgot.
func (v *Map[V]) Put(tid trace.TraceID, keep V) (forgotten int) {
	if len(v.m) >= v.maxEntries {
		if _, ok := v.m[tid]; !ok {
			forgotten = v.forgetOldest()
		}
	}
	v.m[tid] = verdict[V]{keep: keep, gen: v.gen}
	return forgotten
}

// forgetOldest forgets whole generations, oldest first, until at most
// three quarters of the maximum are left (so that the scan is paid once
// for a quarter of the map, not for each verdict), and begins a new
// generation, so that the verdicts noted next are forgotten after those
// left. It returns how many it forgot.
func (v *Map[V]) forgetOldest() int {
	byAge := map[uint32]int{} // verdicts by their generation's age
	for _, x := range v.m {
		byAge[v.gen-x.gen]++
	}
	ages := slices.Sorted(maps.Keys(byAge))
	left, oldestKept := len(v.m), uint32(0)
	for i := len(ages) - 1; i >= 0; i-- {
		if left <= v.maxEntries*3/4 {
			oldestKept = ages[i]
			break
		}
		left -= byAge[ages[i]]
	}
	n := len(v.m)
	for tid, x := range v.m {
		if left == 0 || v.gen-x.gen > oldestKept {
			delete(v.m, tid)
		}
	}
	v.gen++
	return n - len(v.m)
}

// Age begins a new generation once the current one has lasted its length,
// forgetting the verdicts of the generation that ends its life: a verdict
// noted in a generation that began at b is kept until b plus three
// lengths, more than two lengths after it was noted.
func (v *Map[V]) Age(now time.Time) {
	if now.Sub(v.began) >= v.length {
		v.nextGeneration(now)
	}
}

// nextGeneration begins a generation at began, forgetting the verdicts of
// the one that ends its life, and returns how many it forgot.
func (v *Map[V]) nextGeneration(began time.Time) int {
	v.gen++
	v.began = began
	n := len(v.m)
	for tid, x := range v.m {
		if v.gen-x.gen >= keptGenerations {
			delete(v.m, tid)
		}
	}
	return n - len(v.m)
}
