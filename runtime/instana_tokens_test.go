package runtime

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/export"
)

// The token count names of each family Instana may get (export's
// InstanaTokenNames), spelled out rather than shared with the code under
// test.
var (
	tokenNamesConventions = []string{"gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
		"gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_creation.input_tokens",
		"gen_ai.usage.cache_write.input_tokens", "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.total_tokens"}
	tokenNamesLegacy = []string{"gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "llm.usage.total_tokens",
		"gen_ai.usage.cache_read_input_tokens", "gen_ai.usage.cache_creation_input_tokens", "gen_ai.usage.reasoning_tokens"}
)

// assertOneTokenFamily fails when a span Instana received carries a token
// count under a name of the family it was not to get.
func assertOneTokenFamily(t *testing.T, span string, attrs map[string]any, family []string) {
	t.Helper()
	other := tokenNamesLegacy
	if family[0] == tokenNamesLegacy[0] {
		other = tokenNamesConventions
	}
	for _, k := range other {
		if v, ok := attrs[k]; ok {
			t.Errorf("Instana's %q has %s = %v: a count under two families' names may be counted twice", span, k, v)
		}
	}
}

// emitOpenLLMetry0475 records the chat span OpenLLMetry's openai
// instrumentation wrote up to 0.47.5, the last release before its names
// changed (traceloop/openllmetry at a693d396210ef3120bb974954f29b0dd63250e97,
// packages/opentelemetry-instrumentation-openai/opentelemetry/instrumentation/openai/shared/__init__.py:111-112
// gen_ai.system, :222-270 the token counts; shared/chat_wrappers.py:59,87
// llm.request.type; the cache count's underscore name in
// packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/__init__.py:81-82).
func emitOpenLLMetry0475(ctx context.Context, tp trace.TracerProvider) {
	tr := tp.Tracer("opentelemetry.instrumentation.openai.v1", trace.WithInstrumentationVersion("0.47.5"))
	leaf(ctx, tr, "openai.chat", trace.SpanKindClient, []attribute.KeyValue{
		aStr("gen_ai.system", "openai"), aStr("llm.request.type", "chat"), aStr("gen_ai.request.model", "gpt-4o-mini"),
		aStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
		aInt("gen_ai.usage.prompt_tokens", 500), aInt("gen_ai.usage.completion_tokens", 50), aInt("llm.usage.total_tokens", 550),
		aInt("gen_ai.usage.cache_read_input_tokens", 100),
	})
}

// TestInstanaTokenNames sends genaitrace's own model call and one of
// OpenLLMetry 0.47.5 to Instana under each INSTANA_TOKEN_NAMES setting
// (the variable and the option) and checks that each span carries the
// counts under the names chosen, with their values, and under no other;
// and that the GenAI metrics Instana gets are one family, each call
// counted once, whatever the setting.
func TestInstanaTokenNames(t *testing.T) {
	conventions := map[string]map[string]any{
		"chat gpt-4o": {"gen_ai.usage.input_tokens": int64(1200), "gen_ai.usage.output_tokens": int64(300),
			"gen_ai.usage.total_tokens": int64(1500), "gen_ai.usage.cache_read.input_tokens": int64(1000),
			"gen_ai.usage.reasoning.output_tokens": int64(100)},
		"openai.chat": {"gen_ai.usage.input_tokens": int64(500), "gen_ai.usage.output_tokens": int64(50),
			"gen_ai.usage.total_tokens": int64(550), "gen_ai.usage.cache_read.input_tokens": int64(100)},
	}
	legacy := map[string]map[string]any{
		"chat gpt-4o": {"gen_ai.usage.prompt_tokens": int64(1200), "gen_ai.usage.completion_tokens": int64(300),
			"llm.usage.total_tokens": int64(1500), "gen_ai.usage.cache_read_input_tokens": int64(1000),
			"gen_ai.usage.reasoning_tokens": int64(100)},
		"openai.chat": {"gen_ai.usage.prompt_tokens": int64(500), "gen_ai.usage.completion_tokens": int64(50),
			"llm.usage.total_tokens": int64(550), "gen_ai.usage.cache_read_input_tokens": int64(100)},
	}
	for _, c := range []struct {
		name, env string
		opts      []Option
		want      []map[string]map[string]any
		only      []string // the one family, or nil for both
		shown     string
	}{
		{name: "default", want: []map[string]map[string]any{conventions}, only: tokenNamesConventions, shown: "conventions"},
		{name: "legacy variable", env: "legacy", want: []map[string]map[string]any{legacy}, only: tokenNamesLegacy, shown: "legacy"},
		{name: "both option", opts: []Option{WithInstanaTokenNames(export.InstanaTokensBoth)},
			want: []map[string]map[string]any{conventions, legacy}, shown: "both"},
		{name: "conventions variable", env: "Conventions", want: []map[string]map[string]any{conventions}, only: tokenNamesConventions, shown: "conventions"},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(envInstanaTokens, c.env)
			instana := otlptest.New(t)
			m, _ := configure(t, append([]Option{WithInstana(instana.URL(), ""), WithMetricsInterval(50 * time.Millisecond)}, c.opts...)...)
			if got := m.Config().Instana.TokenNames; got != c.shown {
				t.Errorf("/config instana.token_names = %q, want %q", got, c.shown)
			}
			emitAgentTrace(context.Background(), m.Tracer("app"))
			emitOpenLLMetry0475(context.Background(), m.TracerProvider())
			flush(t, m)
			spans := instana.WaitSpans(t, 5, 5*time.Second)
			for name := range conventions {
				a := findSpan(t, spans, name, "which", nil).Attrs()
				for _, want := range c.want {
					for k, v := range want[name] {
						if a[k] != v {
							t.Errorf("%q: %s = %v (%T), want %v", name, k, a[k], a[k], v)
						}
					}
				}
				if c.only != nil {
					assertOneTokenFamily(t, name, a, c.only)
				}
				if a["gen_ai.usage.cost"] == nil {
					t.Errorf("%q: no cost", name)
				}
			}
			last, ever := waitCollection(t, instana, func(m map[string]*metricspb.Metric) bool {
				n, _ := histCount(m["gen_ai.client.operation.duration"], everyPoint)
				return n >= 3
			})
			assertNever(t, "instana", ever, metricsLatest)
			n, sum := histCount(last["gen_ai.client.token.usage"], func(a map[string]any) bool { return a["gen_ai.token.type"] == "input" })
			if n != 2 || sum != 1200+500 {
				t.Errorf("token.usage input: %d calls summing %v, want 2 summing 1700: each call once", n, sum)
			}
		})
	}
}
