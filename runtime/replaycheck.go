package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/internal/hooks"
)

// replayCheck asks Langfuse, before a batch that may have reached it is
// sent again (its request went out in full and the answer was lost),
// which of the batch's spans it already stores, so that those are not
// sent again: Langfuse v4 writes a re-sent span as a second row, which
// its trace aggregation counts twice in tokens and cost until ClickHouse
// happens to merge them (events_full is a ReplacingMergeTree:
// packages/shared/clickhouse/migrations/clustered/0039_create_events_full.up.sql,
// langfuse/langfuse at 62751446).
//
// It reads GET /api/public/v2/observations with fields=core, the span IDs
// as an "id any of" filter and the spans' start times as bounds, with the
// project's keys (the destination's client adds them). Its requests count
// in Langfuse Cloud's public-API rate limit of the organization (30 a
// minute on the hobby plan, shared with scores and LANGFUSE_VERIFY;
// web/src/features/public-api/server/RateLimitService.ts), so it makes at
// most perMinute of them a minute, and none during a Retry-After.
type replayCheck struct {
	base   string
	client *http.Client
	log    *slog.Logger

	mu        sync.Mutex
	budget    rateBudget
	perAsk    int       // span IDs per request, halved when a URL is too long
	notBefore time.Time // a 429's Retry-After
	warned    bool
	status    export.ReplayCheckStatus
}

// replayCheckGrace is how long after the uncertain request Langfuse is
// asked: it answers 200 once the request is queued, and writes its spans
// a few seconds later (worker queue, then a ClickHouse flush every second,
// worker/src/env.ts). Tests shorten it.
var replayCheckGrace = 15 * time.Second

// idsPerCheck is how many span IDs one request asks about: about 5 KB of
// URL, within the 8 KB a request line may have behind common proxies.
const idsPerCheck = 200

func newReplayCheck(endpoint string, client *http.Client, log *slog.Logger, perMinute int) *replayCheck {
	c := &replayCheck{base: langfuseAPI(endpoint, "/api/public/v2/observations"), client: client, log: log, perAsk: idsPerCheck,
		budget: newRateBudget(perMinute, time.Now())}
	c.status.PerMinute, c.status.Grace = perMinute, replayCheckGrace
	return c
}

// check is the hooks.StoredCheck the destination is given.
func (c *replayCheck) check() *hooks.StoredCheck {
	return &hooks.StoredCheck{Grace: replayCheckGrace, Stored: c.stored}
}

// stored reports, for as many of spans as it can ask about, whether
// Langfuse stores each: chunk by chunk, while the budget lasts and
// Langfuse answers.
func (c *replayCheck) stored(ctx context.Context, spans []hooks.SpanRef) []bool {
	out := make([]bool, 0, len(spans))
	found := 0
	for len(out) < len(spans) {
		n, ok := c.take()
		if !ok {
			break
		}
		chunk := spans[len(out):min(len(spans), len(out)+n)]
		held, err := c.ask(ctx, chunk)
		c.note(err)
		if err != nil {
			break
		}
		for _, s := range chunk {
			ok := held[s.TraceID.String()+s.SpanID.String()]
			out = append(out, ok)
			if ok {
				found++
			}
		}
	}
	c.mu.Lock()
	c.status.Asked += int64(len(out))
	c.status.Found += int64(found)
	c.status.Unasked += int64(len(spans) - len(out))
	c.mu.Unlock()
	return out
}

// take reserves one request and says how many IDs it may carry; false
// when the budget is spent or Langfuse asked to wait.
func (c *replayCheck) take() (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if now.Before(c.notBefore) || !c.budget.take(now) {
		return 0, false
	}
	c.status.Checks++
	c.status.LastCheck = now
	return c.perAsk, true
}

// note records a request's result: an error is counted, shown and, the
// first time after a success, logged.
func (c *replayCheck) note(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		c.status.LastError, c.warned = "", false
		return
	}
	c.status.Failed++
	c.status.LastError = err.Error()
	var ae *apiError
	if errors.As(err, &ae) {
		switch ae.status {
		case http.StatusTooManyRequests:
			c.notBefore = time.Now().Add(max(ae.retryAfter, time.Minute/time.Duration(max(c.status.PerMinute, 1))))
		case http.StatusRequestURITooLong, http.StatusRequestHeaderFieldsTooLarge:
			c.perAsk = max(c.perAsk/2, 10)
		}
	}
	if !c.warned {
		c.warned = true
		c.log.Warn("genaitrace: cannot ask Langfuse which spans of a batch it already stores; spans that may have reached it are sent again and counted as possible duplicates",
			"error", err)
	}
}

