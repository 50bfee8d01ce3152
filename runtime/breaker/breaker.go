// Package breaker is genaitrace's per-destination circuit breaker:
// sony/gobreaker's two-step state machine with a backoff of the open
// period, and a status that diagnostics can show.
//
// A breaker opens after FailureThreshold consecutive failed attempts. The
// first probe is allowed OpenTimeout later; each time a probe fails the
// open period doubles, up to MaxOpenTimeout, and a success closes the
// breaker and resets the backoff. Half-open lets exactly one export
// through.
//
// gobreaker's open period is fixed (OpenTimeout, after which it goes
// half-open); the backoff is the pacing in front of it: Allow refuses
// until the next probe is due. Both read time.Now, so tests run breakers
// in testing/synctest bubbles, where a 30 s open period passes in no wall
// time.
package breaker

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/genaitrace/genaitrace/runtime/internal/units"
	"github.com/sony/gobreaker/v2"
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
	// is let through). It is called without the breaker's lock held, but
	// must not block.
	OnStateChange func(name string, from, to State)
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
	return s
}

// errIgnored is what done reports to gobreaker for an export abandoned by
// us: excluded, it counts neither way and frees the half-open slot.
var errIgnored = errors.New("breaker: export abandoned")

// errFailed is what done reports to gobreaker for a failed export.
var errFailed = errors.New("breaker: export failed")

// Breaker guards one destination. It is safe for concurrent use.
type Breaker struct {
	s Settings

	mu sync.Mutex
	cb *gobreaker.TwoStepCircuitBreaker[struct{}]
	// gen changes when the breaker is reset: results of exports allowed by
	// an earlier gobreaker count for nothing.
	gen                 uint64
	consecutiveFailures uint32
	totalFailures       uint64
	totalSuccesses      uint64
	opens               int32         // consecutive openings without a success
	backoff             time.Duration // the current open period
	nextProbe           time.Time     // when open: the earliest probe
	since               time.Time     // the last transition
	// probing is set once the half-open probe was let through and
	// reported: a probe abandoned and made again is not reported twice.
	probing bool
	// probeOut is set while the half-open probe is in flight.
	probeOut bool
	pending  []change // transitions to report once the lock is released
}

// New returns a closed breaker.
func New(s Settings) *Breaker {
	b := &Breaker{s: s.withDefaults(), since: time.Now()}
	b.cb = b.newMachine()
	return b
}

// newMachine returns a closed gobreaker with the breaker's settings: a
// trip on FailureThreshold consecutive failures, one probe when half-open,
// counts never cleared while closed.
func (b *Breaker) newMachine() *gobreaker.TwoStepCircuitBreaker[struct{}] {
	threshold := b.s.FailureThreshold
	return gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        b.s.Name,
		MaxRequests: 1,
		Timeout:     b.s.OpenTimeout,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= threshold },
		IsExcluded:  func(err error) bool { return errors.Is(err, errIgnored) },
		// Called by gobreaker under its own lock, while b.mu is held by
		// the caller that made it change: transitions are only recorded
		// here and reported after both are released.
		OnStateChange: func(_ string, from, to gobreaker.State) { b.moved(state(from), state(to)) },
	})
}

// change is a state change to report once the lock is released.
type change struct{ from, to State }

func state(s gobreaker.State) State {
	switch s {
	case gobreaker.StateHalfOpen:
		return HalfOpen
	case gobreaker.StateOpen:
		return Open
	}
	return Closed
}

// moved records a transition of the state machine. It runs under b.mu.
// gobreaker goes half-open when its fixed period is over and it is next
// asked; to an operator the breaker goes half-open when the probe is let
// through, which Allow reports.
func (b *Breaker) moved(from, to State) {
	if to == HalfOpen {
		return
	}
	now := time.Now()
	b.since, b.probing, b.probeOut = now, false, false
	switch to {
	case Open:
		b.opens++
		b.backoff = b.openPeriod(b.opens)
		b.nextProbe = now.Add(b.backoff)
	case Closed:
		b.opens, b.backoff, b.nextProbe = 0, 0, time.Time{}
	}
	b.pending = append(b.pending, change{from, to})
}

// Allow asks whether an export may start now. If it may, the caller must
// report the export's outcome by calling done exactly once. While the
// breaker is open, or its one half-open probe is in flight, Allow returns
// ErrOpen.
func (b *Breaker) Allow() (done func(Result), err error) {
	b.mu.Lock()
	if b.cb.State() != gobreaker.StateClosed && time.Now().Before(b.nextProbe) {
		b.unlock()
		return nil, ErrOpen // the backoff: not yet, although gobreaker's fixed period is over
	}
	report, err := b.cb.Allow()
	gen := b.gen
	if err == nil && b.cb.State() == gobreaker.StateHalfOpen {
		b.probeOut = true
		if !b.probing {
			b.probing, b.since = true, time.Now()
			b.pending = append(b.pending, change{Open, HalfOpen})
		}
	}
	b.unlock()
	if err != nil {
		return nil, ErrOpen
	}
	var once sync.Once
	return func(r Result) { once.Do(func() { b.done(gen, report, r) }) }, nil
}

