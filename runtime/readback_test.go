package runtime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
)

// fakeLangfuse is Langfuse on loopback: its OTLP ingestion (a receiver
// that decodes what arrives) and the part of its public API the read-back
// uses, GET /api/public/v2/observations (../shared/langfuse/openapi.yml:
// observations_getMany, Basic auth with the project's keys, filtered by
// traceId), answering from what the receiver got, unless hide is set (the
// traces went to another project).
type fakeLangfuse struct {
	*httptest.Server
	otlp  *otlptest.Receiver
	hide  atomic.Bool
	reads atomic.Int64
}

func newFakeLangfuse(t *testing.T, pk, sk string) *fakeLangfuse {
	f := &fakeLangfuse{otlp: otlptest.New(t)}
	target, _ := url.Parse(f.otlp.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(pk+":"+sk))
	mux := http.NewServeMux()
	mux.Handle("/api/public/otel/", proxy)
	mux.HandleFunc("GET /api/public/v2/observations", func(w http.ResponseWriter, r *http.Request) {
		f.reads.Add(1)
		if r.Header.Get("Authorization") != want {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"Invalid credentials"}`))
			return
		}
		if _, err := time.Parse(time.RFC3339, r.URL.Query().Get("fromStartTime")); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		tid := r.URL.Query().Get("traceId")
		type obs struct {
			ID      string `json:"id"`
			TraceID string `json:"traceId"`
		}
		out := struct {
			Data []obs          `json:"data"`
			Meta map[string]any `json:"meta"`
		}{Data: []obs{}, Meta: map[string]any{}}
		if !f.hide.Load() {
			for _, s := range f.otlp.Spans() {
				if s.TraceID() == tid {
					out.Data = append(out.Data, obs{ID: s.SpanID(), TraceID: tid})
					break
				}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
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