// ask returns the spans of chunk Langfuse stores, by trace and span ID.
func (c *replayCheck) ask(ctx context.Context, chunk []hooks.SpanRef) (map[string]bool, error) {
	ids := make([]string, len(chunk))
	from, to := chunk[0].Start, chunk[0].Start
	for i, s := range chunk {
		ids[i] = s.SpanID.String()
		if s.Start.Before(from) {
			from = s.Start
		}
		if s.Start.After(to) {
			to = s.Start
		}
	}
	filter, _ := json.Marshal([]map[string]any{{"type": "stringOptions", "column": "id", "operator": "any of", "value": ids}})
	q := url.Values{}
	q.Set("fields", "core")
	q.Set("limit", "1000")
	// Langfuse stores start times in milliseconds; whole seconds around
	// them bound the scan (its key starts with the start time's minute).
	q.Set("fromStartTime", from.Add(-time.Second).UTC().Format(time.RFC3339))
	q.Set("toStartTime", to.Add(2*time.Second).UTC().Format(time.RFC3339))
	q.Set("filter", string(filter))
	page, err := getObservations(ctx, c.client, c.base, q)
	if err != nil {
		return nil, err
	}
	if page.Meta.Cursor != "" {
		// More rows than the page holds (every span stored many times
		// over): what is missing from this page is not known.
		return nil, errors.New("the public API of Langfuse has more observations for these spans than a page holds")
	}
	held := make(map[string]bool, len(page.Data))
	for _, o := range page.Data {
		held[o.TraceID+o.ID] = true // duplicates come back twice: a set
	}
	return held, nil
}

func (c *replayCheck) snapshot() *export.ReplayCheckStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.status
	return &st
}

// rateBudget allows perMinute events a minute, one every minute/perMinute
// and up to a minute's worth at once (the generic cell rate algorithm, in
// whole durations: no rounding lets one more through).
type rateBudget struct {
	every, burst time.Duration
	due          time.Time // when the budget is back to full
}

func newRateBudget(perMinute int, now time.Time) rateBudget {
	every := time.Minute / time.Duration(max(perMinute, 1))
	return rateBudget{every: every, burst: every * time.Duration(max(perMinute, 1)), due: now}
}

func (b *rateBudget) take(now time.Time) bool {
	due := b.due
	if due.Before(now) {
		due = now
	}
	if due.Add(b.every).Sub(now) > b.burst {
		return false
	}
	b.due = due.Add(b.every)
	return true
}

// observationsPage is one page of GET /api/public/v2/observations with
// fields=core (web/public/generated/api/openapi.yml, observations_getMany:
// ObservationsV2Response).
type observationsPage struct {
	Data []struct {
		ID      string `json:"id"`
		TraceID string `json:"traceId"`
	} `json:"data"`
	Meta struct {
		Cursor string `json:"cursor"`
	} `json:"meta"`
}

// apiError is an answer of Langfuse's public API other than 200.
type apiError struct {
	status     int
	retryAfter time.Duration
	msg        string
}

func (e *apiError) Error() string { return e.msg }

// getObservations reads one page of observations from Langfuse's public
// API, with the keys the client adds to each request.
func getObservations(ctx context.Context, client *http.Client, endpoint string, q url.Values) (*observationsPage, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("read-back request: %w", err)
	}
	req.Header.Set("User-Agent", "genaitrace/"+Version)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the public API of Langfuse did not answer: %s", redactURL(err.Error()))
	}
	defer resp.Body.Close()
	body, err := readLimited(resp)
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return nil, &apiError{status: code, msg: fmt.Sprintf("the public API of Langfuse refused the keys (HTTP %d); check %s and %s", code, envLangfusePublicKey, envLangfuseSecretKey)}
	case code == http.StatusNotFound:
		return nil, &apiError{status: code, msg: "the public API of Langfuse has no GET /api/public/v2/observations (HTTP 404): a Langfuse server before v4, or with LANGFUSE_MIGRATION_V4_ALLOW_PREVIEW_OPT_IN=false"}
	case code == http.StatusTooManyRequests:
		ra := time.Minute
		if secs, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && secs > 0 {
			ra = time.Duration(secs) * time.Second
		}
		return nil, &apiError{status: code, retryAfter: ra, msg: "the public API of Langfuse limits the rate (HTTP 429): its requests count in the organization's public-API budget"}
	case code != http.StatusOK:
		return nil, &apiError{status: code, msg: fmt.Sprintf("the public API of Langfuse answered HTTP %d", code)}
	case err != nil:
		return nil, fmt.Errorf("the public API of Langfuse did not answer in full: %s", redactURL(err.Error()))
	}
	var page observationsPage
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, fmt.Errorf("the public API of Langfuse answered something other than observations: %w", err)
	}
	return &page, nil
}

// readLimited reads an answer's body, up to 4 MiB (a page of a thousand
// observations' core fields is about a quarter of that).
func readLimited(resp *http.Response) ([]byte, error) {
	return io.ReadAll(io.LimitReader(resp.Body, 4<<20))
}

// langfuseAPI is the URL of a path of Langfuse's public API, from the
// endpoint in any of the forms LANGFUSE_ENDPOINT takes (the base URL, the
// OTLP base .../api/public/otel, or the traces URL).
func langfuseAPI(endpoint, path string) string {
	u, err := url.Parse(signalURL(endpoint, langfuseOTLPPath, "/v1/traces"))
	if err != nil {
		return endpoint + path
	}
	u.Path, u.RawPath, u.RawQuery = u.Path[:len(u.Path)-len(langfuseOTLPPath+"/v1/traces")]+path, "", ""
	return u.String()
}
