package delivery

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/genaitrace/genaitrace/runtime/breaker"
)

// verdict is what becomes of a batch once the sender is done with it.
type verdict int

const (
	delivered verdict = iota // the destination took it
	halve                    // 413: send it in halves
	setAside                 // the destination rejected the batch itself
	keep                     // not deliverable now: keep it for later
	recheck                  // it may have been delivered: ask the destination before sending it again
)

// sender delivers one batch. Every attempt waits out the destination's
// pause and asks its breaker, so a destination that is down, hanging or
// rate-limiting is probed by one request, not by every sender at once.
// Transient failures are retried in place, a bounded number of times.
type sender struct {
	target  *Target
	retry   RetryPolicy
	breaker *breaker.Breaker
	pause   *pause
	c       *Counters
	// latency is how long the destination takes to take a batch, lately;
	// cutoff, once set (at shutdown), is when requests in flight will be
	// abandoned: a request that cannot be answered by then is not started,
	// since abandoned, it may have been stored and would be sent again by
	// the next process.
	latency latency
	cutoff  atomic.Int64 // unix nanoseconds, 0 until shutdown
	// pace spaces the requests out, when the destination limits them.
	pace pacer
	// recheck returns a batch that may have been delivered to the
	// backlog, which asks the destination, instead of retrying it at once.
	recheck bool
}

// pacer hands out the start times of requests, shared by the senders, so
// that n senders make no more requests than one would: at most burst at
// once, then one every apart (the generic cell rate algorithm: in any
// window of length T at most burst + T/every requests start).
type pacer struct {
	every time.Duration
	burst int
	next  atomic.Int64 // unix nanoseconds: the theoretical start of the next request
}

// reserve takes the next start time and returns how long to wait for it.
func (p *pacer) reserve() time.Duration {
	if p.every <= 0 {
		return 0
	}
	slack := int64(max(p.burst-1, 0)) * int64(p.every)
	for {
		now := time.Now().UnixNano()
		cur := p.next.Load()
		start := max(cur, now-slack)
		if p.next.CompareAndSwap(cur, start+int64(p.every)) {
			return time.Duration(max(start-now, 0))
		}
	}
}

// latency is an exponentially weighted mean of the successful requests'
// durations.
type latency struct{ ns atomic.Int64 }

func (l *latency) add(d time.Duration) {
	old := l.ns.Load()
	if old == 0 {
		l.ns.Store(int64(d))
		return
	}
	l.ns.Store(old + (int64(d)-old)/4)
}

func (l *latency) get() time.Duration { return time.Duration(l.ns.Load()) }

// tooLate reports whether a request started now would still be in flight
// at the cutoff.
func (s *sender) tooLate() bool {
	c := s.cutoff.Load()
	return c != 0 && time.Until(time.Unix(0, c)) < s.latency.get()
}

// deliver makes the batch's attempts, at most MaxAttempts over one
// handling (b.tries counts them across rechecks).
func (s *sender) deliver(ctx context.Context, b *Batch) (verdict, attempt) {
	var last attempt
	for b.tries < s.retry.MaxAttempts {
		b.tries++
		try := b.tries
		wait := s.pause.remaining()
		if try > 1 {
			wait = max(wait, s.retry.backoff(try-1))
		}
		if wait > s.retry.MaxRetryAfter || !sleep(ctx, wait) {
			return keep, last
		}
		if s.tooLate() {
			return keep, last
		}
		if !sleep(ctx, s.pace.reserve()) {
			return keep, last
		}
		done, err := s.breaker.Allow()
		if err != nil {
			return keep, last // open, or its one probe is out
		}
		if try > 1 {
			s.c.Retried.Add(1)
		}
		start := time.Now()
		last = s.target.post(ctx, b.Data, b.Plain)
		if last.outcome == sent {
			s.latency.add(time.Since(start))
		}
		done(last.breakerResult())
		s.count(last)
		if last.maybeDelivered() {
			b.checked, b.uncertainAt = false, time.Now()
			b.uncertain++
		}
		switch last.outcome {
		case sent:
			return delivered, last
		case tooLarge:
			return halve, last
		case rejected:
			return setAside, last
		case down, abandoned:
			return keep, last
		}
		if b.maybeSent() && !b.checked && s.recheck && b.tries < s.retry.MaxAttempts {
			return recheck, last
		}
		ra := last.retryAfter
		if ra == 0 && last.status == http.StatusTooManyRequests {
			ra = s.retry.backoff(try) // rate-limited without a hint
		}
		if ra > 0 {
			s.pause.extend(time.Now().Add(ra)) // the probe waits for it too: senders wait out the pause before asking the breaker
		}
	}
	return keep, last
}

// count records one attempt: requests are counted only when they were
// written to a connection, failures only when they were the destination's.
func (s *sender) count(a attempt) {
	if a.wrote {
		s.c.Requests.Add(1)
	}
	switch a.outcome {
	case retryable, down:
		s.c.Failures.Add(1)
	}
	if a.err != nil && a.outcome != abandoned {
		s.c.SetError(a.err.Error())
		s.c.LastStatus.Store(int64(a.status))
	}
}

// breakerResult is what an attempt tells the breaker about the
// destination's health. A 429 says it is up and when to come back: that is
// the pause's business, not a failure.
func (a attempt) breakerResult() breaker.Result {
	switch a.outcome {
	case sent, tooLarge, rejected:
		return breaker.Success
	case abandoned:
		return breaker.Ignore
	case retryable:
		if a.status == http.StatusTooManyRequests {
			return breaker.Ignore
		}
	}
	return breaker.Failure
}

// sleep waits d or until ctx ends; it reports whether the wait ran out.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
