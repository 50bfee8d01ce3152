package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// sampledWorkload makes n traces of a web service, each a root with a
// database child; one in ten also calls a model (usage varying by trace),
// one in 37 fails. It returns what it made, by trace ID.
type sampledWorkload struct {
	genai, failed, plain map[string]bool
	calls                int
	input, output        int64
	cost                 float64
}

func makeSampledTraffic(t *testing.T, m *Manager, n int) sampledWorkload {
	t.Helper()
	w := sampledWorkload{genai: map[string]bool{}, failed: map[string]bool{}, plain: map[string]bool{}}
	tr := m.Tracer("shop")
	prices := pricing.Default()
	for i := range n {
		ctx, root := tr.Start(context.Background(), "GET /items", trace.WithSpanKind(trace.SpanKindServer))
		_, db := tr.Start(ctx, "SELECT items")
		db.End()
		tid := root.SpanContext().TraceID().String()
		switch {
		case i%10 == 0:
			in, out := int64(100+i%7), int64(20+i%5)
			_, call := tr.Start(ctx, "chat gpt-4o-mini", trace.WithAttributes(
				genai.OperationName.String(genai.OpChat), genai.ProviderName.String("openai"),
				genai.RequestModel.String("gpt-4o-mini"), genai.UsageInputTokens.Int64(in), genai.UsageOutputTokens.Int64(out)))
			call.End()
			w.genai[tid] = true
			w.calls++
			w.input += in
			w.output += out
			c, _ := prices.Estimate("openai", "gpt-4o-mini", pricing.Usage{Input: in, Output: out})
			w.cost += c.Total()
		case i%37 == 0:
			root.SetStatus(codes.Error, "boom")
			w.failed[tid] = true
		default:
			w.plain[tid] = true
		}
		root.End()
	}
	return w
}

// spansByTrace counts what a receiver got, per trace.
func spansByTrace(spans []otlptest.Span) map[string]int {
	out := map[string]int{}
	for _, s := range spans {
		out[s.TraceID()]++
	}
	return out
}

type modelsView struct {
	Totals struct {
		Calls   int     `json:"calls"`
		Tokens  int64   `json:"tokens"`
		CostUSD float64 `json:"cost_usd"`
	} `json:"totals"`
}

// TestSamplingKeepsEveryLLMCall: at TELEMETRY_SAMPLE_RATE=0.1, as the
// README recommends for production, 10,000 traces (one in ten with a model
// call, one in 37 failing) reach real OTLP receivers: every GenAI trace
// and every failed trace arrives whole at both destinations; of the plain
// traces Instana gets 10 % ± 3 %, Langfuse none (LLM traces only); and the
// per-model ledger and the exported token metric count exactly the 1,000
// calls made, with their exact tokens and cost.
func TestSamplingKeepsEveryLLMCall(t *testing.T) {
	clearEnv(t)
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	t.Setenv(envSampleRate, "0.1")
	m, _ := configure(t, WithInstana(instana.URL(), ""), WithLangfuse(langfuse.URL(), "pk-lf-x", "sk-lf-x"),
		WithLangfuseExport(LangfuseExportLLM), WithMemoryMaxBytes(256<<20), WithoutSpool())
	w := makeSampledTraffic(t, m, 10_000)
	flush(t, m)

	wantValuable := 3*len(w.genai) + 2*len(w.failed)
	for name, r := range map[string]*otlptest.Receiver{"instana": instana, "langfuse": langfuse} {
		got := spansByTrace(r.Spans())
		for tid := range w.genai {
			if got[tid] != 3 {
				t.Fatalf("%s: GenAI trace %s arrived with %d of its 3 spans", name, tid, got[tid])
			}
		}
		for tid := range w.failed {
			if got[tid] != 2 {
				t.Fatalf("%s: failed trace %s arrived with %d of its 2 spans", name, tid, got[tid])
			}
		}
		plain := 0
		for tid := range w.plain {
			switch got[tid] {
			case 0:
			case 2:
				plain++
			default:
				t.Errorf("%s: plain trace %s arrived with %d of its 2 spans: sampled traces are whole or absent", name, tid, got[tid])
			}
		}
		share := float64(plain) / float64(len(w.plain))
		switch name {
		case "instana":
			if math.Abs(share-0.1) > 0.03 {
				t.Errorf("instana got %.3f of the plain traces, want 0.10 ± 0.03", share)
			}
			if total := len(r.Spans()); total != wantValuable+2*plain {
				t.Errorf("instana got %d spans, want %d valuable + %d sampled", total, wantValuable, 2*plain)
			}
		case "langfuse":
			if plain != 0 || len(r.Spans()) != wantValuable {
				t.Errorf("langfuse got %d plain traces and %d spans, want 0 and %d", plain, len(r.Spans()), wantValuable)
			}
		}
	}
	st := m.PipelineStats().Sampling
	if st.Kept["genai"] != int64(len(w.genai)) || st.Kept["error"] != int64(len(w.failed)) || st.HeldSpans != 0 {
		t.Errorf("sampling stats %+v: want %d kept for genai, %d for an error, none held", st, len(w.genai), len(w.failed))
	}
	if st.Kept["sampled"]+st.SampledOut != int64(len(w.plain)) {
		t.Errorf("sampling stats %+v: sampled %d + sampled out %d, want the %d plain traces", st, st.Kept["sampled"], st.SampledOut, len(w.plain))
	}
	checkLedger(t, m, w)
	checkTokenMetric(t, m, instana, w)
}

