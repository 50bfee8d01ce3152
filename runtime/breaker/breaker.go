// Package breaker is genaitrace's per-destination circuit breaker: one
// state machine on one clock, with an exponential backoff of the open period
// and a status that diagnostics can show.
//
// A breaker opens after FailureThreshold consecutive failed attempts. The first
// probe is allowed OpenTimeout later; each time a probe fails the open period
// doubles, up to MaxOpenTimeout, and a success closes the breaker and resets
// the backoff. Half-open lets exactly one export through.
//
// Every decision reads the one clock of Settings.Now, so tests drive a
// breaker through all its states without sleeping. (gobreaker, which an
// earlier version wrapped, reads time.Now itself and has a fixed open
// period: the backoff then lived beside its state machine, on another
// clock.)
package breaker

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Defaults, as the resilience design asks.
const (
	DefaultFailureThreshold = 5
	DefaultOpenTimeout      = 30 * time.Second
	DefaultMaxOpenTimeout   = 5 * time.Minute
)

// ErrOpen is returned by Allow while the breaker is open or while its single
// half-open probe is in flight.
var ErrOpen = errors.New("circuit breaker is open")

// State is a breaker state.
type State int

// The breaker states.
const (
	Closed State = iota
	HalfOpen
	Open
)

// String returns "closed", "half-open" or "open".
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case HalfOpen:
		return "half-open"
	case Open:
		return "open"
	}
	return "unknown"
}

// MarshalText renders the state as its name, for JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state's name.
func (s *State) UnmarshalText(b []byte) error {
	for _, st := range []State{Closed, HalfOpen, Open} {
		if st.String() == string(b) {
			*s = st
			return nil
		}
	}
	return fmt.Errorf("breaker: unknown state %q; want closed, half-open or open", b)
}

// Result is the outcome of one export, reported through the done function
// that Allow returns.
type Result int

// Export outcomes.
const (
	// Success: the destination answered and took the data (or rejected the
	// data itself, which proves the destination is up).
	Success Result = iota
	// Failure: the destination is down, refused, timed out or overloaded.
	Failure
	// Ignore: the export was abandoned by us (shutdown, cancellation); it
	// counts neither way.
	Ignore
)

// Settings configure a Breaker. Zero fields take the defaults.
type Settings struct {
	Name             string
	FailureThreshold uint32
	OpenTimeout      time.Duration
	MaxOpenTimeout   time.Duration
	// OnStateChange is called once per transition (half-open when a probe
	// is let through). It may run while the breaker's lock is held: it must
	// not call back into the breaker.
	OnStateChange func(name string, from, to State)
	// Now is the clock; tests replace it.
	Now func() time.Time
}

