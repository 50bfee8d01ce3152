package runtime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
)

// fakeLangfuse is Langfuse on loopback: its OTLP ingestion (a receiver
// that decodes what arrives, at /api/public/otel/v1/traces only) and,
// on the same port, down and up with it, the part of its public API
// genaitrace reads, GET /api/public/v2/observations (observations_getMany
// in web/public/generated/api/openapi.yml, langfuse/langfuse at 62751446:
// Basic auth with the project's keys; traceId, fromStartTime (on or
// after), toStartTime (before), limit (at most 1000, default 50, a cursor
// when more rows exist), fields, and filter, a JSON array of conditions,
// of which it knows the one genaitrace sends: stringOptions "any of" on
// the column id, the span ID, with a non-empty value). It answers from
// what the receiver stored, every copy of a span a row, as Langfuse v4
// does until ClickHouse merges them; unless hide is set (the traces went
// to another project).
type fakeLangfuse struct {
	URL   string
	otlp  *otlptest.Receiver
	hide  atomic.Bool
	reads atomic.Int64

	mu        sync.Mutex
	readTimes []time.Time
}

func newFakeLangfuse(t *testing.T, pk, sk string) *fakeLangfuse {
	f := &fakeLangfuse{otlp: otlptest.New(t)}
	f.URL = f.otlp.URL()
	f.otlp.OnlyAt("/api/public/otel/v1/traces")
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(pk+":"+sk))
	f.otlp.HandleHTTP("/api/public/v2/observations", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.reads.Add(1)
		f.mu.Lock()
		f.readTimes = append(f.readTimes, time.Now())
		f.mu.Unlock()
		switch {
		case r.Method != http.MethodGet:
			w.WriteHeader(http.StatusMethodNotAllowed)
		case r.Header.Get("Authorization") != want:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"Invalid credentials"}`))
		default:
			f.observations(w, r)
		}
	}))
	return f
}

// observations answers GET /api/public/v2/observations.
func (f *fakeLangfuse) observations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := func(format string, args ...any) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"message":%q}`, fmt.Sprintf(format, args...))
	}
	from, to := time.Time{}, time.Unix(1<<40, 0)
	for name, at := range map[string]*time.Time{"fromStartTime": &from, "toStartTime": &to} {
		if v := q.Get(name); v != "" {
			tm, err := time.Parse(time.RFC3339, v)
			if err != nil {
				bad("%s=%q is not an ISO 8601 time", name, v)
				return
			}
			*at = tm
		}
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			bad("limit=%q: at most 1000", v)
			return
		}
		limit = n
	}
	var ids map[string]bool
	if v := q.Get("filter"); v != "" {
		var conds []struct {
			Type, Column, Operator string
			Value                  []string
		}
		if err := json.Unmarshal([]byte(v), &conds); err != nil {
			bad("filter: %v", err)
			return
		}
		for _, c := range conds {
			if c.Type != "stringOptions" || c.Column != "id" || c.Operator != "any of" || len(c.Value) == 0 {
				bad("filter %+v: not a condition this fake knows", c)
				return
			}
			ids = map[string]bool{}
			for _, id := range c.Value {
				ids[id] = true
			}
		}
	}
	tid := q.Get("traceId")
	type obs struct {
		ID        string    `json:"id"`
		TraceID   string    `json:"traceId"`
		StartTime time.Time `json:"startTime"`
		Type      string    `json:"type"`
	}
	out := struct {
		Data []obs            `json:"data"`
		Meta observationsMeta `json:"meta"`
	}{Data: []obs{}}
	if !f.hide.Load() {
		for _, s := range f.otlp.Spans() {
			start := time.Unix(0, int64(s.StartTimeUnixNano)).Truncate(time.Millisecond)
			if (tid != "" && s.TraceID() != tid) || (ids != nil && !ids[s.SpanID()]) || start.Before(from) || !start.Before(to) {
				continue
			}
			if len(out.Data) == limit {
				out.Meta.Cursor = "bmV4dA=="
				break
			}
			out.Data = append(out.Data, obs{ID: s.SpanID(), TraceID: s.TraceID(), StartTime: start, Type: "SPAN"})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

type observationsMeta struct {
	Cursor string `json:"cursor,omitempty"`
}

// firstRead is when the public API was first read.
func (f *fakeLangfuse) firstRead() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.readTimes) == 0 {
		return time.Time{}
	}
	return f.readTimes[0]
}