// TestShedCallsAreStillCounted: a memory budget far too small for a burst
// sheds spans, GenAI ones among them, and the per-model ledger and the
// GenAI token metric still count every call made, exactly.
func TestShedCallsAreStillCounted(t *testing.T) {
	clearEnv(t)
	instana := otlptest.New(t)
	instana.SetDelay(50 * time.Millisecond)
	instana.SetMode(otlptest.Slow)
	m, _ := configure(t, WithInstana(instana.URL(), ""), WithMemoryMaxBytes(64<<10), WithoutSpool(),
		WithSampleRate(0.1), WithMetricsInterval(time.Hour))
	w := makeSampledTraffic(t, m, 10_000)
	flush(t, m)
	p := m.PipelineStats()
	if p.Shed["shed_genai"] == 0 || p.ShedCalls == 0 {
		t.Fatalf("no GenAI span was shed (%v, %d calls): the test did not test shedding", p.Shed, p.ShedCalls)
	}
	checkLedger(t, m, w)
	checkTokenMetric(t, m, instana, w)
}

// checkTokenMetric shuts m down (the metrics' last collection) and checks
// that gen_ai.client.token.usage, as r received it, counts every call
// made, with its exact tokens.
func checkTokenMetric(t *testing.T, m *Manager, r *otlptest.Receiver, w sampledWorkload) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	var calls uint64
	var input, output float64
	for _, rm := range r.Metrics() {
		for _, sm := range rm.ScopeMetrics {
			for _, metric := range sm.Metrics {
				if metric.Name != "gen_ai.client.token.usage" {
					continue
				}
				for _, dp := range metric.GetHistogram().DataPoints {
					for _, kv := range dp.Attributes {
						if kv.Key == "gen_ai.token.type" && kv.Value.GetStringValue() == "input" {
							input, calls = input+dp.GetSum(), calls+dp.Count
						} else if kv.Key == "gen_ai.token.type" {
							output += dp.GetSum()
						}
					}
				}
			}
		}
	}
	if calls != uint64(w.calls) || int64(input) != w.input || int64(output) != w.output {
		t.Errorf("gen_ai.client.token.usage: %d calls, %v input and %v output tokens; made %d calls, %d and %d",
			calls, input, output, w.calls, w.input, w.output)
	}
}

func checkLedger(t *testing.T, m *Manager, w sampledWorkload) {
	t.Helper()
	var got modelsView
	if err := json.Unmarshal(getBody(t, m, "/models"), &got); err != nil {
		t.Fatal(err)
	}
	if got.Totals.Calls != w.calls || got.Totals.Tokens != w.input+w.output || fmt.Sprintf("%.9f", got.Totals.CostUSD) != fmt.Sprintf("%.9f", w.cost) {
		t.Errorf("/models totals %+v; made %d calls, %d tokens, $%.9f", got.Totals, w.calls, w.input+w.output, w.cost)
	}
}

