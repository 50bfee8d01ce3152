package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
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
	Status     string         `json:"status,omitempty"`
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
			m, instana, langfuse := dialectManager(t, fx.opts...)
			fx.emit(context.Background(), m.TracerProvider(), marker)
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

// marker writes every content field as MARKER-CONTENT-<field>.
func marker(field string) string { return "MARKER-CONTENT-" + field }

// checkModelCall asserts, beside the golden file, what every peer's model
// call must carry: the conventions' names and OpenLLMetry's for Instana
// with genaitrace's cost, its token counts in one family, Langfuse's own
// names, and no count or content twice for Langfuse.
func checkModelCall(t *testing.T, fx dialectFixture, got dialectGolden) {
	t.Helper()
	if fx.model == "" {
		return
	}
	in, lf := got.Instana[fx.model].Attributes, got.Langfuse[fx.model].Attributes
	keys := []string{"gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model",
		"gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.system", "llm.request.type",
		"gen_ai.usage.total_tokens", "gen_ai.usage.cost"}
	lfKeys := []string{"langfuse.observation.type", "langfuse.observation.usage_details", "langfuse.observation.model.parameters"}
	if !fx.noContent {
		keys = append(keys, "gen_ai.prompt.0.content", "gen_ai.completion.0.content")
		lfKeys = append(lfKeys, "langfuse.observation.input", "langfuse.observation.output")
	}
	for _, k := range keys {
		if _, ok := in[k]; !ok {
			t.Errorf("Instana's %q lacks %s", fx.model, k)
		}
	}
	assertOneTokenFamily(t, fx.model, in, tokenNamesConventions)
	model := firstString(in["gen_ai.response.model"], in["gen_ai.request.model"])
	usage := pricing.Usage{Input: asInt64(in["gen_ai.usage.input_tokens"]), Output: asInt64(in["gen_ai.usage.output_tokens"]),
		CacheRead:  asInt64(in["gen_ai.usage.cache_read.input_tokens"]),
		CacheWrite: asInt64(in["gen_ai.usage.cache_creation.input_tokens"]) + asInt64(in["gen_ai.usage.cache_write.input_tokens"]),
		Reasoning:  asInt64(in["gen_ai.usage.reasoning.output_tokens"])}
	want, ok := pricing.Default().Estimate(firstString(in["gen_ai.provider.name"]), model, usage)
	if cost, _ := in["gen_ai.usage.cost"].(float64); !ok || math.Abs(cost-want.Total()) > 1e-12 {
		t.Errorf("Instana's cost %v, want %v for %s %+v (priced: %v)", in["gen_ai.usage.cost"], want.Total(), model, usage, ok)
	}
	for _, k := range lfKeys {
		if _, ok := lf[k]; !ok {
			t.Errorf("Langfuse's %q lacks %s", fx.model, k)
		}
	}
	if typ := lf["langfuse.observation.type"]; typ != "generation" && typ != "embedding" {
		t.Errorf("Langfuse's %q is a %v, want a generation", fx.model, typ)
	}
	for name, sp := range got.Langfuse {
		for k := range sp.Attributes {
			if isDialectCountOrContent(k) {
				t.Errorf("Langfuse's %q still has %s: it would count or show it twice", name, k)
			}
		}
	}
}

