// Package breaker is genaitrace's per-destination circuit breaker: the
// sony/gobreaker v2 state machine plus what it lacks, an exponential backoff
// of the open period and a status that diagnostics can show.
//
// A breaker opens after FailureThreshold consecutive failed attempts. The first
// probe is allowed OpenTimeout later; each time a probe fails the open period
// doubles, up to MaxOpenTimeout, and a success closes the breaker and resets
// the backoff. Half-open lets exactly one export through.
//
// gobreaker's open period is fixed, so this package keeps the backoff itself:
// it does not ask gobreaker for permission before the next probe is due, and
// gobreaker only leaves the open state when asked.
package breaker

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

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
	s  Settings
	cb atomic.Pointer[gobreaker.TwoStepCircuitBreaker[struct{}]]

	// The open-state backoff, kept beside gobreaker (see the package doc).
	nextProbe atomic.Int64 // unix nanoseconds; 0 when closed
	backoff   atomic.Int64 // current open period
	opens     atomic.Int32 // consecutive openings without a success
	changedAt atomic.Int64 // unix nanoseconds of the last transition
	mu        sync.Mutex   // serialises Reset against transitions
}

var (
	errFailure = errors.New("export failed")
	errIgnored = errors.New("export abandoned")
)

// New returns a closed breaker.
func New(s Settings) *Breaker {
	b := &Breaker{s: s.withDefaults()}
	b.changedAt.Store(b.s.Now().UnixNano())
	b.cb.Store(b.newMachine())
	return b
}

func (b *Breaker) newMachine() *gobreaker.TwoStepCircuitBreaker[struct{}] {
	threshold := b.s.FailureThreshold
	return gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        b.s.Name,
		MaxRequests: 1,
		// gobreaker's own open period is as short as it allows, so that
		// gobreaker is ready for the probe whenever nextProbe (the real,
		// growing open period, on our clock) lets Allow reach it.
		Timeout:       time.Nanosecond,
		ReadyToTrip:   func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= threshold },
		IsExcluded:    func(err error) bool { return err == errIgnored },
		OnStateChange: b.onStateChange,
	})
}

func (b *Breaker) onStateChange(_ string, from, to gobreaker.State) {
	now := b.s.Now()
	b.changedAt.Store(now.UnixNano())
	switch to {
	case gobreaker.StateOpen:
		k := b.opens.Add(1)
		d := b.openPeriod(k)
		b.backoff.Store(int64(d))
		b.nextProbe.Store(now.Add(d).UnixNano())
	case gobreaker.StateClosed:
		b.opens.Store(0)
		b.backoff.Store(0)
		b.nextProbe.Store(0)
	case gobreaker.StateHalfOpen:
		// gobreaker reaches half-open lazily, whenever it is read after its
		// minimal timeout; the real half-open moment is the probe Allow
		// grants, reported there.
		return
	}
	if b.s.OnStateChange != nil {
		b.s.OnStateChange(b.s.Name, convert(from), convert(to))
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

func convert(s gobreaker.State) State {
	switch s {
	case gobreaker.StateOpen:
		return Open
	case gobreaker.StateHalfOpen:
		return HalfOpen
	}
	return Closed
}

// Allow asks whether an export may start now. If it may, the caller must
// report the export's outcome by calling done exactly once. While the breaker
// is open, or its one half-open probe is in flight, Allow returns ErrOpen.
func (b *Breaker) Allow() (done func(Result), err error) {
	next := b.nextProbe.Load()
	if next != 0 && b.s.Now().UnixNano() < next {
		return nil, ErrOpen
	}
	cb := b.cb.Load()
	report, err := cb.Allow()
	if err != nil {
		return nil, ErrOpen
	}
	if next != 0 && b.s.OnStateChange != nil {
		b.s.OnStateChange(b.s.Name, Open, HalfOpen)
	}
	return func(r Result) {
		switch r {
		case Success:
			report(nil)
		case Failure:
			report(errFailure)
		default:
			report(errIgnored)
		}
	}, nil
}

// PostponeProbe moves the next probe to at least t. Exporters use it to
// honour a destination's Retry-After while the breaker is open.
func (b *Breaker) PostponeProbe(t time.Time) {
	for {
		cur := b.nextProbe.Load()
		if cur == 0 || t.UnixNano() <= cur {
			return
		}
		if b.nextProbe.CompareAndSwap(cur, t.UnixNano()) {
			return
		}
	}
}

// Reset closes the breaker and clears its backoff, as an operator does after
// fixing a destination.
func (b *Breaker) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	from := b.State()
	b.cb.Store(b.newMachine())
	b.opens.Store(0)
	b.backoff.Store(0)
	b.nextProbe.Store(0)
	b.changedAt.Store(b.s.Now().UnixNano())
	if from != Closed && b.s.OnStateChange != nil {
		b.s.OnStateChange(b.s.Name, from, Closed)
	}
}

// State is the breaker's state as an operator should read it: open until the
// next probe is due, then half-open.
func (b *Breaker) State() State {
	if next := b.nextProbe.Load(); next != 0 {
		if b.s.Now().UnixNano() < next {
			return Open
		}
		return HalfOpen
	}
	return convert(b.cb.Load().State())
}

// Status is a snapshot of a breaker for diagnostics.
type Status struct {
	Name                string        `json:"name"`
	State               State         `json:"state"`
	ConsecutiveFailures uint32        `json:"consecutive_failures"`
	TotalFailures       uint32        `json:"total_failures"`
	TotalSuccesses      uint32        `json:"total_successes"`
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
	c := b.cb.Load().Counts()
	st := Status{
		Name:                b.s.Name,
		State:               b.State(),
		ConsecutiveFailures: c.ConsecutiveFailures,
		TotalFailures:       c.TotalFailures,
		TotalSuccesses:      c.TotalSuccesses,
		Opens:               b.opens.Load(),
		Backoff:             time.Duration(b.backoff.Load()),
		Since:               time.Unix(0, b.changedAt.Load()),
		FailureThreshold:    b.s.FailureThreshold,
		OpenTimeout:         b.s.OpenTimeout,
		MaxOpenTimeout:      b.s.MaxOpenTimeout,
	}
	if next := b.nextProbe.Load(); next != 0 {
		st.NextProbe = time.Unix(0, next)
	}
	return st
}
