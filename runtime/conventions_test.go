package runtime

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// emitConventionsTrace records, inside an HTTP server span, what
// genaitrace's wrappers record (runtime/genai's v1.41 keys, as generated
// code writes them: top_k a double) and what an instrumentation writing
// the GenAI conventions' first standalone release records. No Go
// instrumentation writes that release yet: its spans are built from the
// release's own text, open-telemetry/semantic-conventions-genai
// CHANGELOG.md (v0.1.0: #440 gen_ai.usage.cache_write.input_tokens, #217
// top_k an int and gen_ai.retrieval.top_k, #571 a workflow as the internal
// invoke_agent span type with gen_ai.agent.name and operation
// invoke_workflow), docs/gen-ai/non-normative/migration.md at
// 32c328e85013588c6fe32ebc30934ab5b1752b6a and docs/gen-ai/client-inference.md
// at 024a4f944a1291fcb627c9c47da69e79868dd15e. Span names are unique.
func emitConventionsTrace(ctx context.Context, tp trace.TracerProvider) {
	ck := newClock()
	own, peer := tp.Tracer("app"), tp.Tracer("example.com/genai-v0.1.0-instrumentation")
	inRequest(ctx, tp, ck, "/support", func(ctx context.Context) {
		ctx, wf := ck.begin(ctx, own, "invoke_workflow triage", trace.WithAttributes(
			genai.OperationName.String(genai.OpInvokeWorkflow), genai.WorkflowName.String("triage")))
		ck.leaf(ctx, own, "chat claude-own", trace.SpanKindClient, []attribute.KeyValue{
			genai.OperationName.String(genai.OpChat), genai.ProviderName.String("anthropic"),
			genai.RequestModel.String("claude-sonnet-4-5"), genai.RequestTopK.Float64(40),
			genai.UsageInputTokens.Int(1300), genai.UsageOutputTokens.Int(50),
			genai.UsageCacheReadInputTokens.Int(1000), genai.UsageCacheCreationInputTokens.Int(200)})
		ck.leaf(ctx, own, "retrieval docs-own", trace.SpanKindClient, []attribute.KeyValue{
			genai.OperationName.String(genai.OpRetrieval), genai.RequestTopK.Float64(5)})
		ck.leaf(ctx, own, "chat gpt-4o-fail", trace.SpanKindClient, []attribute.KeyValue{
			genai.OperationName.String(genai.OpChat), genai.ProviderName.String("openai"),
			genai.RequestModel.String("gpt-4o-fail"), genai.ErrorType.String("rate_limit")},
			func(sp trace.Span, _ time.Time) { sp.SetStatus(codes.Error, "rate limited") })
		ck.leaf(ctx, own, "embeddings text-embedding-3-small", trace.SpanKindClient, []attribute.KeyValue{
			genai.OperationName.String(genai.OpEmbeddings), genai.ProviderName.String("openai"),
			genai.RequestModel.String("text-embedding-3-small"), genai.UsageInputTokens.Int(8)})
		wf.endAfter(5 * time.Second)

		ctx, pwf := ck.begin(ctx, peer, "invoke_workflow support_flow", trace.WithAttributes(
			genai.OperationName.String(genai.OpInvokeWorkflow), genai.AgentName.String("support_flow")))
		ck.leaf(ctx, peer, "chat claude-peer", trace.SpanKindClient, []attribute.KeyValue{
			genai.OperationName.String(genai.OpChat), genai.ProviderName.String("anthropic"),
			genai.RequestModel.String("claude-haiku-4-5"), attribute.Int("gen_ai.request.top_k", 20),
			genai.UsageInputTokens.Int(900), genai.UsageOutputTokens.Int(40),
			genai.UsageCacheReadInputTokens.Int(500), attribute.Int("gen_ai.usage.cache_write.input_tokens", 300)})
		ck.leaf(ctx, peer, "retrieval docs-peer", trace.SpanKindClient, []attribute.KeyValue{
			genai.OperationName.String(genai.OpRetrieval), attribute.Int("gen_ai.retrieval.top_k", 3)})
		pwf.endAfter(5 * time.Second)
	})
}

