package runtime

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// scoreSpans makes n single-span traces named prefix-i, each scored
// "quality" = i with the score ID prefix-i (the child's score command).
func scoreSpans(tr trace.Tracer, n int, prefix string) {
	for i := range n {
		ctx, s := tr.Start(context.Background(), prefix+"-"+strconv.Itoa(i))
		genai.Score(ctx, "quality", i, genai.WithScoreID(prefix+"-"+strconv.Itoa(i)))
		s.End()
	}
}

// langfuseWithScores is a loopback Langfuse: OTLP traces at its ingestion
// path and the scores API, with the project's keys.
func langfuseWithScores(t *testing.T, pk, sk string) (*otlptest.Receiver, *otlptest.Scores) {
	r := otlptest.New(t)
	r.OnlyAt("/api/public/otel/v1/traces")
	s := otlptest.NewScores(pk, sk)
	r.Handle(otlptest.ScoresPath, s.Handler)
	return r, s
}

// TestScoresReachLangfuseAndInstana: genai.Score on a model call's
// context and on its trace reaches Langfuse's scores API, attached to the
// trace and the observation, filed under the deployment's environment,
// with the comment (Langfuse takes content); and Instana as
// gen_ai.evaluation.result log records with the same IDs, without the
// comment (Instana's content setting is off); every score counted, in the
// hand-off and per destination. (Not parallel: genai.Score goes to the
// most recently configured runtime.)
func TestScoresReachLangfuseAndInstana(t *testing.T) {
	clearEnv(t)
	langfuse, lf := langfuseWithScores(t, "pk-lf-s", "sk-lf-s")
	instana := otlptest.New(t)
	m, _ := configure(t, WithLangfuse(langfuse.URL(), "pk-lf-s", "sk-lf-s"), WithInstana(instana.URL(), ""), WithEnvironment("staging"))

	ctx, call := m.Tracer("t").Start(context.Background(), "chat gpt-4o", trace.WithAttributes(genai.OperationName.String(genai.OpChat)))
	call.End()
	sc := call.SpanContext()
	genai.Score(ctx, "helpfulness", 0.8, genai.WithComment("it answered"))
	genai.Score(ctx, "resolved", true, genai.ForTrace(sc.TraceID()))
	flush(t, m)

	got := lf.Newest()
	if len(got) != 2 {
		t.Fatalf("Langfuse has %d scores, want 2: %v", len(got), got)
	}
	for _, s := range got {
		if s.TraceID != sc.TraceID().String() || s.Environment != "staging" {
			t.Errorf("score %+v: want trace %s, environment staging", s, sc.TraceID())
		}
		switch s.Name {
		case "helpfulness":
			if s.ObservationID != sc.SpanID().String() || s.Value != 0.8 || s.DataType != "NUMERIC" || s.Comment != "it answered" {
				t.Errorf("helpfulness: %+v", s)
			}
		case "resolved":
			if s.ObservationID != "" || s.Value != 1.0 || s.DataType != "BOOLEAN" {
				t.Errorf("resolved: %+v; want a trace score, BOOLEAN 1", s)
			}
		}
	}
	logs := instana.WaitLogs(t, 2, 5*time.Second)
	for _, l := range logs {
		if l.EventName != "gen_ai.evaluation.result" || l.TraceID() != sc.TraceID().String() || l.Resource["INSTANA_PLUGIN"] != "genai" {
			t.Errorf("Instana record %v (trace %s, resource %v)", l.Attrs(), l.TraceID(), l.Resource)
		}
		if _, ok := l.Attrs()["gen_ai.evaluation.explanation"]; ok {
			t.Errorf("Instana got the comment without its content setting: %v", l.Attrs())
		}
	}
	if ps := m.PipelineStats().Scores; ps.Accepted != 2 || ps.Dispatched != 2 {
		t.Errorf("hand-off: %+v", ps)
	}
	for _, d := range m.Destinations() {
		if d.Scores == nil || d.Scores.Accepted != 2 || d.Scores.Exported != 2 || d.Scores.DroppedTotal() != 0 {
			t.Errorf("%s scores: %+v", d.Name, d.Scores)
		}
	}
	if st := langfuse.Requests(); len(st) < 3 {
		t.Errorf("Langfuse requests %+v: want the spans and one request per score", st)
	}
}

