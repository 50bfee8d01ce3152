package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

var updateDialects = flag.Bool("update-dialects", false, "rewrite testdata/dialects/*.json from what the destinations receive")

// dialectGolden is what the destinations and the diagnostics make of one
// fixture's trace: every span's attributes and events as each destination
// received them, and the diagnostics' models.
type dialectGolden struct {
	Instana  map[string]goldenSpan `json:"instana"`
	Langfuse map[string]goldenSpan `json:"langfuse"`
	Models   []any                 `json:"diagnostics_models"`
}

type goldenSpan struct {
	Attributes map[string]any `json:"attributes"`
	Events     []goldenEvent  `json:"events,omitempty"`
}

type goldenEvent struct {
	Name       string         `json:"name"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// dialectManager is a manager sending to Instana and Langfuse as a user
// would set them up to see content: Langfuse takes LLM traces only (its
// default), Instana gets content when asked.
func dialectManager(t *testing.T, opts ...Option) (m *Manager, instana, langfuse *otlptest.Receiver) {
	t.Helper()
	instana, langfuse = otlptest.New(t), otlptest.New(t)
	base := []Option{WithServiceName("dialects"), WithInstana(instana.URL(), "instana-key"),
		WithLangfuse(langfuse.URL(), "pk-lf-d", "sk-lf-d"), WithLangfuseExport(LangfuseExportLLM),
		WithInstanaContent(true), WithDiagnosticsContent(true), WithoutMetrics()}
	m, _ = configure(t, append(base, opts...)...)
	return m, instana, langfuse
}

// TestDialectsReachBothDestinations pushes each fixture's trace through the
// runtime to both destinations on loopback and compares what each received,
// and the diagnostics' models, with testdata/dialects/<name>.json
// (go test ./runtime -run TestDialects -update-dialects rewrites them).
func TestDialectsReachBothDestinations(t *testing.T) {
	for _, fx := range dialectFixtures {
		t.Run(fx.name, func(t *testing.T) {
			clearEnv(t)
			m, instana, langfuse := dialectManager(t)
			fx.emit(context.Background(), m.Tracer("fixture"))
			// A trace without GenAI work, which the LLM-only filter keeps
			// from Langfuse: it is on.
			leaf(context.Background(), m.Tracer("fixture"), "GET /health", trace.SpanKindServer, nil)
			flush(t, m)
			got := dialectGolden{
				Instana:  received(instana.Spans()),
				Langfuse: received(langfuse.Spans()),
				Models:   diagModels(t, m),
			}
			for name := range got.Instana {
				if _, ok := got.Langfuse[name]; ok == (name == "GET /health") {
					t.Errorf("Langfuse got %q: %v; the LLM-only filter must forward the dialect's trace whole and only it", name, ok)
				}
			}
			checkGolden(t, filepath.Join("testdata", "dialects", fx.name+".json"), got)
			checkModelCall(t, fx, got)
		})
	}
}

// checkModelCall asserts, beside the golden file, what every dialect's
// model call must carry: the conventions' names and OpenLLMetry's for
// Instana with genaitrace's cost, Langfuse's own names, and no count or
// content twice for Langfuse.
func checkModelCall(t *testing.T, fx dialectFixture, got dialectGolden) {
	t.Helper()
	in, lf := got.Instana[fx.model].Attributes, got.Langfuse[fx.model].Attributes
	for _, k := range []string{"gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model",
		"gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.system", "llm.request.type",
		"gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "llm.usage.total_tokens", "gen_ai.usage.cost",
		"gen_ai.prompt.0.content", "gen_ai.completion.0.content"} {
		if _, ok := in[k]; !ok {
			t.Errorf("Instana's %q lacks %s", fx.model, k)
		}
	}
	model := firstString(in["gen_ai.response.model"], in["gen_ai.request.model"])
	usage := pricing.Usage{Input: asInt64(in["gen_ai.usage.input_tokens"]), Output: asInt64(in["gen_ai.usage.output_tokens"]),
		CacheRead: asInt64(in["gen_ai.usage.cache_read.input_tokens"]), Reasoning: asInt64(in["gen_ai.usage.reasoning.output_tokens"])}
	want, ok := pricing.Default().Estimate(firstString(in["gen_ai.provider.name"]), model, usage)
	if cost, _ := in["gen_ai.usage.cost"].(float64); !ok || math.Abs(cost-want.Total()) > 1e-12 {
		t.Errorf("Instana's cost %v, want %v for %s %+v (priced: %v)", in["gen_ai.usage.cost"], want.Total(), model, usage, ok)
	}
	for _, k := range []string{"langfuse.observation.type", "langfuse.observation.input", "langfuse.observation.output",
		"langfuse.observation.usage_details", "langfuse.observation.model.parameters"} {
		if _, ok := lf[k]; !ok {
			t.Errorf("Langfuse's %q lacks %s", fx.model, k)
		}
	}
	if typ := lf["langfuse.observation.type"]; typ != "generation" {
		t.Errorf("Langfuse's %q is a %v, want a generation", fx.model, typ)
	}
	for k := range lf {
		if isDialectCountOrContent(k) {
			t.Errorf("Langfuse's %q still has %s: it would count or show it twice", fx.model, k)
		}
	}
}

// isDialectCountOrContent reports the names under which Langfuse reads
// usage or input and output besides its own.
func isDialectCountOrContent(k string) bool {
	switch k {
	case "gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "gen_ai.usage.total_tokens",
		"llm.usage.total_tokens", "gen_ai.usage.cache_read_input_tokens", "gen_ai.prompt", "gen_ai.completion",
		"input.value", "output.value", "gen_ai.input.messages", "gen_ai.output.messages", "genkit:input", "genkit:output":
		return true
	}
	for _, p := range []string{"llm.token_count.", "gen_ai.prompt.", "gen_ai.completion.", "llm.input_messages.", "llm.output_messages."} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// TestDialectUnitConversions checks the conversions where dialects
// disagree, by their numbers: microseconds to seconds, counts that
// exclude what the conventions include, a total with one part missing.
func TestDialectUnitConversions(t *testing.T) {
	clearEnv(t)
	m, instana, _ := dialectManager(t)
	tr := m.Tracer("fixture")
	for _, fx := range dialectFixtures {
		fx.emit(context.Background(), tr)
	}
	leaf(context.Background(), tr, "total only", 0, []attribute.KeyValue{
		aStr("gen_ai.system", "openai"), aStr("llm.request.type", "chat"), aStr("gen_ai.request.model", "gpt-4o-mini"),
		aInt("gen_ai.usage.prompt_tokens", 700), aInt("llm.usage.total_tokens", 1000)})
	flush(t, m)
	spans := received(instana.Spans())
	for _, c := range []struct {
		span, key string
		want      any
		why       string
	}{
		{"chat gpt-4o-mini", "gen_ai.response.time_to_first_chunk", 0.25, "otelc's 250000 µs time to first token is 0.25 s"},
		{"chat gpt-4o-mini", "gen_ai.request.stream", true, "otelc's is_stream"},
		{"chat gpt-4o-mini", "genaitrace.completion_start_time", "start+250ms", "the first chunk came 250 ms after the start"},
		{"chat claude-sonnet-4-5", "gen_ai.usage.input_tokens", int64(1200), "Anthropic's 200 exclude the 1000 cached, which the total 1300 includes"},
		{"chat claude-sonnet-4-5", "gen_ai.usage.prompt_tokens", int64(1200), "OpenLLMetry's name carries the same inclusive count"},
		{"googleai/gemini-2.5-flash", "gen_ai.usage.output_tokens", int64(400), "Gemini's 300 candidates exclude the 100 thoughts, which the total 1600 includes"},
		{"googleai/gemini-2.5-flash", "gen_ai.usage.reasoning.output_tokens", int64(100), "Genkit's thoughtsTokens"},
		{"ChatCompletion", "gen_ai.usage.input_tokens", int64(1200), "OpenInference's prompt count includes its cache_read detail"},
		{"ChatCompletion", "gen_ai.usage.cache_read.input_tokens", int64(1000), "llm.token_count.prompt_details.cache_read"},
		{"ChatCompletion", "gen_ai.request.temperature", 0.2, "from llm.invocation_parameters"},
		{"openai.chat", "gen_ai.provider.name", "openai", "OpenLLMetry's capitalised OpenAI"},
		{"openai.chat", "gen_ai.usage.input_tokens", int64(1200), "gen_ai.usage.prompt_tokens"},
		{"total only", "gen_ai.usage.output_tokens", int64(300), "the total 1000 minus the 700 of the prompt"},
	} {
		if got := spans[c.span].Attributes[c.key]; !cmp.Equal(got, c.want) {
			t.Errorf("%s: %s = %v (%T), want %v: %s", c.span, c.key, got, got, c.want, c.why)
		}
	}
	// The span's own attributes keep their numbers.
	if got := spans["chat claude-sonnet-4-5"].Attributes["gen_ai.usage.total_tokens"]; got != int64(1300) {
		t.Errorf("the span's own total became %v", got)
	}
}

// TestDialectContentPolicy: content in another dialect reaches only the
// destinations that take content, and is masked as genaitrace's is, in
// attributes and in events.
func TestDialectContentPolicy(t *testing.T) {
	clearEnv(t)
	mask := func(_ string, _ attribute.Key, v string) string { return strings.ReplaceAll(v, "Lyon", "[city]") }
	m, instana, langfuse := dialectManager(t, WithInstanaContent(false), WithMask(mask))
	tr := m.Tracer("fixture")
	for _, fx := range dialectFixtures {
		fx.emit(context.Background(), tr)
	}
	flush(t, m)
	for _, sp := range instana.Spans() {
		for k, v := range sp.Attrs() {
			if export.IsContent(attribute.Key(k)) || strings.Contains(toJSON(v), "Lyon") {
				t.Errorf("Instana without content got %s=%v on %q", k, v, sp.Name)
			}
		}
		for _, e := range sp.Events {
			if attrs := otlptest.KeyValues(e.Attributes); attrs["content"] != nil || attrs["message"] != nil {
				t.Errorf("Instana without content got the content of event %s on %q: %v", e.Name, sp.Name, attrs)
			}
		}
	}
	sawContent := false
	for _, sp := range langfuse.Spans() {
		for k, v := range sp.Attrs() {
			text := toJSON(v)
			if strings.Contains(text, "Lyon") {
				t.Errorf("Langfuse got %s unmasked on %q: %s", k, sp.Name, text)
			}
			sawContent = sawContent || strings.Contains(text, "[city]")
		}
		for _, e := range sp.Events {
			if text := toJSON(otlptest.KeyValues(e.Attributes)); strings.Contains(text, "Lyon") {
				t.Errorf("Langfuse got event %s unmasked on %q: %s", e.Name, sp.Name, text)
			}
		}
	}
	if !sawContent {
		t.Error("Langfuse got no masked content at all: the test would prove nothing")
	}
}

// received indexes spans by name, with their attributes and events; a
// time (when the first chunk came) is replaced by its distance from the
// span's start.
func received(spans []otlptest.Span) map[string]goldenSpan {
	out := map[string]goldenSpan{}
	for _, sp := range spans {
		g := goldenSpan{Attributes: sp.Attrs()}
		for k, v := range g.Attributes {
			if strings.HasSuffix(k, "completion_start_time") {
				at, _ := time.Parse(time.RFC3339Nano, v.(string))
				g.Attributes[k] = "start+" + at.Sub(time.Unix(0, int64(sp.StartTimeUnixNano))).String()
			}
		}
		for _, e := range sp.Events {
			g.Events = append(g.Events, goldenEvent{Name: e.Name, Attributes: otlptest.KeyValues(e.Attributes)})
		}
		out[sp.Name] = g
	}
	return out
}

func diagModels(t *testing.T, m *Manager) []any {
	t.Helper()
	srv := diagServer(t, m)
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := call(t, "GET", srv.URL+"/telemetry/models", nil)
		models, _ := r.json["models"].([]any)
		if len(models) > 0 || time.Now().After(deadline) {
			return models
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkGolden compares got, as JSON, with the file, or rewrites it.
func checkGolden(t *testing.T, path string, got any) {
	t.Helper()
	data, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	if *updateDialects {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-dialects to create it)", err)
	}
	if !bytes.Equal(want, data) {
		var w, g any
		_ = json.Unmarshal(want, &w)
		_ = json.Unmarshal(data, &g)
		t.Errorf("%s differs from what was received (-want +got; -update-dialects rewrites it):\n%s", path, cmp.Diff(w, g))
	}
}

func firstString(vs ...any) string {
	for _, v := range vs {
		if s, ok := v.(string); ok && s != "" {
			return s
		}
	}
	return ""
}

func asInt64(v any) int64 {
	n, _ := v.(int64)
	return n
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestDialectMetrics: the GenAI metrics count a dialect's model calls as
// genaitrace's own, in the conventions' names and with corrected counts.
func TestDialectMetrics(t *testing.T) {
	clearEnv(t)
	instana := otlptest.New(t)
	m, _ := configure(t, WithInstana(instana.URL(), ""), WithMetricsInterval(50*time.Millisecond))
	for _, fx := range dialectFixtures {
		if fx.name == "openinference" || fx.name == "otelc-anthropic" {
			fx.emit(context.Background(), m.Tracer("fixture"))
		}
	}
	flush(t, m)
	want := map[string]float64{"gpt-4o-mini/input": 1200, "gpt-4o-mini/output": 300, "claude-sonnet-4-5/input": 1200, "claude-sonnet-4-5/output": 100}
	got := map[string]float64{}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !cmp.Equal(got, want) {
		time.Sleep(20 * time.Millisecond)
		usage, _ := findMetric(instana.Metrics(), "gen_ai.client.token.usage")
		got = map[string]float64{}
		for _, dp := range usage.GetHistogram().GetDataPoints() {
			a := otlptest.KeyValues(dp.Attributes)
			if a["gen_ai.operation.name"] == "chat" && dp.Sum != nil {
				got[firstString(a["gen_ai.request.model"])+"/"+firstString(a["gen_ai.token.type"])] += *dp.Sum
			}
		}
	}
	if !cmp.Equal(got, want) {
		t.Errorf("token usage by model and type %v, want %v", got, want)
	}
}