// done settles one export allowed in generation gen.
func (b *Breaker) done(gen uint64, report func(error), r Result) {
	b.mu.Lock()
	defer b.unlock()
	if gen != b.gen {
		return // allowed before a reset
	}
	b.probeOut = false
	switch r {
	case Success:
		b.totalSuccesses++
		b.consecutiveFailures = 0
		report(nil)
	case Failure:
		b.totalFailures++
		b.consecutiveFailures++
		report(errFailed)
	default: // Ignore: a probe abandoned by us may be made again at once
		report(errIgnored)
	}
}

// unlock releases b.mu and then reports the transitions made under it.
func (b *Breaker) unlock() {
	changes := b.pending
	b.pending = nil
	b.mu.Unlock()
	if b.s.OnStateChange == nil {
		return
	}
	for _, c := range changes {
		if c.from != c.to {
			b.s.OnStateChange(b.s.Name, c.from, c.to)
		}
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

// Reset makes the breaker a fresh, closed one, as an operator does after
// fixing a destination; exports allowed before count for nothing.
func (b *Breaker) Reset() {
	b.mu.Lock()
	from := b.view(time.Now())
	b.cb = b.newMachine()
	b.gen++
	b.opens, b.backoff, b.nextProbe, b.consecutiveFailures, b.since, b.probing, b.probeOut = 0, 0, time.Time{}, 0, time.Now(), false, false
	b.pending = append(b.pending, change{from, Closed})
	b.unlock()
}

// Ready reports whether Allow would let an export through now: the
// breaker is closed, or the probe is due and none is in flight. Senders
// ask it before they take a batch, so that while a destination is down or
// being probed none reads work it would only put back.
func (b *Breaker) Ready() bool {
	b.mu.Lock()
	defer b.unlock()
	if b.cb.State() == gobreaker.StateClosed {
		return true
	}
	return !b.probeOut && !time.Now().Before(b.nextProbe)
}

// State is the breaker's state as an operator should read it: open until
// the next probe is due, then half-open.
func (b *Breaker) State() State {
	b.mu.Lock()
	defer b.unlock()
	return b.view(time.Now())
}

// view is the state as State reports it. It runs under b.mu.
func (b *Breaker) view(now time.Time) State {
	s := state(b.cb.State())
	if s == HalfOpen && now.Before(b.nextProbe) {
		return Open // gobreaker's fixed period is over, the backoff is not
	}
	if s == Open && !now.Before(b.nextProbe) {
		return HalfOpen // the probe is due; gobreaker says so at the next Allow
	}
	return s
}

// Status is a snapshot of a breaker for diagnostics. The totals count every
// attempt since the breaker was made; ConsecutiveFailures the current
// streak. In JSON every duration is in milliseconds.
type Status struct {
	Name                string        `json:"name"`
	State               State         `json:"state"`
	ConsecutiveFailures uint32        `json:"consecutive_failures"`
	TotalFailures       uint64        `json:"total_failures"`
	TotalSuccesses      uint64        `json:"total_successes"`
	Opens               int32         `json:"opens"`
	Backoff             time.Duration `json:"-"`
	NextProbe           time.Time     `json:"next_probe,omitzero"`
	Since               time.Time     `json:"since"`
	FailureThreshold    uint32        `json:"failure_threshold"`
	OpenTimeout         time.Duration `json:"-"`
	MaxOpenTimeout      time.Duration `json:"-"`
}

// MarshalJSON writes the status with durations in milliseconds
// (backoff_ms, open_timeout_ms, max_open_timeout_ms).
func (s Status) MarshalJSON() ([]byte, error) {
	type plain Status
	return json.Marshal(struct {
		plain
		BackoffMS        float64 `json:"backoff_ms"`
		OpenTimeoutMS    float64 `json:"open_timeout_ms"`
		MaxOpenTimeoutMS float64 `json:"max_open_timeout_ms"`
	}{plain(s), units.MS(s.Backoff), units.MS(s.OpenTimeout), units.MS(s.MaxOpenTimeout)})
}

// Status returns a snapshot of the breaker.
func (b *Breaker) Status() Status {
	b.mu.Lock()
	defer b.unlock()
	st := Status{
		Name:                b.s.Name,
		State:               b.view(time.Now()),
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
	if st.State != Closed {
		st.NextProbe = b.nextProbe
	}
	return st
}