// TestScoresGoWhereTelemetryScoresSays: TELEMETRY_SCORES=langfuse keeps
// them from Instana; =none from every destination, and genai.Score's
// scores are then counted as dropped (no_destination) and explained once.
func TestScoresGoWhereTelemetryScoresSays(t *testing.T) {
	for _, setting := range []string{"langfuse", "none"} {
		t.Run(setting, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(envScores, setting)
			langfuse, lf := langfuseWithScores(t, "pk-lf-s", "sk-lf-s")
			instana := otlptest.New(t)
			m, logs := configure(t, WithLangfuse(langfuse.URL(), "pk-lf-s", "sk-lf-s"), WithInstana(instana.URL(), ""))
			ctx, call := m.Tracer("t").Start(context.Background(), "chat")
			genai.Score(ctx, "helpfulness", 1)
			genai.Score(ctx, "helpfulness", 2)
			call.End()
			flush(t, m)
			instana.WaitSpans(t, 1, 5*time.Second)
			if n := len(instana.Logs()); n != 0 {
				t.Errorf("Instana got %d evaluation events", n)
			}
			want := map[string]int{"langfuse": 2, "none": 0}[setting]
			if n := len(lf.All()); n != want {
				t.Errorf("Langfuse got %d scores, want %d", n, want)
			}
			ps := m.PipelineStats().Scores
			if setting == "none" && (ps.Dropped["no_destination"] != 2 || strings.Count(logs.String(), "no destination takes scores") != 1) {
				t.Errorf("hand-off %+v; log:\n%s", ps, logs)
			}
			for _, d := range m.Destinations() {
				if (d.Scores != nil) != (d.Name == "langfuse" && setting == "langfuse") {
					t.Errorf("%s: scores %+v", d.Name, d.Scores)
				}
			}
		})
	}
}

// TestScoresOutliveAnOutageAndTheProcess: Langfuse is down while a process
// scores 30 calls and shuts down: the scores go to their own spool
// (langfuse-scores, beside the spans'). The next process, Langfuse back,
// adopts that spool and delivers each score once, counted as found and
// replayed; what the first one counted as spooled is what the second
// delivered.
func TestScoresOutliveAnOutageAndTheProcess(t *testing.T) {
	t.Parallel() // child processes: their environment is their test's
	langfuse, lf := langfuseWithScores(t, "pk-lf-ops", "sk-1")
	langfuse.Down()
	spool := t.TempDir()
	env := opsEnv(spool, langfuseEnv(langfuse, "sk-1")...)

	first := startChild(t, "first", env...)
	first.do("score 30 s")
	first.flush()
	before := first.stats().dest("langfuse").Scores
	first.shutdown(2 * time.Second)
	if before == nil || before.Spooled != 30 || before.Exported != 0 {
		t.Fatalf("during the outage: %+v, want 30 spooled", before)
	}
	if left := processDirsLeft(spool, "langfuse-scores"); len(left) != 1 {
		t.Fatalf("scores' spool directories %v, want the first process's", left)
	}

	if err := langfuse.Up(); err != nil {
		t.Fatal(err)
	}
	next := startChild(t, "next", env...)
	st := next.waitStats("every score replayed", func(s childStats) bool {
		sc := s.dest("langfuse").Scores
		return sc != nil && sc.Exported == 30 && sc.Spool != nil && sc.Spool.PendingSpans == 0
	}).dest("langfuse").Scores
	if st.Replayed != 30 || st.Spool.FoundSpans != 30 || st.DroppedTotal() != 0 {
		t.Errorf("next process: %+v; want 30 found and replayed, none dropped", st)
	}
	newest := lf.Newest()
	if all := lf.All(); len(all) != 30 || len(newest) != 30 {
		t.Errorf("Langfuse got %d scores, %d distinct; want 30 once", len(all), len(newest))
	}
	for i := range 30 {
		id := fmt.Sprintf("s-%d", i)
		if s, ok := newest[id]; !ok || s.Value != float64(i) || s.Name != "quality" {
			t.Errorf("score %s: %+v", id, s)
		}
	}
	next.shutdown(2 * time.Second)
	if left := processDirsLeft(spool, "langfuse-scores"); len(left) != 0 {
		t.Errorf("scores' spool directories left after delivery: %v", left)
	}
}

