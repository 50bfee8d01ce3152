package export

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

const (
	testTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	testSpanID  = "00f067aa0ba902b7"
)

// basicAuth is a client adding Langfuse's Basic auth, as the runtime's
// credential transport does.
type basicAuth struct {
	base       http.RoundTripper
	user, pass string
}

func (b basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(b.user+":"+b.pass)))
	return b.base.RoundTrip(r)
}

// loopbackLangfuse is a receiver taking OTLP traces and scores, as
// Langfuse does, with the project's keys pk-test and sk-test.
func loopbackLangfuse(t *testing.T) (*otlptest.Receiver, *otlptest.Scores, *http.Client) {
	r := otlptest.New(t)
	r.OnlyAt("/api/public/otel/v1/traces")
	lf := otlptest.NewScores("pk-test", "sk-test")
	r.Handle(otlptest.ScoresPath, lf.Handler)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return r, lf, &http.Client{Transport: basicAuth{base: tr, user: "pk-test", pass: "sk-test"}}
}

// scoreDestination is a Langfuse destination whose scores go to r.
func scoreDestination(t *testing.T, r *otlptest.Receiver, client *http.Client, spoolDir string, edit func(*DestinationConfig)) *Destination {
	t.Helper()
	cfg := withDefaults(DestinationConfig{Name: "langfuse", URL: r.URL() + "/api/public/otel/v1/traces", Client: client,
		Translator: LangfuseTranslator{Content: true, Environment: "production"},
		Breaker:    breaker.New(breaker.Settings{Name: "langfuse", FailureThreshold: 2, OpenTimeout: 50 * time.Millisecond}),
		Settings:   DestinationSettings{PollInterval: 10 * time.Millisecond, Retry: RetryPolicy{MaxAttempts: 2, Initial: time.Millisecond, Max: 2 * time.Millisecond}},
		Identity:   SpoolIdentity{Destination: "langfuse", Key: "traces-key"},
		runtimeWiring: runtimeWiring{Scores: scoreConfig{Format: scores.LangfuseAPI, URL: r.URL() + otlptest.ScoresPath, Environment: "production",
			Breaker:  breaker.New(breaker.Settings{Name: "langfuse-scores", FailureThreshold: 2, OpenTimeout: 50 * time.Millisecond}),
			Identity: SpoolIdentity{Destination: "langfuse-scores", Key: "scores-key"}, SpoolDir: spoolDir}}})
	if edit != nil {
		edit(&cfg)
	}
	d, err := NewDestination(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdownNow(d) })
	return d
}

// shutdownNow shuts d down, once however often it is called (a test's
// own call, then its cleanup).
func shutdownNow(d *Destination) {
	once, _ := shutdowns.LoadOrStore(d, new(sync.Once))
	once.(*sync.Once).Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = d.Shutdown(ctx)
	})
}

var shutdowns sync.Map

func flushed(t *testing.T, d *Destination) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// threeScores are one score of each kind: a number on a span with a
// comment, a bool on the same span, a category on the whole trace.
func threeScores(t *testing.T) []scores.Score {
	tid, _ := trace.TraceIDFromHex(testTraceID)
	sid, _ := trace.SpanIDFromHex(testSpanID)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	return []scores.Score{
		{ID: "s-1", Name: "helpfulness", Kind: scores.Numeric, Number: 0.75, Comment: "cites the manual", TraceID: tid, SpanID: sid, Time: at},
		{ID: "s-2", Name: "correct", Kind: scores.Boolean, Number: 1, TraceID: tid, SpanID: sid, Time: at},
		{ID: "s-3", Name: "tone", Kind: scores.Categorical, Label: "polite", TraceID: tid, Time: at},
	}
}

func manyScores(n int, prefix string) []scores.Score {
	tid, _ := trace.TraceIDFromHex(testTraceID)
	out := make([]scores.Score, n)
	for i := range out {
		out[i] = scores.Score{ID: fmt.Sprintf("%s-%d", prefix, i), Name: "quality", Kind: scores.Numeric, Number: float64(i), TraceID: tid, Time: time.Now()}
	}
	return out
}