func fastReadBack(t *testing.T) {
	t.Helper()
	prev := readBackTimingNow
	readBackTimingNow = readBackTiming{every: 10 * time.Millisecond, settle: 20 * time.Millisecond, missingAfter: 200 * time.Millisecond}
	t.Cleanup(func() { readBackTimingNow = prev })
}

// With LANGFUSE_VERIFY on, a delivered trace is read back and confirmed;
// /health says when.
func TestReadBackConfirmsTracesAppear(t *testing.T) {
	clearEnv(t)
	fastReadBack(t)
	lf := newFakeLangfuse(t, "pk-lf-1", "sk-lf-1")
	m, _ := configure(t, WithLangfuse(lf.URL, "pk-lf-1", "sk-lf-1"), WithLangfuseVerify(true))
	_, s := m.Tracer("t").Start(context.Background(), "chat gpt-4o-mini", tenAttributes)
	s.End()
	flush(t, m)
	waitUntil(t, func() bool { return m.Destinations()[0].ReadBack.ConfirmedTrace != "" })
	rb := m.Destinations()[0].ReadBack
	if rb.ConfirmedTrace != s.SpanContext().TraceID().String() || rb.Missing || rb.LastConfirmed.IsZero() {
		t.Errorf("read-back %+v", rb)
	}
	var health struct {
		Status       string `json:"status"`
		Destinations []struct {
			LastConfirmed time.Time `json:"last_confirmed"`
		} `json:"destinations"`
	}
	_ = json.Unmarshal(getBody(t, m, "/health"), &health)
	if health.Status != "ok" || health.Destinations[0].LastConfirmed.IsZero() {
		t.Errorf("health %+v", health)
	}
}

// Langfuse answers 200 to the export but the traces are not visible (they
// went to another project): /health turns unhealthy and says what to
// check, the log says it once, the application sees nothing.
func TestReadBackReportsTracesThatDoNotAppear(t *testing.T) {
	clearEnv(t)
	fastReadBack(t)
	lf := newFakeLangfuse(t, "pk-lf-1", "sk-lf-1")
	lf.hide.Store(true)
	m, logs := configure(t, WithLangfuse(lf.URL, "pk-lf-1", "sk-lf-1"), WithLangfuseVerify(true))
	_, s := m.Tracer("t").Start(context.Background(), "chat gpt-4o-mini", tenAttributes)
	s.End()
	flush(t, m)
	waitUntil(t, func() bool { return m.Destinations()[0].ReadBack.Missing })
	if rb := m.Destinations()[0].ReadBack; rb.MissingTrace != s.SpanContext().TraceID().String() {
		t.Errorf("read-back %+v", rb)
	}
	rec := httptest.NewRecorder()
	m.DiagnosticsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
	if rec.Code != http.StatusServiceUnavailable || !contains(rec.Body.String(), "do not appear in it") {
		t.Errorf("health %d %s", rec.Code, rec.Body)
	}
	if !contains(logs.String(), "does not appear in Langfuse") {
		t.Errorf("no warning logged: %s", logs)
	}
	// Visible again: the next confirmed trace clears it.
	lf.hide.Store(false)
	_, s = m.Tracer("t").Start(context.Background(), "chat gpt-4o-mini", tenAttributes)
	s.End()
	flush(t, m)
	waitUntil(t, func() bool { rb := m.Destinations()[0].ReadBack; return !rb.Missing && rb.ConfirmedTrace != "" })
}

// Wrong keys for the read API are an error of the check, not a verdict on
// the traces, and name the variables.
func TestReadBackWithRefusedKeys(t *testing.T) {
	clearEnv(t)
	fastReadBack(t)
	lf := newFakeLangfuse(t, "pk-lf-1", "sk-lf-other")
	m, _ := configure(t, WithLangfuse(lf.URL, "pk-lf-1", "sk-lf-1"), WithLangfuseVerify(true))
	_, s := m.Tracer("t").Start(context.Background(), "chat gpt-4o-mini", tenAttributes)
	s.End()
	flush(t, m)
	waitUntil(t, func() bool { return m.Destinations()[0].ReadBack.LastError != "" })
	rb := m.Destinations()[0].ReadBack
	if rb.Missing || !contains(rb.LastError, "LANGFUSE_SECRET_KEY") || contains(rb.LastError, "sk-lf-1") {
		t.Errorf("read-back %+v", rb)
	}
	if n := lf.reads.Load(); n > 200 {
		t.Errorf("%d reads: the check is not rate-limited", n)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
