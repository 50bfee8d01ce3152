// Package pressure is the signal by which the export pipeline's batcher,
// falling behind a burst, makes the destinations' encoders give way to it
// for a moment. It imports nothing of runtime/export.
package pressure

import (
	"sync/atomic"
	"time"
)

// Pressure makes the destinations' encoders give way to the pipeline's
// batcher while spans pile up waiting for it: a burst from a tight loop.
// On two cores the application's goroutine, the batcher and the encoders
// share the CPU, and the scheduler gives the batcher, woken from the
// application's goroutine, no more than its turn: spans then pile up as
// snapshots until the budget sheds them. What the batcher does with them
// under pressure (holding them compactly, runtime/export's held.go) costs
// a fraction of encoding them, so the encoders wait a moment, and the
// encoding is done once the batcher has caught up: later, never lost.
type Pressure struct {
	on     atomic.Bool
	relief atomic.Pointer[chan struct{}]
}

// yieldMax bounds one wait of an encoder for relief: an encoder is never
// stopped for long, whatever the batcher does.
const yieldMax = 2 * time.Millisecond

// New returns a pressure that is off.
func New() *Pressure {
	pr := &Pressure{}
	ch := make(chan struct{})
	pr.relief.Store(&ch)
	return pr
}

// Raise turns the pressure on. It runs on the caller's path: a load, and
// a store when it was off.
func (pr *Pressure) Raise() {
	if !pr.on.Load() {
		pr.on.Store(true)
	}
}

// Relieve turns the pressure off, waking the encoders that wait.
func (pr *Pressure) Relieve() {
	if !pr.on.Load() {
		return
	}
	ch := make(chan struct{})
	old := pr.relief.Swap(&ch)
	pr.on.Store(false)
	close(*old)
}

// Yield waits, while the pressure is on, for relief or yieldMax, whichever
// comes first; a nil Pressure never waits. t is the encoder's own timer,
// stopped.
func (pr *Pressure) Yield(t *time.Timer) {
	if pr == nil || !pr.on.Load() {
		return
	}
	ch := pr.relief.Load()
	if !pr.on.Load() {
		return
	}
	t.Reset(yieldMax)
	select {
	case <-*ch:
		t.Stop()
	case <-t.C:
	}
}

// On reports whether the pressure is on.
func (pr *Pressure) On() bool { return pr.on.Load() }
