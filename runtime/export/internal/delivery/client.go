package delivery

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

	"github.com/genaitrace/genaitrace/runtime/internal/redact"
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
}

// errText is the attempt's error, or "".
func (a attempt) errText() string {
	if a.err == nil {
		return ""
	}
	return a.err.Error()
}

// maybeDelivered reports whether the destination may have taken the batch
// although the attempt failed: the request went out and no answer came
// back. Its headers having gone out is the sign, not the whole body: the
// transport reports the end of the write from its own goroutine, which
// may not have run yet when the attempt returns (on a loaded machine it
// often had not, and batches the destination had stored were sent again
// uncounted). Counting a few batches that never arrived keeps
// possible_duplicates an upper bound.
func (a attempt) maybeDelivered() bool { return a.wrote && a.status == 0 && a.outcome != sent }

// Target is where and how one destination receives OTLP/HTTP. It holds no
// credential: those are added to each request by Client's transport, so
// that nothing here can print one.
type Target struct {
	// URL is the full traces (or metrics) URL, e.g.
	// https://cloud.langfuse.com/api/public/otel/v1/traces.
	URL string
	// Client sends the requests; its transport carries the TLS settings
	// and the credentials.
	Client *http.Client
	// AttemptTimeout bounds one POST.
	AttemptTimeout time.Duration
	// UserAgent identifies genaitrace.
	UserAgent string
	// JSON sends each batch as it is, a JSON document (application/json,
	// not compressed), instead of a gzip-compressed OTLP protobuf request:
	// Langfuse's scores API.
	JSON bool
}

// Send posts one OTLP request once (gzip-compressed unless plain), for
// what is not queued (metric collections): nil when the destination took
// it.
func (t *Target) Send(ctx context.Context, body []byte, plain bool) error {
	a := t.post(ctx, body, plain)
	if a.outcome == sent {
		return nil
	}
	if a.err == nil {
		return errors.New("export failed")
	}
	return a.err
}

// post sends one request, gzip-compressed unless plain.
func (t *Target) post(ctx context.Context, body []byte, plain bool) attempt {
	if ctx.Err() != nil {
		return attempt{outcome: abandoned, err: ctx.Err()}
	}
	ctx, cancel := context.WithTimeout(ctx, t.AttemptTimeout)
	defer cancel()
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { wrote.Store(true) },
	})
	a := t.do(ctx, body, plain)
	a.wrote = wrote.Load()
	return a
}

func (t *Target) do(ctx context.Context, body []byte, plain bool) attempt {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return attempt{outcome: down, err: t.redact(err)}
	}
	if t.JSON {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "application/x-protobuf")
	}
	if !plain && !t.JSON {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if t.UserAgent != "" {
		req.Header.Set("User-Agent", t.UserAgent)
	}
	resp, err := t.Client.Do(req)
	if err != nil {
		return t.classifyError(ctx, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	return t.classifyStatus(resp, answer)
}

func (t *Target) classifyError(ctx context.Context, err error) attempt {
	a := attempt{err: t.redact(err)}
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

func (t *Target) classifyStatus(resp *http.Response, body []byte) attempt {
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
	a.err = t.redact(fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg))
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

// redact shows the URL without user info or query wherever err quotes it
// (net/http's errors do). The result keeps only the text: wrapping would
// let the original error be printed again.
func (t *Target) redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if shown := redact.URL(t.URL); shown != t.URL {
		msg = strings.ReplaceAll(msg, t.URL, shown)
		if u, perr := url.Parse(t.URL); perr == nil && u.RawQuery != "" {
			msg = strings.ReplaceAll(msg, u.RawQuery, "***")
		}
	}
	return errors.New(msg)
}