// TestScoresReachLangfusesScoresAPI sends one score of each kind to a
// loopback Langfuse that checks them as its server does: one request
// each, JSON, the data type explicit, attached to the trace and the
// observation, filed under the spans' environment; every score counted.
func TestScoresReachLangfusesScoresAPI(t *testing.T) {
	r, lf, client := loopbackLangfuse(t)
	d := scoreDestination(t, r, client, "", nil)
	d.scores.Take(threeScores(t))
	flushed(t, d)

	got := lf.Newest()
	if len(got) != 3 {
		t.Fatalf("Langfuse has %d scores, want 3: %+v (requests %+v)", len(got), got, r.Requests())
	}
	want := map[string]otlptest.Score{
		"s-1": {ID: "s-1", TraceID: testTraceID, ObservationID: testSpanID, Name: "helpfulness", Value: 0.75, DataType: "NUMERIC", Comment: "cites the manual"},
		"s-2": {ID: "s-2", TraceID: testTraceID, ObservationID: testSpanID, Name: "correct", Value: 1.0, DataType: "BOOLEAN"},
		"s-3": {ID: "s-3", TraceID: testTraceID, Name: "tone", Value: "polite", DataType: "CATEGORICAL"},
	}
	for id, w := range want {
		g := got[id]
		if g.TraceID != w.TraceID || g.ObservationID != w.ObservationID || g.Name != w.Name || g.Value != w.Value || g.DataType != w.DataType || g.Comment != w.Comment {
			t.Errorf("score %s: got %+v, want %+v", id, g, w)
		}
		if g.Environment != "production" || g.Metadata["scored_at"] != "2026-12-01T10:00:00Z" {
			t.Errorf("score %s: environment %q, metadata %v; want production and the time it was made", id, g.Environment, g.Metadata)
		}
	}
	st := d.Stats().Scores
	if st == nil || st.Accepted != 3 || st.Exported != 3 || st.Requests != 3 || st.DroppedTotal() != 0 || st.Endpoint != r.URL()+otlptest.ScoresPath {
		t.Errorf("scores stats: %+v", st)
	}
	if n := d.Stats().Exported; n != 0 {
		t.Errorf("the spans' counters counted %d: scores have their own", n)
	}
}

// TestScoreComments: a destination that takes no content gets no
// comment (it is the evaluator's or the user's text); one that does gets
// it through its mask (TELEMETRY_MASK_SECRETS, runtime.WithMask), as a
// prompt would.
func TestScoreComments(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*DestinationConfig)
		want string
	}{
		{"no content", func(c *DestinationConfig) { c.Translator = LangfuseTranslator{} }, ""},
		{"masked", func(c *DestinationConfig) {
			c.Mask = func(_ attribute.Key, v string) string { return strings.ReplaceAll(v, "manual", "***") }
		}, "cites the ***"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, lf, client := loopbackLangfuse(t)
			d := scoreDestination(t, r, client, "", tc.edit)
			d.scores.Take(threeScores(t)[:1])
			flushed(t, d)
			if got := lf.All(); len(got) != 1 || got[0].Comment != tc.want {
				t.Errorf("scores %+v: want one, with the comment %q", got, tc.want)
			}
		})
	}
}

// TestScoresAreDeliveredAfterAnOutage: Langfuse is down (its port
// closed) while scores are made; they go to their spool, and once it is
// back they are replayed from there, each once, counted as spooled,
// replayed and exported.
func TestScoresAreDeliveredAfterAnOutage(t *testing.T) {
	r, lf, client := loopbackLangfuse(t)
	d := scoreDestination(t, r, client, filepath.Join(t.TempDir(), "langfuse-scores"), nil)
	r.Down()
	d.scores.Take(manyScores(6, "outage"))
	flushed(t, d) // everything is on disk now
	st := d.Stats().Scores
	if st.Spooled != 6 || st.Exported != 0 || st.Spool == nil || st.Spool.PendingSpans != 6 {
		t.Fatalf("during the outage: %+v, want 6 spooled, none exported", st)
	}
	if err := r.Up(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		st := d.Stats().Scores
		return len(lf.All()) >= 6 && st.Exported == 6 && st.Spool.PendingSpans == 0
	})
	if all, newest := lf.All(), lf.Newest(); len(all) != 6 || len(newest) != 6 {
		t.Errorf("%d scores arrived, %d distinct; want 6 once", len(all), len(newest))
	}
	st = d.Stats().Scores
	if st.Replayed != 6 || st.Spooled != 6 || st.DroppedTotal() != 0 || st.Spool.PendingSpans != 0 {
		t.Errorf("after the outage: %+v, want 6 spooled, replayed and exported", st)
	}
	for _, req := range r.Requests() {
		if req.Path != otlptest.ScoresPath {
			t.Errorf("a request to %s: scores go to the scores API only", req.Path)
		}
	}
}

