package export

import (
	"sync/atomic"
	"time"
)

// pressure makes the destinations' encoders give way to the pipeline's
// batcher while spans pile up waiting for it: a burst from a tight loop.
// On two cores the application's goroutine, the batcher and the encoders
// share the CPU, and the scheduler gives the batcher, woken from the
// application's goroutine, no more than its turn: spans then pile up as
// snapshots until the budget sheds them. What the batcher does with them
// under pressure (holding them compactly, held.go) costs a fraction of
// encoding them, so the encoders wait a moment, and the encoding is done
// once the batcher has caught up: later, never lost.
type pressure struct {
	on     atomic.Bool
	relief atomic.Pointer[chan struct{}]
}

// yieldMax bounds one wait of an encoder for relief: an encoder is never
// stopped for long, whatever the batcher does.
const yieldMax = 2 * time.Millisecond

func newPressure() *pressure {
	pr := &pressure{}
	ch := make(chan struct{})
	pr.relief.Store(&ch)
	return pr
}

// raise turns the pressure on. It runs on the caller's path: a load, and
// a store when it was off.
func (pr *pressure) raise() {
	if !pr.on.Load() {
		pr.on.Store(true)
	}
}

// relieve turns the pressure off, waking the encoders that wait.
func (pr *pressure) relieve() {
	if !pr.on.Load() {
		return
	}
	ch := make(chan struct{})
	old := pr.relief.Swap(&ch)
	pr.on.Store(false)
	close(*old)
}

// yield waits, while the pressure is on, for relief or yieldMax, whichever
// comes first. t is the encoder's own timer, stopped.
func (pr *pressure) yield(t *time.Timer) {
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