// TestContentSampleRate: with TELEMETRY_CONTENT_SAMPLE_RATE=0.2 every
// model call arrives at both destinations with its usage, and a fifth of
// the traces (the same ones at both, chosen by trace ID) carry their
// prompts and completions; the others carry none.
func TestContentSampleRate(t *testing.T) {
	clearEnv(t)
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	t.Setenv(envContentSampleRate, "0.2")
	m, _ := configure(t, WithInstana(instana.URL(), ""), WithInstanaContent(true), WithLangfuse(langfuse.URL(), "pk-lf-x", "sk-lf-x"))
	const n, marker = 1000, "MARKER-CONTENT"
	tr := m.Tracer("t")
	for range n {
		_, s := tr.Start(context.Background(), "chat gpt-4o-mini", trace.WithAttributes(
			genai.OperationName.String(genai.OpChat), genai.RequestModel.String("gpt-4o-mini"),
			genai.UsageInputTokens.Int(10), genai.UsageOutputTokens.Int(5),
			genai.InputMessages.String(genai.TextMessage("user", marker+"-prompt")),
			genai.OutputMessages.String(genai.TextMessage("assistant", marker+"-completion"))))
		s.End()
	}
	flush(t, m)
	withContent := map[string]map[string]bool{}
	for name, r := range map[string]*otlptest.Receiver{"instana": instana, "langfuse": langfuse} {
		withContent[name] = map[string]bool{}
		spans := r.Spans()
		if len(spans) != n {
			t.Fatalf("%s got %d spans, want all %d", name, len(spans), n)
		}
		for _, s := range spans {
			attrs := fmt.Sprint(s.Attrs())
			if !strings.Contains(attrs, "10") {
				t.Errorf("%s: a span without its usage: %s", name, attrs)
			}
			if strings.Contains(attrs, marker) {
				withContent[name][s.TraceID()] = true
			}
		}
		if share := float64(len(withContent[name])) / n; math.Abs(share-0.2) > 0.05 {
			t.Errorf("%s: %.3f of the traces carry content, want 0.20 ± 0.05", name, share)
		}
	}
	if !maps.Equal(withContent["instana"], withContent["langfuse"]) {
		t.Error("the destinations got content for different traces")
	}
}

// TestLateChildFollowsItsTrace: a span a goroutine starts from a request's
// context after the request's root ended (fire and forget) follows its
// trace's verdict: a trace kept for its model call keeps the late span, a
// sampled-out trace loses it too (traces are whole or absent), and neither
// waits in the sampler for a verdict already made.
func TestLateChildFollowsItsTrace(t *testing.T) {
	clearEnv(t)
	instana := otlptest.New(t)
	t.Setenv(envSampleRate, "0") // only value keeps a trace
	m, _ := configure(t, WithInstana(instana.URL(), ""), WithoutSpool())
	tr := m.Tracer("shop")
	request := func(attrs ...attribute.KeyValue) trace.TraceID {
		ctx, root := tr.Start(context.Background(), "POST /chat", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
		root.End()
		_, late := tr.Start(ctx, "audit log write")
		late.End()
		return root.SpanContext().TraceID()
	}
	kept := request(genai.OperationName.String(genai.OpChat), genai.RequestModel.String("gpt-4o-mini"))
	sampledOut := request()
	flush(t, m)
	got := spansByTrace(instana.Spans())
	if got[kept.String()] != 2 {
		t.Errorf("the kept trace arrived with %d of its 2 spans: the span started after its root ended was lost", got[kept.String()])
	}
	if got[sampledOut.String()] != 0 {
		t.Errorf("the sampled-out trace arrived with %d spans: its late span was sent as undecided", got[sampledOut.String()])
	}
	st := m.PipelineStats().Sampling
	if st.HeldSpans != 0 || st.Kept["unsure"] != 0 {
		t.Errorf("sampling stats %+v: a late span waits for a verdict already made", st)
	}
	if st.Kept["genai"] != 1 || st.SampledOut != 1 {
		t.Errorf("sampling stats %+v: want one trace kept for its model call and one sampled out, each counted once", st)
	}
}