// TestSpooledScoresNeverReachTheTracesEndpoint: the scores' spool is
// named for the scores API; pointed at the spans' spool (a directory
// moved by hand), its batches are set aside, not posted to the OTLP
// traces endpoint, which would reject or misread them.
func TestSpooledScoresNeverReachTheTracesEndpoint(t *testing.T) {
	r, _, client := loopbackLangfuse(t)
	dir := filepath.Join(t.TempDir(), "langfuse-scores")
	d := scoreDestination(t, r, client, dir, nil)
	r.Down()
	d.scores.Take(manyScores(4, "misplaced"))
	flushed(t, d)
	shutdownNow(d)
	if err := r.Up(); err != nil {
		t.Fatal(err)
	}

	// The spans' spool in the scores' directory: another identity.
	spans := scoreDestination(t, r, client, "", func(c *DestinationConfig) { c.Settings.SpoolDir, c.Scores = dir, scoreConfig{} })
	waitFor(t, func() bool {
		sp := spans.Stats().Spool
		return sp != nil && len(sp.SetAside) == 1 && sp.SetAside[0].Spans == 4
	})
	time.Sleep(50 * time.Millisecond) // five poll intervals: a replay would have started
	if reqs := r.Requests(); len(reqs) != 0 {
		t.Errorf("%d requests reached the receiver, want none: %+v", len(reqs), reqs)
	}
	if id := spans.Stats().Spool.SetAside[0].Identity; id.Destination != "langfuse-scores" {
		t.Errorf("set aside as %+v, want the scores' identity", id)
	}
}

// TestScoresRateLimitedPauseOnlyTheScores: Langfuse's scores API shares
// the public-API rate limit; a 429 with Retry-After pauses the scores
// (then they go), never the spans, which count against ingestion.
func TestScoresRateLimitedPauseOnlyTheScores(t *testing.T) {
	r, lf, client := loopbackLangfuse(t)
	var answered atomic.Bool
	r.Handle(otlptest.ScoresPath, func(req *http.Request, body []byte, h http.Header) (int, []byte, int, func()) {
		if !answered.Swap(true) {
			h.Set("Retry-After", "1")
			return http.StatusTooManyRequests, []byte(`{"message":"rate limit exceeded"}`), 0, nil
		}
		return lf.Handler(req, body, h)
	})
	d := scoreDestination(t, r, client, "", func(c *DestinationConfig) { c.Settings.MaxInFlight = 1 })
	d.scores.Take(manyScores(1, "limited"))
	waitFor(t, func() bool { return !d.Stats().Scores.PausedUntil.IsZero() })
	if paused := d.Stats().PausedUntil; !paused.IsZero() {
		t.Errorf("the spans paused until %v by the scores' 429", paused)
	}
	waitFor(t, func() bool { return len(lf.All()) == 1 && d.Stats().Scores.Exported == 1 })
	if st := d.Stats().Scores; st.Exported != 1 || st.Retried != 1 || st.Breaker.State != breaker.Closed {
		t.Errorf("after the pause: %+v; want the score delivered on its retry, the breaker closed", st)
	}
}