// TestScoreSettings: where scores go and how fast, from the variables
// users set: Langfuse's scores API on the host of any endpoint form its
// docs give, paced below Langfuse Cloud's public-API limit by default and
// not at all on a self-hosted server; the generic destination's logs URL
// beside its traces URL; TELEMETRY_SCORES naming destinations; a wrong
// value names the variable and the accepted form.
func TestScoreSettings(t *testing.T) {
	resolved := func(env map[string]string) (config, error) {
		c := defaultConfig()
		err := fromEnv(&c, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		c.resolve()
		return c, err
	}
	for _, tc := range []struct {
		endpoint, scoresURL string
		perMinute           int
	}{
		{"https://cloud.langfuse.com", "https://cloud.langfuse.com/api/public/scores", 25},
		{"https://us.cloud.langfuse.com/api/public/otel", "https://us.cloud.langfuse.com/api/public/scores", 25},
		{"https://langfuse.internal/lf/api/public/otel/v1/traces", "https://langfuse.internal/lf/api/public/scores", 0},
	} {
		c, err := resolved(map[string]string{envLangfuseEndpoint: tc.endpoint, envLangfusePublicKey: "pk", envLangfuseSecretKey: "sk"})
		if err != nil {
			t.Fatal(err)
		}
		k, _ := kindNamed("langfuse")
		format, u, _ := k.scores(&c)
		if format != scores.LangfuseAPI || u != tc.scoresURL || c.Langfuse.ScoresPerMinute != tc.perMinute {
			t.Errorf("%s: scores to %s at %d a minute, want %s at %d", tc.endpoint, u, c.Langfuse.ScoresPerMinute, tc.scoresURL, tc.perMinute)
		}
	}
	c, _ := resolved(map[string]string{envLangfuseScoresPerMin: "900", envOTLPEndpoint: "http://collector:4318", envScores: "langfuse, otlp"})
	if c.Langfuse.ScoresPerMinute != 900 || c.OTLP.LogsEndpoint != "http://collector:4318/v1/logs" || c.Scores.String() != "langfuse,otlp" || c.Scores.takes("instana") {
		t.Errorf("per minute %d, logs %s, scores %s", c.Langfuse.ScoresPerMinute, c.OTLP.LogsEndpoint, c.Scores)
	}
	c, _ = resolved(map[string]string{envOTLPTracesEndpoint: "http://collector:4318/v1/traces", envOTLPLogsEndpoint: "http://logs:4318/v1/logs"})
	if c.OTLP.LogsEndpoint != "http://logs:4318/v1/logs" {
		t.Errorf("logs endpoint %s", c.OTLP.LogsEndpoint)
	}
	_, err := resolved(map[string]string{envScores: "langfuse,datadog", envLangfuseScoresPerMin: "fast"})
	for _, want := range []string{`TELEMETRY_SCORES: "datadog" is not a destination; want a comma list of langfuse, instana and otlp, all, or none`,
		`LANGFUSE_SCORES_PER_MINUTE: "fast" is not a rate; want a whole number of requests a minute such as 900, or 0 not to pace them`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to say %s", err, want)
		}
	}
}

// TestScoreOptions: the options override the variables, and a name that
// is not a destination is an error naming the option.
func TestScoreOptions(t *testing.T) {
	clearEnv(t)
	t.Setenv(envScores, "none")
	c := defaultConfig()
	if err := fromEnv(&c, func(k string) (string, bool) { return map[string]string{envScores: "none"}[k], k == envScores }); err != nil {
		t.Fatal(err)
	}
	WithScores("langfuse")(&c)
	WithLangfuseScoresPerMinute(900)(&c)
	c.resolve()
	if c.Scores.String() != "langfuse" || c.Langfuse.ScoresPerMinute != 900 {
		t.Errorf("scores %s at %d a minute", c.Scores, c.Langfuse.ScoresPerMinute)
	}
	_, err := Configure(context.Background(), WithoutGlobal(), WithSpoolDir(t.TempDir()), WithScores("datadog"))
	if err == nil || !strings.Contains(err.Error(), `WithScores: "datadog" is not a destination; want langfuse, instana or otlp`) {
		t.Errorf("error %v", err)
	}
}

// TestScoreMistakesAreExplainedOnce: a score genai.Score cannot send (a
// named type, no span) is counted under its reason and explained once in
// the runtime's log, by the hand-off's goroutine, not the caller's.
func TestScoreMistakesAreExplainedOnce(t *testing.T) {
	clearEnv(t)
	langfuse, lf := langfuseWithScores(t, "pk-lf-s", "sk-lf-s")
	m, logs := configure(t, WithLangfuse(langfuse.URL(), "pk-lf-s", "sk-lf-s"))
	type stars int
	ctx, call := m.Tracer("t").Start(context.Background(), "chat")
	call.End()
	before := m.PipelineStats().Scores.Dropped
	for range 3 {
		genai.Score(ctx, "rating", stars(4))
		genai.Score(context.Background(), "rating", 4)
	}
	flush(t, m)
	after := m.PipelineStats().Scores.Dropped
	if after["invalid"]-before["invalid"] != 3 || after["no_trace"]-before["no_trace"] != 3 {
		t.Errorf("dropped %v then %v: want 3 more invalid and 3 more no_trace", before, after)
	}
	for _, says := range []string{`genai.Score(\"rating\"): a value of type runtime.stars is not a number, a bool or a string; the score is dropped`,
		`genai.Score(\"rating\"): the context carries no span and no trace was given`} {
		if n := strings.Count(logs.String(), says); n != 1 {
			t.Errorf("%q logged %d times, want once:\n%s", says, n, logs)
		}
	}
	if n := len(lf.All()); n != 0 {
		t.Errorf("%d scores reached Langfuse", n)
	}
}