// isDialectCountOrContent reports the names under which Langfuse reads
// usage or input and output besides its own.
func isDialectCountOrContent(k string) bool {
	switch k {
	case "gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "gen_ai.usage.total_tokens",
		"llm.usage.total_tokens", "gen_ai.usage.cache_read_input_tokens", "gen_ai.prompt", "gen_ai.completion",
		"input.value", "output.value", "gen_ai.input.messages", "gen_ai.output.messages", "traceloop.entity.input",
		"traceloop.entity.output", "gcp.vertex.agent.llm_request", "gcp.vertex.agent.llm_response",
		"gcp.vertex.agent.tool_call_args", "gcp.vertex.agent.tool_response", "gen_ai.input", "gen_ai.output",
		"langwatch.input", "langwatch.output", "gen_ai.usage.cached_input_tokens":
		return true
	}
	for _, p := range []string{"llm.token_count.", "gen_ai.prompt.", "gen_ai.completion.", "llm.input_messages.",
		"llm.output_messages.", "llm.prompts.", "llm.completions.", "llm.usage."} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// TestDialectsFixedDefects checks, by their numbers, what issue 22 found
// wrong with the peers' spans as their source emits them: each row names
// the span, the destination, the attribute, the value and why.
func TestDialectsFixedDefects(t *testing.T) {
	byFixture := map[string]dialectGolden{}
	clearEnv(t)
	for _, fx := range dialectFixtures {
		m, instana, langfuse := dialectManager(t, fx.opts...)
		fx.emit(context.Background(), m.TracerProvider(), marker)
		flush(t, m)
		byFixture[fx.name] = dialectGolden{Instana: received(instana.Spans()), Langfuse: received(langfuse.Spans())}
	}
	for _, c := range dialectDefects {
		got, ok := byFixture[c.fixture]
		if !ok {
			t.Fatalf("no fixture %q", c.fixture)
		}
		dest := got.Instana
		if c.langfuse {
			dest = got.Langfuse
		}
		sp, ok := dest[c.span]
		if !ok {
			t.Errorf("#%d %s: no span %q", c.defect, c.fixture, c.span)
			continue
		}
		v, has := sp.Attributes[c.key]
		switch {
		case c.want == none && has:
			t.Errorf("#%d %s %q: %s = %v, want none: %s", c.defect, c.fixture, c.span, c.key, v, c.why)
		case c.want != none && !cmp.Equal(v, c.want):
			t.Errorf("#%d %s %q: %s = %v (%T), want %v: %s", c.defect, c.fixture, c.span, c.key, v, v, c.want, c.why)
		}
	}
}

// TestDialectContentOff: with content capture off, no content of any
// peer leaves the process, for any destination, even those asked for
// content: not in attributes, events or status messages. With capture on,
// the destinations not asked for content get none either (Instana and the
// OTLP destination by default).
func TestDialectContentOff(t *testing.T) {
	for _, mode := range []struct {
		name     string
		opts     []Option
		receives map[string]bool // the destinations that must get no content
	}{
		{"capture off", []Option{WithCaptureContent(false), WithInstanaContent(true), WithOTLPContent(true)},
			map[string]bool{"instana": true, "langfuse": true, "otlp": true}},
		{"destinations without content", []Option{WithCaptureContent(true), WithInstanaContent(false), WithOTLPContent(false)},
			map[string]bool{"instana": true, "otlp": true}},
	} {
		for _, fx := range dialectFixtures {
			t.Run(mode.name+"/"+fx.name, func(t *testing.T) {
				clearEnv(t)
				otlp := otlptest.New(t)
				m, instana, langfuse := dialectManager(t, fx.with(append([]Option{WithOTLP(otlp.URL(), nil)}, mode.opts...)...)...)
				fx.emit(context.Background(), m.TracerProvider(), marker)
				flush(t, m)
				for name, r := range map[string]*otlptest.Receiver{"instana": instana, "langfuse": langfuse, "otlp": otlp} {
					if !mode.receives[name] {
						continue
					}
					spans := r.Spans()
					if fx.model != "" && !slices.ContainsFunc(spans, func(s otlptest.Span) bool { return s.Name == fx.model }) {
						t.Errorf("%s got no %q: the test would prove nothing", name, fx.model)
					}
					for _, sp := range spans {
						if where, text := findIn(sp, "MARKER-CONTENT"); where != "" {
							t.Errorf("%s got content of %q in %s: %s", name, sp.Name, where, text)
						}
					}
				}
			})
		}
	}
}

// TestDialectUntrustedValuesCounted: values a peer supplies that cannot be
// trusted reach no destination and are counted by dialect in the
// pipeline's stats: eino's +Inf time per output token, and a span in the
// conventions' own names with a NaN duration, a wrapped count, a count
// spelled as a string and a time to first chunk later than its end.
func TestDialectUntrustedValuesCounted(t *testing.T) {
	clearEnv(t)
	m, instana, _ := dialectManager(t)
	for _, fx := range dialectFixtures {
		if fx.name == "eino-apmplus" {
			fx.emit(context.Background(), m.TracerProvider(), marker)
		}
	}
	ck := newClock()
	ck.leaf(context.Background(), m.Tracer("my-app"), "chat gpt-4o", trace.SpanKindClient, []attribute.KeyValue{
		aStr("gen_ai.operation.name", "chat"), aStr("gen_ai.provider.name", "openai"), aStr("gen_ai.request.model", "gpt-4o"),
		aInt("gen_ai.usage.input_tokens", -1),            // a uint64 wrapped to int64
		aStr("gen_ai.usage.output_tokens", "300"),        // a number as a string: read as one
		aFloat("gen_ai.request.temperature", math.NaN()), // not a number
		aFloat("gen_ai.response.time_to_first_chunk", 1e9),
	})
	flush(t, m)
	st := m.PipelineStats()
	if st.Untrusted["eino"] != 1 || st.Untrusted["conventions"] != 3 {
		t.Errorf("untrusted values by dialect %v, want eino 1 and conventions 3", st.Untrusted)
	}
	got := received(instana.Spans())["chat gpt-4o"].Attributes
	for k, want := range map[string]any{"gen_ai.usage.output_tokens": int64(300), "gen_ai.usage.input_tokens": nil,
		"gen_ai.request.temperature": nil, "gen_ai.response.time_to_first_chunk": nil, "genaitrace.completion_start_time": nil} {
		if got[k] != want {
			t.Errorf("Instana got %s = %v, want %v", k, got[k], want)
		}
	}
}

// fakeKey is an API key's shape, which TELEMETRY_MASK_SECRETS masks.
const fakeKey = "sk-proj-MARKERSECRET0123456789abcdef"

// TestDialectMasking: with masking on, a fake API key placed in every
// content field of every peer arrives masked at every destination; the
// destinations that take everything (Instana and the OTLP destination,
// with content on) receive every field, masked.
func TestDialectMasking(t *testing.T) {
	for _, fx := range dialectFixtures {
		t.Run(fx.name, func(t *testing.T) {
			clearEnv(t)
			otlp := otlptest.New(t)
			m, instana, langfuse := dialectManager(t, fx.with(WithMaskSecrets(true), WithOTLP(otlp.URL(), nil), WithOTLPContent(true))...)
			var fields []string
			fx.emit(context.Background(), m.TracerProvider(), func(field string) string {
				fields = append(fields, field)
				return marker(field) + " " + fakeKey
			})
			flush(t, m)
			for name, r := range map[string]*otlptest.Receiver{"instana": instana, "langfuse": langfuse, "otlp": otlp} {
				all := ""
				for _, sp := range r.Spans() {
					if where, text := findIn(sp, fakeKey); where != "" {
						t.Errorf("%s got the key unmasked in %q's %s: %s", name, sp.Name, where, text)
					}
					all += toJSON(sp.Span)
				}
				if name == "langfuse" {
					// Langfuse gets each content once, under its own names.
					if len(fields) > 0 && !strings.Contains(all, " ***") {
						t.Errorf("langfuse got no masked content at all: the test would prove nothing")
					}
					continue
				}
				for _, f := range fields {
					if !strings.Contains(all, marker(f)+" ***") {
						t.Errorf("%s did not get the content field %q masked", name, f)
					}
				}
			}
		})
	}
}

// findIn says where in sp (an attribute, an event, the status) text
// occurs.
func findIn(sp otlptest.Span, text string) (where, value string) {
	for k, v := range sp.Attrs() {
		if s := toJSON(v); strings.Contains(s, text) {
			return "attribute " + k, s
		}
	}
	for _, e := range sp.Events {
		if s := toJSON(otlptest.KeyValues(e.Attributes)); strings.Contains(s, text) {
			return "event " + e.Name, s
		}
	}
	if st := sp.Status; st != nil && strings.Contains(st.Message, text) {
		return "status", st.Message
	}
	return "", ""
}

// received indexes spans by name, in the order they started (a second
// span of the same name is "name#2"), with their attributes and events; a
// time (when the first chunk came) is replaced by its distance from the
// span's start.
func received(spans []otlptest.Span) map[string]goldenSpan {
	spans = slices.Clone(spans)
	slices.SortStableFunc(spans, func(a, b otlptest.Span) int {
		switch {
		case a.StartTimeUnixNano < b.StartTimeUnixNano:
			return -1
		case a.StartTimeUnixNano > b.StartTimeUnixNano:
			return 1
		}
		return 0
	})
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
		if st := sp.Status; st != nil && st.Message != "" {
			g.Status = st.Message
		}
		name := sp.Name
		for i := 2; ; i++ {
			if _, dup := out[name]; !dup {
				break
			}
			name = sp.Name + "#" + strconv.Itoa(i)
		}
		out[name] = g
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
			fx.emit(context.Background(), m.TracerProvider(), marker)
		}
	}
	flush(t, m)
	want := map[string]float64{"gpt-4o-mini/input": 1200, "gpt-4o-mini/output": 300, "claude-sonnet-4-5/input": 1200, "claude-sonnet-4-5/output": 50}
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