// TestScoresArePacedInABubble: with a rate limit in requests (one score a
// request), requests start at most PerMinute a minute after a burst of
// three, however many senders there are; in a synctest bubble the
// seconds pass in no time.
func TestScoresArePacedInABubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, client := otlptest.NewInMemory(t)
		lf := otlptest.NewScores("pk-test", "sk-test")
		r.Handle(otlptest.ScoresPath, lf.Handler)
		client.Transport = basicAuth{base: client.Transport, user: "pk-test", pass: "sk-test"}
		d := scoreDestination(t, r, client, "", func(c *DestinationConfig) { c.Scores.PerMinute = 30 })
		start := time.Now()
		d.scores.Take(manyScores(10, "paced"))
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := d.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		reqs := r.Requests()
		if len(reqs) != 10 || len(lf.Newest()) != 10 {
			t.Fatalf("%d requests, %d scores; want 10 of each", len(reqs), len(lf.Newest()))
		}
		for i, req := range reqs {
			// Three at once, then one every 2 s (30 a minute).
			if at, want := req.Time.Sub(start), time.Duration(max(i-2, 0))*2*time.Second; at < want || at > want+100*time.Millisecond {
				t.Errorf("request %d started at %v, want %v", i, at, want)
			}
		}
		if st := d.Stats().Scores; st.Settings.RequestsPerMinute != 30 || st.Exported != 10 {
			t.Errorf("stats %+v", st)
		}
	})
}

// TestScoresReachInstanaAsEvaluationEvents: for an OTLP destination a
// score is the conventions' gen_ai.evaluation.result, a log record with
// the evaluated span's trace and span IDs, its value and label as the
// conventions name them, on the resource the spans have (Instana's
// translation: INSTANA_PLUGIN=genai); the comment only with content on.
func TestScoresReachInstanaAsEvaluationEvents(t *testing.T) {
	for _, content := range []bool{false, true} {
		t.Run(fmt.Sprint("content=", content), func(t *testing.T) {
			r := otlptest.New(t)
			res := resource.NewSchemaless(semconv.ServiceName("shop"), semconv.HostID("h-1"))
			d, err := NewDestination(withDefaults(DestinationConfig{Name: "instana", URL: r.URL() + "/v1/traces", Client: &http.Client{},
				Translator: InstanaTranslator{Content: content}, Breaker: breaker.New(breaker.Settings{Name: "instana"}),
				runtimeWiring: runtimeWiring{Scores: scoreConfig{Format: scores.EvaluationEvents, URL: r.URL() + "/v1/logs", Resource: res,
					Breaker: breaker.New(breaker.Settings{Name: "instana-scores"})}}}))
			if err != nil {
				t.Fatal(err)
			}
			defer shutdownNow(d)
			d.scores.Take(threeScores(t))
			flushed(t, d)

			logs := r.WaitLogs(t, 3, 5*time.Second)
			if reqs := r.Requests(); len(reqs) != 1 || reqs[0].Path != "/v1/logs" || reqs[0].Spans != 3 {
				t.Errorf("requests %+v: want the three records in one request to /v1/logs", reqs)
			}
			wantAttrs := []map[string]any{
				{"gen_ai.evaluation.name": "helpfulness", "gen_ai.evaluation.score.value": 0.75},
				{"gen_ai.evaluation.name": "correct", "gen_ai.evaluation.score.value": 1.0, "gen_ai.evaluation.score.label": "true"},
				{"gen_ai.evaluation.name": "tone", "gen_ai.evaluation.score.label": "polite"},
			}
			if content {
				wantAttrs[0]["gen_ai.evaluation.explanation"] = "cites the manual"
			}
			wantSpan := []string{testSpanID, testSpanID, ""}
			wantBody := []string{"evaluation helpfulness: 0.75", "evaluation correct: true", "evaluation tone: polite"}
			for i, l := range logs {
				if l.EventName != "gen_ai.evaluation.result" || l.TraceID() != testTraceID || l.SpanID() != wantSpan[i] {
					t.Errorf("record %d: event %q, trace %s, span %s", i, l.EventName, l.TraceID(), l.SpanID())
				}
				if fmt.Sprint(l.Attrs()) != fmt.Sprint(wantAttrs[i]) {
					t.Errorf("record %d: attributes %v, want %v", i, l.Attrs(), wantAttrs[i])
				}
				if l.Body.GetStringValue() != wantBody[i] || l.SeverityText != "INFO" || l.SeverityNumber != 9 {
					t.Errorf("record %d: body %q, severity %s/%d", i, l.Body.GetStringValue(), l.SeverityText, l.SeverityNumber)
				}
				if l.TimeUnixNano != uint64(threeScores(t)[i].Time.UnixNano()) || l.Scope != "github.com/genaitrace/genaitrace" {
					t.Errorf("record %d: time %d, scope %q", i, l.TimeUnixNano, l.Scope)
				}
				if l.Resource["INSTANA_PLUGIN"] != "genai" || l.Resource["service.name"] != "shop" {
					t.Errorf("record %d: resource %v", i, l.Resource)
				}
			}
			if st := d.Stats().Scores; st.Exported != 3 || st.Requests != 1 {
				t.Errorf("scores stats %+v", st)
			}
		})
	}
}