// conventionsWant is what a span must carry (typed: an int64 is not a
// float64) and must not carry at a destination.
type conventionsWant struct {
	has    map[string]any
	hasNot []string
}

// spanWants are the names of the release a setting chooses, per span,
// for Instana and the generic OTLP destination, which get the spans'
// attributes.
func spanWants(latest bool) map[string]conventionsWant {
	if !latest {
		return map[string]conventionsWant{
			"invoke_workflow triage": {has: map[string]any{"gen_ai.workflow.name": "triage", "gen_ai.operation.name": "invoke_workflow"},
				hasNot: []string{"gen_ai.agent.name"}},
			"invoke_workflow support_flow": {has: map[string]any{"gen_ai.workflow.name": "support_flow", "gen_ai.operation.name": "invoke_workflow"},
				hasNot: []string{"gen_ai.agent.name"}},
			"chat claude-own": {has: map[string]any{"gen_ai.usage.cache_creation.input_tokens": int64(200), "gen_ai.request.top_k": float64(40)},
				hasNot: []string{"gen_ai.usage.cache_write.input_tokens"}},
			"chat claude-peer": {has: map[string]any{"gen_ai.usage.cache_creation.input_tokens": int64(300), "gen_ai.request.top_k": float64(20)},
				hasNot: []string{"gen_ai.usage.cache_write.input_tokens"}},
			"retrieval docs-own":  {has: map[string]any{"gen_ai.request.top_k": float64(5)}, hasNot: []string{"gen_ai.retrieval.top_k"}},
			"retrieval docs-peer": {has: map[string]any{"gen_ai.request.top_k": float64(3)}, hasNot: []string{"gen_ai.retrieval.top_k"}},
		}
	}
	return map[string]conventionsWant{
		"invoke_workflow triage": {has: map[string]any{"gen_ai.agent.name": "triage", "gen_ai.operation.name": "invoke_workflow"},
			hasNot: []string{"gen_ai.workflow.name"}},
		"invoke_workflow support_flow": {has: map[string]any{"gen_ai.agent.name": "support_flow", "gen_ai.operation.name": "invoke_workflow"},
			hasNot: []string{"gen_ai.workflow.name"}},
		"chat claude-own": {has: map[string]any{"gen_ai.usage.cache_write.input_tokens": int64(200), "gen_ai.request.top_k": int64(40)},
			hasNot: []string{"gen_ai.usage.cache_creation.input_tokens"}},
		"chat claude-peer": {has: map[string]any{"gen_ai.usage.cache_write.input_tokens": int64(300), "gen_ai.request.top_k": int64(20)},
			hasNot: []string{"gen_ai.usage.cache_creation.input_tokens"}},
		"retrieval docs-own":  {has: map[string]any{"gen_ai.retrieval.top_k": int64(5)}, hasNot: []string{"gen_ai.request.top_k"}},
		"retrieval docs-peer": {has: map[string]any{"gen_ai.retrieval.top_k": int64(3)}, hasNot: []string{"gen_ai.request.top_k"}},
	}
}

