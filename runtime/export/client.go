package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// outcome classifies one HTTP attempt.
type outcome int

const (
	sent      outcome = iota // 2xx
	retryable                // 429, 5xx, timeout, connection reset: try again soon
	down                     // connection refused, DNS failure, 401/403/404: spool and wait
	tooLarge                 // 413: split the batch
	rejected                 // other 4xx: the batch itself is bad; set it aside
	abandoned                // our own context ended (shutdown)
)

// attempt is the result of one POST.
type attempt struct {
	outcome    outcome
	status     int
	retryAfter time.Duration
	err        error
	// wrote is set once the request's headers went out on a connection:
	// only such attempts count as requests.
	wrote bool
	// wroteAll is set once the whole request went out.
	wroteAll bool
}

// maybeDelivered reports whether the destination may have taken the batch
// although the attempt failed: the whole request went out and no answer
// came back.
func (a attempt) maybeDelivered() bool { return a.wroteAll && a.status == 0 && a.outcome != sent }

// Endpoint is where and how one destination receives OTLP/HTTP.
type Endpoint struct {
	// URL is the full traces URL, e.g. https://cloud.langfuse.com/api/public/otel/v1/traces.
	URL string
	// Headers are sent with every request (auth among them).
	Headers http.Header
	// Secrets are values that must never appear in errors or logs; they are
	// masked wherever an error text is kept.
	Secrets []string
	// Client sends the requests. Its TLS settings come from the config.
	Client *http.Client
	// AttemptTimeout bounds one POST (default 5 s: with the breaker's five
	// consecutive failures, a destination that accepts connections and never
	// answers is declared down within 30 s even when one batch at a time is
	// sent).
	AttemptTimeout time.Duration
	// UserAgent identifies genaitrace.
	UserAgent string
}

// post sends one gzip-compressed OTLP request.
func (ep *Endpoint) post(ctx context.Context, gz []byte) attempt {
	timeout := ep.AttemptTimeout
	if timeout <= 0 {
		timeout = DefaultAttemptTimeout
	}
	if ctx.Err() != nil {
		return attempt{outcome: abandoned, err: ctx.Err()}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var wrote, wroteAll atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { wrote.Store(true) },
		WroteRequest: func(i httptrace.WroteRequestInfo) { wroteAll.Store(i.Err == nil) },
	})
	a := ep.do(ctx, gz)
	a.wrote, a.wroteAll = wrote.Load(), wroteAll.Load()
	return a
}

func (ep *Endpoint) do(ctx context.Context, gz []byte) attempt {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(gz))
	if err != nil {
		return attempt{outcome: down, err: ep.redact(err)}
	}
	for k, v := range ep.Headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("Content-Encoding", "gzip")
	if ep.UserAgent != "" {
		req.Header.Set("User-Agent", ep.UserAgent)
	}
	resp, err := ep.Client.Do(req)
	if err != nil {
		return ep.classifyError(ctx, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	return ep.classifyStatus(resp, body)
}

func (ep *Endpoint) classifyError(ctx context.Context, err error) attempt {
	a := attempt{err: ep.redact(err)}
	var netErr net.Error
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled):
		a.outcome = abandoned
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		a.outcome = retryable
	case errors.As(err, &dnsErr):
		a.outcome = down
	case errors.As(err, &opErr) && opErr.Op == "dial":
		a.outcome = down // refused or unreachable: retrying at once is pointless
	default:
		a.outcome = retryable // reset, EOF mid-response, TLS hiccup
	}
	return a
}

func (ep *Endpoint) classifyStatus(resp *http.Response, body []byte) attempt {
	a := attempt{status: resp.StatusCode}
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		a.outcome = sent
		return a
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		a.outcome = retryable
		a.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	case code == http.StatusRequestEntityTooLarge:
		a.outcome = tooLarge
	case code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusNotFound:
		// The destination or our credentials are wrong, not the batch: keep
		// the data until the operator fixes it.
		a.outcome = down
	default:
		a.outcome = rejected
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	a.err = ep.redact(fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg))
	return a
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// redact masks every secret in err's text. The result keeps only the text:
// wrapping would let the original, unmasked error be printed again.
func (ep *Endpoint) redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	// net/http's errors quote the request's URL, query included.
	if shown := displayURL(ep.URL); shown != ep.URL {
		msg = strings.ReplaceAll(msg, ep.URL, shown)
		if u, perr := url.Parse(ep.URL); perr == nil && u.RawQuery != "" {
			msg = strings.ReplaceAll(msg, u.RawQuery, "***")
		}
	}
	for _, s := range ep.Secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	return errors.New(msg)
}