// TestScoreHubHandsScoresToEveryTaker: the hand-off takes a score on the
// caller's goroutine and gives it to every destination that takes
// scores; flushing the pipeline delivers it; after shutdown a score is
// dropped and counted.
func TestScoreHubHandsScoresToEveryTaker(t *testing.T) {
	r, lf, client := loopbackLangfuse(t)
	in := otlptest.New(t)
	lfd := scoreDestination(t, r, client, "", nil)
	ind, err := NewDestination(withDefaults(DestinationConfig{Name: "instana", URL: in.URL() + "/v1/traces", Client: &http.Client{},
		Translator: InstanaTranslator{}, Breaker: breaker.New(breaker.Settings{Name: "instana"}),
		runtimeWiring: runtimeWiring{Scores: scoreConfig{Format: scores.EvaluationEvents, URL: in.URL() + "/v1/logs", Breaker: breaker.New(breaker.Settings{Name: "instana-scores"})}}}))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := NewDestination(withDefaults(DestinationConfig{Name: "otlp", URL: in.URL() + "/v1/traces", Client: &http.Client{},
		Breaker: breaker.New(breaker.Settings{Name: "otlp"})}))
	if err != nil {
		t.Fatal(err)
	}
	h := newScoreHub(slog.New(slog.DiscardHandler), []Consumer{lfd, ind, plain})
	defer h.Shutdown()
	for _, sc := range threeScores(t) {
		scores.Send(sc)
	}
	h.Flush()
	flushed(t, lfd)
	flushed(t, ind)
	if n := len(lf.Newest()); n != 3 {
		t.Errorf("Langfuse got %d scores, want 3", n)
	}
	if n := len(in.WaitLogs(t, 3, 5*time.Second)); n != 3 {
		t.Errorf("Instana got %d evaluation events, want 3", n)
	}
	if st := h.Stats(); st.Accepted != 3 || st.Dispatched != 3 || st.Pending != 0 {
		t.Errorf("hub stats %+v", st)
	}
	if plain.Stats().Scores != nil {
		t.Error("a destination without scores reports scores stats")
	}
	before := scores.Dropped()[scores.DropNoRuntime]
	h.Shutdown()
	scores.Send(threeScores(t)[0])
	if after := scores.Dropped()[scores.DropNoRuntime]; after != before+1 {
		t.Errorf("a score after shutdown: no_runtime %d then %d, want one more", before, after)
	}
}

// TestRejectedScoresAreSetAsideAndCounted: a score the API rejects (400)
// is set aside, counted as rejected, never retried; the next one goes.
func TestRejectedScoresAreSetAsideAndCounted(t *testing.T) {
	r, lf, client := loopbackLangfuse(t)
	var rejected atomic.Bool
	r.Handle(otlptest.ScoresPath, func(req *http.Request, body []byte, h http.Header) (int, []byte, int, func()) {
		if !rejected.Swap(true) {
			return http.StatusBadRequest, []byte(`{"message":"Invalid request data"}`), 0, nil
		}
		return lf.Handler(req, body, h)
	})
	d := scoreDestination(t, r, client, filepath.Join(t.TempDir(), "langfuse-scores"), func(c *DestinationConfig) { c.Settings.MaxInFlight = 1 })
	d.scores.Take(manyScores(2, "r"))
	flushed(t, d)
	st := d.Stats().Scores
	if len(lf.All()) != 1 || st.Exported != 1 || st.SetAside != 1 || st.Dropped[DropRejected] != 1 || st.Requests != 2 {
		t.Errorf("%d delivered; stats %+v: want one delivered, one set aside as rejected, two requests", len(lf.All()), st)
	}
}
