package runtime

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export"
)

// TestNoSecretInAnyExportedValue configures every destination with
// credentials (Instana's key, Langfuse's keys, a bearer header and an API
// key in the generic destination's query), lets every destination fail so
// that errors quoting its URL are kept, and then prints every value the
// API hands out, with every fmt verb, JSON and slog, and reads every
// diagnostics endpoint and the logs: no credential appears anywhere.
func TestNoSecretInAnyExportedValue(t *testing.T) {
	clearEnv(t)
	const (
		instanaKey  = "INSTANA-KEY-7d1f"
		langfuseSK  = "sk-lf-SECRET-93ab"
		bearer      = "OTLP-TOKEN-55c1"
		queryKey    = "QUERY-KEY-e02a"
		diagToken   = "DIAG-TOKEN-11aa"
		langfusePK  = "pk-lf-public"
		invalidPort = "127.0.0.1:9" // nothing listens: errors quote the URL
	)
	secrets := []string{instanaKey, langfuseSK, bearer, queryKey, diagToken,
		base64.StdEncoding.EncodeToString([]byte(langfusePK + ":" + langfuseSK))}

	refusing := otlptest.New(t)
	refusing.SetMode(otlptest.Refuse)
	var logs bytes.Buffer
	jsonLog := slog.New(slog.NewJSONHandler(&safeWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m, _ := configure(t, WithLogger(jsonLog),
		WithInstana(refusing.URL(), instanaKey),
		WithLangfuse(refusing.URL(), langfusePK, langfuseSK),
		WithOTLP("http://"+invalidPort+"/v1/traces?api_key="+queryKey, map[string]string{"Authorization": "Bearer " + bearer}),
		WithDiagnosticsToken(diagToken), WithBreaker(2, time.Hour, time.Hour))

	_, span := m.Tracer("t").Start(context.Background(), "chat gpt-4o-mini", tenAttributes)
	span.End()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = m.Flush(ctx)
	waitUntil(t, func() bool {
		for _, d := range m.Destinations() {
			if d.LastError == "" || d.Breaker.State != breaker.Open {
				return false
			}
		}
		return true
	})

	var printed strings.Builder
	show := func(v any) {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			fmt.Fprintf(&printed, verb+"\n", v)
		}
		if b, err := json.Marshal(v); err == nil {
			printed.Write(b)
		}
		slog.New(slog.NewTextHandler(&printed, nil)).Info("value", "v", v)
		slog.New(slog.NewJSONHandler(&printed, nil)).Info("value", "v", v)
	}
	show(m)
	show(m.Config())
	show(m.Destinations())
	for _, d := range m.Destinations() {
		show(d)
	}
	for _, d := range m.dests { // the machinery too, were it ever handed out
		show(d)
		show(d.Destination)
	}
	show(m.PipelineStats())
	// A user's own structs holding what the API hands out, in exported and
	// unexported fields, by pointer and by value where a value can be had.
	type userConfig struct {
		m         *Manager
		view      ConfigView
		dests     []export.DestinationStats
		pipe      export.PipelineStats
		Exported  *Manager
		ViewAgain ConfigView
	}
	u := userConfig{m: m, view: m.Config(), dests: m.Destinations(), pipe: m.PipelineStats(), Exported: m, ViewAgain: m.Config()}
	// Verbs a pointer does not take (%s, %d, %x of a struct holding one)
	// make fmt walk into the live state it points to, racing with its
	// goroutines, as it would for any value with locks: the user structs
	// holding pointers are printed with the verbs that take them.
	for _, v := range []any{u, &u} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%T"} {
			fmt.Fprintf(&printed, verb+"\n", v)
		}
	}
	for _, d := range m.dests {
		b := d.breaker
		v := struct {
			d  *export.Destination
			b  *breaker.Breaker
			st breaker.Status
		}{d.Destination, b, b.Status()}
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			fmt.Fprintf(&printed, verb+"\n", v)
		}
	}
	values := struct {
		view  ConfigView
		dests []export.DestinationStats
		pipe  export.PipelineStats
	}{m.Config(), m.Destinations(), m.PipelineStats()}
	show(values)
	for _, verb := range []string{"%q", "%x", "%X"} {
		fmt.Fprintf(&printed, verb+"\n", values)
	}

	h := m.DiagnosticsHandler()
	paths := []string{"/", "/health", "/exporters", "/circuit_breakers", "/config", "/stats", "/spool",
		"/exported_traces", "/traces/" + span.SpanContext().TraceID().String(),
		"/trace_analyzer/" + span.SpanContext().TraceID().String(), "/models", "/version", "/no-such-page"}
	for _, p := range paths {
		for _, token := range []string{diagToken, "wrong"} {
			req := httptest.NewRequest(http.MethodGet, p, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body, _ := io.ReadAll(rec.Result().Body)
			fmt.Fprintf(&printed, "%s %d %s\n", p, rec.Code, body)
			if token == diagToken && rec.Code != http.StatusOK && p != "/no-such-page" && p != "/health" {
				t.Errorf("GET %s: %d %s", p, rec.Code, body)
			}
		}
	}

	// A secret pasted into an endpoint variable is not quoted back.
	clearEnv(t)
	t.Setenv(envOTLPEndpoint, "collector:4318/?token="+queryKey)
	if _, err := Configure(context.Background(), WithoutGlobal()); err == nil {
		t.Error("a malformed endpoint was accepted")
	} else {
		fmt.Fprintln(&printed, err)
	}

	all := printed.String() + logs.String()
	for _, s := range secrets {
		for _, form := range []string{s, hex.EncodeToString([]byte(s)), strings.ToUpper(hex.EncodeToString([]byte(s)))} {
			if i := strings.Index(all, form); i >= 0 {
				t.Errorf("secret %q appears (as %q): ...%s...", s, form, all[max(i-200, 0):min(i+50, len(all))])
			}
		}
	}
	if !strings.Contains(all, "127.0.0.1:9/v1/traces") {
		t.Error("the generic destination's endpoint is not shown at all: the test would not see a leak")
	}
}

// safeWriter serialises writes from the handler's goroutines.
type safeWriter struct {
	mu chan struct{}
	w  io.Writer
}

func (s *safeWriter) Write(p []byte) (int, error) {
	if s.mu == nil {
		s.mu = make(chan struct{}, 1)
	}
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.w.Write(p)
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