func (s Settings) withDefaults() Settings {
	if s.FailureThreshold == 0 {
		s.FailureThreshold = DefaultFailureThreshold
	}
	if s.OpenTimeout <= 0 {
		s.OpenTimeout = DefaultOpenTimeout
	}
	if s.MaxOpenTimeout < s.OpenTimeout {
		s.MaxOpenTimeout = max(DefaultMaxOpenTimeout, s.OpenTimeout)
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	return s
}

// Breaker guards one destination. It is safe for concurrent use.
type Breaker struct {
	s Settings

	mu    sync.Mutex
	state State
	// probing is set while the one half-open probe is in flight.
	probing bool
	// gen changes with every transition: a result reported by an export
	// allowed in an earlier generation (before the breaker opened, or was
	// reset) counts for nothing.
	gen                 uint64
	consecutiveFailures uint32
	totalFailures       uint64
	totalSuccesses      uint64
	opens               int32         // consecutive openings without a success
	backoff             time.Duration // the current open period
	nextProbe           time.Time     // when open: the earliest probe
	since               time.Time     // the last transition
}

// New returns a closed breaker.
func New(s Settings) *Breaker {
	b := &Breaker{s: s.withDefaults()}
	b.since = b.s.Now()
	return b
}

// change is a state change to report once the lock is released.
type change struct{ from, to State }

// Allow asks whether an export may start now. If it may, the caller must
// report the export's outcome by calling done exactly once. While the breaker
// is open, or its one half-open probe is in flight, Allow returns ErrOpen.
func (b *Breaker) Allow() (done func(Result), err error) {
	b.mu.Lock()
	now := b.s.Now()
	var t *change
	switch {
	case b.state == Closed:
	case b.probing || now.Before(b.nextProbe):
		b.mu.Unlock()
		return nil, ErrOpen
	default: // open, and the probe is due
		b.probing = true
		t = b.moveTo(HalfOpen, now)
	}
	gen := b.gen
	b.mu.Unlock()
	b.report(t)
	var once sync.Once
	return func(r Result) { once.Do(func() { b.done(gen, r) }) }, nil
}

// done settles one export allowed in generation gen.
func (b *Breaker) done(gen uint64, r Result) {
	b.mu.Lock()
	if gen != b.gen {
		b.mu.Unlock()
		return
	}
	now := b.s.Now()
	var t *change
	switch r {
	case Success:
		b.totalSuccesses++
		b.consecutiveFailures = 0
		if b.state == HalfOpen {
			b.opens, b.backoff, b.nextProbe = 0, 0, time.Time{}
			t = b.moveTo(Closed, now)
		}
	case Failure:
		b.totalFailures++
		b.consecutiveFailures++
		if b.state == HalfOpen || b.consecutiveFailures >= b.s.FailureThreshold {
			t = b.open(now)
		}
	default: // Ignore: a probe abandoned by us may be made again at once
		if b.state == HalfOpen {
			// Back to open with the probe still due: to an operator the
			// breaker stays half-open, so nothing is reported.
			b.state, b.probing = Open, false
			b.gen++
		}
	}
	b.mu.Unlock()
	b.report(t)
}

// open starts an open period, longer than the last one. It runs under mu.
func (b *Breaker) open(now time.Time) *change {
	b.opens++
	b.backoff = b.openPeriod(b.opens)
	b.nextProbe = now.Add(b.backoff)
	b.probing = false
	return b.moveTo(Open, now)
}

// moveTo changes the state and starts a new generation. It runs under mu.
func (b *Breaker) moveTo(to State, now time.Time) *change {
	t := &change{b.state, to}
	b.state, b.since = to, now
	b.gen++
	if to != HalfOpen {
		b.probing = false
	}
	return t
}

// report tells OnStateChange of a transition, outside the lock.
func (b *Breaker) report(t *change) {
	if t != nil && t.from != t.to && b.s.OnStateChange != nil {
		b.s.OnStateChange(b.s.Name, t.from, t.to)
	}
}

// openPeriod is OpenTimeout·2^(k-1) plus up to 20% jitter, capped at
// MaxOpenTimeout. Jitter only lengthens the period: the configured open
// timeout is the shortest wait before a probe.
func (b *Breaker) openPeriod(k int32) time.Duration {
	d := b.s.OpenTimeout
	for i := int32(1); i < k && d < b.s.MaxOpenTimeout; i++ {
		d *= 2
	}
	d += time.Duration(rand.Int64N(int64(d)/5 + 1))
	return min(d, b.s.MaxOpenTimeout)
}

// PostponeProbe moves the next probe to at least t. Exporters use it to
// honour a destination's Retry-After while the breaker is open.
func (b *Breaker) PostponeProbe(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == Open && t.After(b.nextProbe) {
		b.nextProbe = t
	}
}

// Reset closes the breaker and clears its backoff, as an operator does after
// fixing a destination.
func (b *Breaker) Reset() {
	b.mu.Lock()
	b.opens, b.backoff, b.nextProbe, b.consecutiveFailures = 0, 0, time.Time{}, 0
	t := b.moveTo(Closed, b.s.Now())
	b.mu.Unlock()
	b.report(t)
}

// State is the breaker's state as an operator should read it: open until the
// next probe is due, then half-open.
func (b *Breaker) State() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.viewState(b.s.Now())
}

func (b *Breaker) viewState(now time.Time) State {
	if b.state == Open && !now.Before(b.nextProbe) {
		return HalfOpen
	}
	return b.state
}

// Status is a snapshot of a breaker for diagnostics. The totals count every
// attempt since the breaker was made; ConsecutiveFailures the current
// streak.
type Status struct {
	Name                string        `json:"name"`
	State               State         `json:"state"`
	ConsecutiveFailures uint32        `json:"consecutive_failures"`
	TotalFailures       uint64        `json:"total_failures"`
	TotalSuccesses      uint64        `json:"total_successes"`
	Opens               int32         `json:"opens"`
	Backoff             time.Duration `json:"backoff_ns"`
	NextProbe           time.Time     `json:"next_probe,omitzero"`
	Since               time.Time     `json:"since"`
	FailureThreshold    uint32        `json:"failure_threshold"`
	OpenTimeout         time.Duration `json:"open_timeout_ns"`
	MaxOpenTimeout      time.Duration `json:"max_open_timeout_ns"`
}

// Status returns a snapshot of the breaker.
func (b *Breaker) Status() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := Status{
		Name:                b.s.Name,
		State:               b.viewState(b.s.Now()),
		ConsecutiveFailures: b.consecutiveFailures,
		TotalFailures:       b.totalFailures,
		TotalSuccesses:      b.totalSuccesses,
		Opens:               b.opens,
		Backoff:             b.backoff,
		Since:               b.since,
		FailureThreshold:    b.s.FailureThreshold,
		OpenTimeout:         b.s.OpenTimeout,
		MaxOpenTimeout:      b.s.MaxOpenTimeout,
	}
	if b.state != Closed {
		st.NextProbe = b.nextProbe
	}
	return st
}
