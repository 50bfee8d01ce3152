package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
)

// The example is tested as users run it: the real binary, configured by
// the environment, against a loopback Langfuse (its OTLP ingestion and
// its scores API, checked as its server checks them) and a loopback
// Instana.

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// build builds the example once for every test.
func build(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scores-example")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "scores")
		if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		_ = os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

func env(spool string, kv ...string) []string {
	var out []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "INSTANA_") && !strings.HasPrefix(e, "LANGFUSE_") && !strings.HasPrefix(e, "OTEL_") && !strings.HasPrefix(e, "TELEMETRY_") {
			out = append(out, e)
		}
	}
	return append(append(out, "TELEMETRY_SPOOL_DIR="+spool, "TELEMETRY_METRICS=false"), kv...)
}

func loopbackLangfuse(t *testing.T) (*otlptest.Receiver, *otlptest.Scores) {
	r := otlptest.New(t)
	r.OnlyAt("/api/public/otel/v1/traces")
	s := otlptest.NewScores("pk-lf-ex", "sk-lf-ex")
	r.Handle(otlptest.ScoresPath, s.Handler)
	return r, s
}

func runExample(t *testing.T, bin string, env []string) string {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = env
	var stdout strings.Builder
	cmd.Stdout = &stdout
	cmd.Stderr = &prefixed{t: t}
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	return stdout.String()
}

type prefixed struct{ t *testing.T }

func (p *prefixed) Write(b []byte) (int, error) {
	p.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// TestScoresReachLangfuseAndInstana: the four evaluations reach
// Langfuse's scores API on the call's trace and observation (the double
// click on "helpful" once: same score ID), and Instana as five
// gen_ai.evaluation.result records on the same trace.
func TestScoresReachLangfuseAndInstana(t *testing.T) {
	langfuse, scores := loopbackLangfuse(t)
	instana := otlptest.New(t)
	out := runExample(t, build(t), env(t.TempDir(), "LANGFUSE_ENDPOINT="+langfuse.URL(), "LANGFUSE_PUBLIC_KEY=pk-lf-ex",
		"LANGFUSE_SECRET_KEY=sk-lf-ex", "INSTANA_ENDPOINT="+instana.URL()))
	for _, want := range []string{"scores handed over: 5", "instana: 5 scores delivered, 0 waiting in the spool, 0 dropped",
		"langfuse: 5 scores delivered, 0 waiting in the spool, 0 dropped"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	call := langfuse.WaitSpans(t, 1, 5*time.Second)[0]
	got := map[string]otlptest.Score{}
	for _, s := range scores.Newest() {
		got[s.Name] = s
	}
	if len(got) != 4 || len(scores.All()) != 5 {
		t.Fatalf("Langfuse has %d scores (%d requests), want 4 (5: the second click updates the first): %+v", len(got), len(scores.All()), got)
	}
	want := map[string]otlptest.Score{
		"mentions_umbrella": {ObservationID: call.SpanID(), Value: 1.0, DataType: "BOOLEAN"},
		"helpfulness":       {ObservationID: call.SpanID(), Value: 0.9, DataType: "NUMERIC", Comment: "answers the question and says what to do"},
		"resolved":          {Value: 1.0, DataType: "BOOLEAN"},
		"user_feedback":     {ID: "feedback-" + call.SpanID(), ObservationID: call.SpanID(), Value: "helpful", DataType: "CATEGORICAL", Comment: "the umbrella tip was right"},
	}
	for name, w := range want {
		g := got[name]
		if g.TraceID != call.TraceID() || g.ObservationID != w.ObservationID || g.Value != w.Value || g.DataType != w.DataType ||
			g.Comment != w.Comment || (w.ID != "" && g.ID != w.ID) {
			t.Errorf("%s: %+v, want %+v on trace %s", name, g, w, call.TraceID())
		}
	}
	for _, l := range instana.WaitLogs(t, 5, 5*time.Second) {
		if l.EventName != "gen_ai.evaluation.result" || l.TraceID() != call.TraceID() {
			t.Errorf("Instana record %q on trace %s: %v", l.EventName, l.TraceID(), l.Attrs())
		}
	}
}

// TestScoresWaitInTheSpoolWhileLangfuseIsDown: Langfuse is down; the
// program exits on time, its scores on disk, and says so.
func TestScoresWaitInTheSpoolWhileLangfuseIsDown(t *testing.T) {
	langfuse, _ := loopbackLangfuse(t)
	langfuse.Down()
	spool := t.TempDir()
	start := time.Now()
	out := runExample(t, build(t), env(spool, "LANGFUSE_ENDPOINT="+langfuse.URL(), "LANGFUSE_PUBLIC_KEY=pk-lf-ex", "LANGFUSE_SECRET_KEY=sk-lf-ex"))
	if !strings.Contains(out, "langfuse: 0 scores delivered, 5 waiting in the spool, 0 dropped") {
		t.Errorf("output:\n%s", out)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the program took %v with Langfuse down", took)
	}
	if dirs, _ := filepath.Glob(filepath.Join(spool, "langfuse-scores", "p-*")); len(dirs) != 1 {
		t.Errorf("scores' spool directories %v, want the process's", dirs)
	}
}

// TestWithoutADestinationScoresAreCounted: nothing configured: the trace
// goes to the console, and the program says its scores had nowhere to go.
func TestWithoutADestinationScoresAreCounted(t *testing.T) {
	out := runExample(t, build(t), env(t.TempDir()))
	if !strings.Contains(out, "scores dropped before any destination (no_destination): 5") {
		t.Errorf("output:\n%s", out)
	}
}
