package runtime

import (
	"context"
	"log/slog"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
)

// ours tells genaitrace's goroutines in a dump: its own code, the OTel
// SDK's it starts, and the client connections of its HTTP transports. The
// test receivers' server goroutines (net/http.(*conn).serve) are not ours.
var ours = regexp.MustCompile(`genaitrace/runtime|go\.opentelemetry\.io/otel/sdk|net/http\.\(\*persistConn\)|net/http\.\(\*Transport\)`)

// goroutines returns the dumps of the live goroutines that are ours, by id.
func goroutines() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := map[string]string{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		id, _, _ := strings.Cut(strings.TrimPrefix(g, "goroutine "), " ")
		if ours.MatchString(g) && !strings.Contains(g, "testing.tRunner") {
			out[id] = g
		}
	}
	return out
}

// TestShutdownLeavesNothingRunning: after Shutdown returns, no goroutine or
// connection of genaitrace is left, whatever state its destinations were
// in: healthy, hanging on a request, refusing.
func TestShutdownLeavesNothingRunning(t *testing.T) {
	clearEnv(t)
	before := goroutines()
	healthy, hang, refuse := otlptest.New(t), otlptest.New(t), otlptest.New(t)
	hang.SetMode(otlptest.Hang)
	refuse.SetMode(otlptest.Refuse)
	m, err := Configure(context.Background(), WithoutGlobal(), WithLogger(slog.New(slog.DiscardHandler)), WithSpoolDir(t.TempDir()),
		WithInstana(healthy.URL(), ""), WithLangfuse(hang.URL(), "pk", "sk"), WithOTLP(refuse.URL()+"/v1/traces", nil),
		WithBatchTimeout(10*time.Millisecond), WithMetricsInterval(20*time.Millisecond), WithAttemptTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	e := emit(m.Tracer("t"), time.Millisecond)
	healthy.WaitSpans(t, 100, 10*time.Second)
	e.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = m.Shutdown(ctx)

	// Goroutines that were told to stop need a moment to be scheduled and
	// return; none may stay.
	var left []string
	for deadline := time.Now().Add(10 * time.Second); ; {
		left = left[:0]
		for id, g := range goroutines() {
			if _, ok := before[id]; !ok {
				left = append(left, g)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("%d goroutines left after Shutdown:\n\n%s", len(left), strings.Join(left, "\n\n"))
	}
}