// langfuseWants: Langfuse gets its own names under either setting (usage
// details and model parameters as JSON, no cache count attribute); only
// the names it passes through as metadata follow the setting.
func langfuseWants(latest bool) map[string]conventionsWant {
	workflow, notWorkflow := "gen_ai.workflow.name", "gen_ai.agent.name"
	if latest {
		workflow, notWorkflow = notWorkflow, workflow
	}
	noCounts := []string{"gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_write.input_tokens",
		"gen_ai.usage.input_tokens", "gen_ai.request.top_k", "gen_ai.retrieval.top_k"}
	return map[string]conventionsWant{
		"invoke_workflow triage":       {has: map[string]any{workflow: "triage", "langfuse.observation.type": "chain"}, hasNot: []string{notWorkflow}},
		"invoke_workflow support_flow": {has: map[string]any{workflow: "support_flow", "langfuse.observation.type": "chain"}, hasNot: []string{notWorkflow}},
		"chat claude-own": {has: map[string]any{
			"langfuse.observation.usage_details":    `{"input":100,"output":50,"input_cached_tokens":1000,"input_cache_creation":200,"total":1350}`,
			"langfuse.observation.model.parameters": `{"top_k":40}`}, hasNot: noCounts},
		"chat claude-peer": {has: map[string]any{
			"langfuse.observation.usage_details":    `{"input":100,"output":40,"input_cached_tokens":500,"input_cache_creation":300,"total":940}`,
			"langfuse.observation.model.parameters": `{"top_k":20}`}, hasNot: noCounts},
		"retrieval docs-peer": {has: map[string]any{"langfuse.observation.type": "retriever"}, hasNot: noCounts},
	}
}

func checkWants(t *testing.T, dest string, spans []otlptest.Span, wants map[string]conventionsWant) {
	t.Helper()
	byName := otlptest.ByName(spans)
	for name, w := range wants {
		sp, ok := byName[name]
		if !ok {
			t.Errorf("%s: no span %q", dest, name)
			continue
		}
		a := sp.Attrs()
		for k, want := range w.has {
			if got := a[k]; got != want {
				t.Errorf("%s %q: %s = %v (%T), want %v (%T)", dest, name, k, got, got, want, want)
			}
		}
		for _, k := range w.hasNot {
			if v, ok := a[k]; ok {
				t.Errorf("%s %q: has %s = %v, a name of the other release", dest, name, k, v)
			}
		}
	}
}

// TestConventionsEachDestinationGets sends genaitrace's own spans and a
// v0.1.0 instrumentation's through the runtime to Instana, Langfuse and a
// generic OTLP destination on loopback, with the default (v1.41) and with
// OTEL_SEMCONV_STABILITY_OPT_IN as a user sets it beside another
// category, and checks what each received: spans in one release's names,
// and the GenAI metrics in one family, never both.
func TestConventionsEachDestinationGets(t *testing.T) {
	for _, c := range []struct {
		name   string
		optIn  string
		opts   []Option
		latest bool
	}{
		{name: "default"},
		{name: "opt-in variable", optIn: "http, gen_ai_latest_experimental", latest: true},
		{name: "opt-in option", opts: []Option{WithGenAIConventions(export.ConventionsLatest)}, latest: true},
		{name: "other categories only", optIn: "http,database"},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(envSemconvOptIn, c.optIn)
			instana, langfuse, otlp := otlptest.New(t), otlptest.New(t), otlptest.New(t)
			m, _ := configure(t, append([]Option{WithInstana(instana.URL(), ""), WithLangfuse(langfuse.URL(), "pk", "sk"),
				WithOTLP(otlp.URL()+"/v1/traces", nil), WithMetricsInterval(50 * time.Millisecond)}, c.opts...)...)
			if got, want := m.Config().GenAIConventions, map[bool]string{false: "v1.41", true: "genai-v0.1.0"}[c.latest]; got != want {
				t.Errorf("/config genai_conventions = %q, want %q", got, want)
			}
			emitConventionsTrace(context.Background(), m.TracerProvider())
			flush(t, m)
			const spans = 9 // the request and its eight
			checkWants(t, "instana", instana.WaitSpans(t, spans, 5*time.Second), spanWants(c.latest))
			checkWants(t, "otlp", otlp.WaitSpans(t, spans, 5*time.Second), spanWants(c.latest))
			checkWants(t, "langfuse", langfuse.WaitSpans(t, spans, 5*time.Second), langfuseWants(c.latest))
			for _, r := range []struct {
				dest string
				rcv  *otlptest.Receiver
			}{{"instana", instana}, {"otlp", otlp}} {
				if c.latest {
					checkLatestMetrics(t, r.dest, r.rcv)
				} else {
					checkV141Metrics(t, r.dest, r.rcv)
				}
			}
		})
	}
}

