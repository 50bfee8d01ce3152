package delivery

import (
	"encoding/json"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/genaitrace/genaitrace/runtime/internal/units"
)

// RetryPolicy bounds the in-place retries of one batch before it is kept
// for later (spooled).
type RetryPolicy struct {
	// MaxAttempts per batch, the first included (default 3).
	MaxAttempts int `json:"max_attempts"`
	// Initial and Max bound the jittered exponential backoff between
	// attempts (defaults 250 ms and 5 s).
	Initial time.Duration `json:"-"`
	Max     time.Duration `json:"-"`
	// MaxRetryAfter is the longest Retry-After a batch waits for in place;
	// past it the batch is spooled. The whole destination pauses for the
	// Retry-After either way (default 30 s).
	MaxRetryAfter time.Duration `json:"-"`
}

// MarshalJSON writes the policy with durations in milliseconds
// (initial_ms, max_ms, max_retry_after_ms).
func (p RetryPolicy) MarshalJSON() ([]byte, error) {
	type plain RetryPolicy
	return json.Marshal(struct {
		plain
		InitialMS       float64 `json:"initial_ms"`
		MaxMS           float64 `json:"max_ms"`
		MaxRetryAfterMS float64 `json:"max_retry_after_ms"`
	}{plain(p), units.MS(p.Initial), units.MS(p.Max), units.MS(p.MaxRetryAfter)})
}

// backoff is the wait before attempt n+1: full jitter over an exponential.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.Initial << min(n-1, 20)
	if d > p.Max || d <= 0 {
		d = p.Max
	}
	return d/2 + rand.N(d/2+1)
}

// pause is a destination-wide "not before": a Retry-After received by one
// sender holds back every sender, since the destination rate-limits the
// client, not the request.
type pause struct{ until atomic.Int64 } // unix nanoseconds

// extend moves the end of the pause to t, unless it already ends later.
func (p *pause) extend(t time.Time) {
	for {
		cur := p.until.Load()
		if t.UnixNano() <= cur || p.until.CompareAndSwap(cur, t.UnixNano()) {
			return
		}
	}
}

// remaining is how long the pause still lasts.
func (p *pause) remaining() time.Duration {
	return max(time.Until(time.Unix(0, p.until.Load())), 0)
}

// end returns when the pause ends (zero when none was ever set).
func (p *pause) end() time.Time {
	if ns := p.until.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}