// The GenAI metric names of each release, spelled out.
var (
	metricsV141   = []string{"gen_ai.client.token.usage", "gen_ai.client.operation.duration"}
	metricsLatest = []string{"gen_ai.client.inference.usage.input_tokens", "gen_ai.client.inference.usage.output_tokens",
		"gen_ai.client.inference.usage.cache_read.input_tokens", "gen_ai.client.inference.usage.cache_write.input_tokens",
		"gen_ai.client.inference.usage.reasoning.output_tokens", "gen_ai.client.inference.operation.input_tokens",
		"gen_ai.client.inference.operation.output_tokens", "gen_ai.client.inference.duration",
		"gen_ai.client.inference.time_to_first_chunk", "gen_ai.client.inference.time_per_output_chunk"}
)

// waitCollection waits for a metrics collection of r in which ready holds,
// and returns its metrics by name, with every GenAI metric name r has ever
// received.
func waitCollection(t *testing.T, r *otlptest.Receiver, ready func(map[string]*metricspb.Metric) bool) (last map[string]*metricspb.Metric, ever map[string]bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		rms := r.Metrics()
		ever = map[string]bool{}
		for _, rm := range rms {
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					if strings.HasPrefix(m.Name, "gen_ai.") {
						ever[m.Name] = true
					}
				}
			}
		}
		if len(rms) > 0 {
			last = map[string]*metricspb.Metric{}
			for _, sm := range rms[len(rms)-1].ScopeMetrics {
				for _, m := range sm.Metrics {
					last[m.Name] = m
				}
			}
			if ready(last) {
				return last, ever
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no collection ready in 5 s; the last had %v", slices.Sorted(maps.Keys(last)))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// histCount sums a histogram's point counts, of the points where match
// holds.
func histCount(m *metricspb.Metric, match func(map[string]any) bool) (count uint64, sum float64) {
	for _, dp := range m.GetHistogram().GetDataPoints() {
		if match(otlptest.KeyValues(dp.Attributes)) {
			count += dp.Count
			sum += dp.GetSum()
		}
	}
	return count, sum
}

func everyPoint(map[string]any) bool { return true }

func assertNever(t *testing.T, dest string, ever map[string]bool, names []string) {
	t.Helper()
	for _, n := range names {
		if ever[n] {
			t.Errorf("%s received %s: the other release's family, sent beside this one", dest, n)
		}
	}
}

// checkV141Metrics: v1.41's two instruments, every model call once (two
// chats, the failed one and the embedding), nothing of v0.1.0's.
func checkV141Metrics(t *testing.T, dest string, r *otlptest.Receiver) {
	t.Helper()
	last, ever := waitCollection(t, r, func(m map[string]*metricspb.Metric) bool {
		n, _ := histCount(m["gen_ai.client.operation.duration"], everyPoint)
		return n >= 4
	})
	assertNever(t, dest, ever, metricsLatest)
	if n, _ := histCount(last["gen_ai.client.operation.duration"], everyPoint); n != 4 {
		t.Errorf("%s: operation.duration counted %d calls, want 4", dest, n)
	}
	n, sum := histCount(last["gen_ai.client.token.usage"], func(a map[string]any) bool { return a["gen_ai.token.type"] == "input" })
	if n != 3 || sum != 1300+900+8 {
		t.Errorf("%s: token.usage input: %d points summing %v, want 3 summing 2208", dest, n, sum)
	}
}

// checkLatestMetrics: v0.1.0's inference metrics, the failed call's zero
// usage recorded with modality unknown, operation.duration for the
// embedding only, nothing of v1.41's.
func checkLatestMetrics(t *testing.T, dest string, r *otlptest.Receiver) {
	t.Helper()
	last, ever := waitCollection(t, r, func(m map[string]*metricspb.Metric) bool {
		n, _ := histCount(m["gen_ai.client.inference.duration"], everyPoint)
		return n >= 3
	})
	assertNever(t, dest, ever, metricsV141[:1])
	byModel := func(name string) map[string]int64 {
		m := last[name]
		if m == nil {
			t.Errorf("%s: no %s", dest, name)
			return nil
		}
		s := m.GetSum()
		if !s.GetIsMonotonic() || s.GetAggregationTemporality() != metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE || m.Unit != "{token}" {
			t.Errorf("%s: %s is not a cumulative monotonic counter of {token}: %v %v %q", dest, name, s.GetIsMonotonic(), s.GetAggregationTemporality(), m.Unit)
		}
		out := map[string]int64{}
		for _, dp := range s.GetDataPoints() {
			a := otlptest.KeyValues(dp.Attributes)
			if a["gen_ai.token.modality"] != "unknown" || a["gen_ai.system"] != nil || a["error.type"] != nil {
				t.Errorf("%s: %s point %v: want modality unknown, no gen_ai.system, no error.type", dest, name, a)
			}
			out[fmt.Sprint(a["gen_ai.request.model"])] += dp.GetAsInt()
		}
		return out
	}
	for name, want := range map[string]map[string]int64{
		"gen_ai.client.inference.usage.input_tokens":             {"claude-sonnet-4-5": 1300, "claude-haiku-4-5": 900, "gpt-4o-fail": 0},
		"gen_ai.client.inference.usage.output_tokens":            {"claude-sonnet-4-5": 50, "claude-haiku-4-5": 40, "gpt-4o-fail": 0},
		"gen_ai.client.inference.usage.cache_read.input_tokens":  {"claude-sonnet-4-5": 1000, "claude-haiku-4-5": 500},
		"gen_ai.client.inference.usage.cache_write.input_tokens": {"claude-sonnet-4-5": 200, "claude-haiku-4-5": 300},
	} {
		if got := byModel(name); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %s by model %v, want %v", dest, name, got, want)
		}
	}
	if last["gen_ai.client.inference.usage.reasoning.output_tokens"] != nil {
		t.Errorf("%s: reasoning counted for calls that reported none", dest)
	}
	for name, want := range map[string]float64{"gen_ai.client.inference.operation.input_tokens": 2200, "gen_ai.client.inference.operation.output_tokens": 90} {
		n, sum := histCount(last[name], everyPoint)
		if n != 2 || sum != want {
			t.Errorf("%s: %s: %d calls summing %v, want the 2 with usage summing %v", dest, name, n, sum, want)
		}
		if b := last[name].GetHistogram().GetDataPoints()[0].ExplicitBounds; !slices.Equal(b, []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}) {
			t.Errorf("%s: %s buckets %v", dest, name, b)
		}
	}
	d := last["gen_ai.client.inference.duration"]
	if n, _ := histCount(d, everyPoint); n != 3 || d.Unit != "s" {
		t.Errorf("%s: inference.duration counted %d calls (unit %q), want the 3 inferences", dest, n, d.Unit)
	}
	if n, _ := histCount(d, func(a map[string]any) bool { return a["error.type"] == "rate_limit" }); n != 1 {
		t.Errorf("%s: inference.duration has %d failed calls, want 1 with error.type", dest, n)
	}
	if b := d.GetHistogram().GetDataPoints()[0].ExplicitBounds; !slices.Equal(b, []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}) {
		t.Errorf("%s: inference.duration buckets %v", dest, b)
	}
	op := last["gen_ai.client.operation.duration"]
	if n, _ := histCount(op, everyPoint); n != 1 {
		t.Errorf("%s: operation.duration counted %d calls, want the embedding only", dest, n)
	}
	if n, _ := histCount(op, func(a map[string]any) bool { return a["gen_ai.operation.name"] == "embeddings" }); n != 1 {
		t.Errorf("%s: operation.duration is not the embedding's", dest)
	}
}
