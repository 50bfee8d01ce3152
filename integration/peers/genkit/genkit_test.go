package genkit

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/firebase/genkit/go/ai"
	"github.com/firebase/genkit/go/genkit"
	"github.com/firebase/genkit/go/plugins/compat_oai/openai"
	"github.com/openai/openai-go/option"

	"github.com/genaitrace/genaitrace/examples/fakellm"
	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// TestGenkitThroughGenaitrace runs a Genkit flow that asks a model (the
// OpenAI plugin, answered by fakellm on loopback) and checks what Instana,
// Langfuse and the diagnostics make of Genkit's own spans.
func TestGenkitThroughGenaitrace(t *testing.T) {
	ctx := context.Background()
	llm := httptest.NewServer(fakellm.Handler(fakellm.Config{PromptTokens: 1200, CompletionTokens: 300, CachedTokens: 1000}))
	defer llm.Close()
	instana, langfuse := otlptest.New(t), otlptest.New(t)

	// Genkit traces with the global provider when it is an SDK provider:
	// genaitrace's, set by Configure.
	m, err := runtime.Configure(ctx, runtime.WithServiceName("genkit-peer"),
		runtime.WithInstana(instana.URL(), "instana-key"), runtime.WithLangfuse(langfuse.URL(), "pk-lf-g", "sk-lf-g"),
		runtime.WithInstanaContent(true), runtime.WithDiagnosticsContent(true), runtime.WithoutMetrics(),
		runtime.WithSpoolDir(t.TempDir()), runtime.WithBatchTimeout(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(ctx)

	g := genkit.Init(ctx, genkit.WithPlugins(&openai.OpenAI{APIKey: "sk-test-not-a-key",
		Opts: []option.RequestOption{option.WithBaseURL(llm.URL + "/v1/")}}))
	flow := genkit.DefineFlow(g, "weatherFlow", func(ctx context.Context, city string) (string, error) {
		resp, err := genkit.Generate(ctx, g, ai.WithModelName("openai/gpt-4o-mini"),
			ai.WithSystem("Be brief."), ai.WithPrompt("Weather in "+city+"?"))
		if err != nil {
			return "", err
		}
		return resp.Text(), nil
	})
	answer, err := flow.Run(ctx, "Lyon")
	if err != nil {
		t.Fatalf("flow: %v", err)
	}
	if err := m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	in := byName(t, instana, "weatherFlow")
	lf := byName(t, langfuse, "weatherFlow")
	model := findModelSpan(t, in)
	t.Logf("Genkit's model span %q, Instana got %v", model.Name, model.Attrs())

	a := model.Attrs()
	for k, want := range map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.usage.input_tokens": int64(1200), "gen_ai.usage.output_tokens": int64(300),
		"gen_ai.usage.cache_read.input_tokens": int64(1000),
		"gen_ai.system":                        "openai", "llm.request.type": "chat",
		"gen_ai.usage.total_tokens": int64(1500),
		// One token name family (INSTANA_TOKEN_NAMES=conventions, the default).
		"gen_ai.usage.prompt_tokens": nil, "gen_ai.usage.completion_tokens": nil,
	} {
		if a[k] != want {
			t.Errorf("Instana: %s = %v (%T), want %v", k, a[k], a[k], want)
		}
	}
	cost, _ := pricing.Default().Estimate("openai", "gpt-4o-mini", pricing.Usage{Input: 1200, Output: 300, CacheRead: 1000})
	if a["gen_ai.usage.cost"] != cost.Total() {
		t.Errorf("Instana: cost %v, want %v", a["gen_ai.usage.cost"], cost.Total())
	}
	if a["gen_ai.prompt.1.content"] != "Weather in Lyon?" || a["gen_ai.completion.0.content"] != answer {
		t.Errorf("Instana's flattened messages: prompt %v, completion %v (answer %q)", a["gen_ai.prompt.1.content"], a["gen_ai.completion.0.content"], answer)
	}

	lm := lf[model.Name].Attrs()
	if lm["langfuse.observation.type"] != "generation" || lm["langfuse.observation.usage_details"] != `{"input":200,"output":300,"input_cached_tokens":1000,"total":1500}` {
		t.Errorf("Langfuse: type %v, usage %v", lm["langfuse.observation.type"], lm["langfuse.observation.usage_details"])
	}
	if _, dup := lm["genkit:output"]; dup {
		t.Error("Langfuse got genkit:output beside its own output: it would show it twice")
	}
	if lf["weatherFlow"].Attrs()["langfuse.observation.type"] != "chain" {
		t.Errorf("Langfuse: the flow is a %v, want a chain", lf["weatherFlow"].Attrs()["langfuse.observation.type"])
	}
	if lf[model.Name].TraceID() != model.TraceID() {
		t.Error("the destinations got different trace IDs")
	}

	srv := httptest.NewServer(m.DiagnosticsHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/models")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var models struct {
		Models []struct {
			Model        string `json:"model"`
			InputTokens  int64  `json:"input_tokens"`
			OutputTokens int64  `json:"output_tokens"`
		} `json:"models"`
	}
	if err := json.Unmarshal(body, &models); err != nil || len(models.Models) != 1 ||
		models.Models[0].Model != "gpt-4o-mini" || models.Models[0].InputTokens != 1200 || models.Models[0].OutputTokens != 300 {
		t.Errorf("diagnostics /models: %s", body)
	}
}

// byName waits for the trace holding a span of that name and indexes it.
func byName(t *testing.T, r *otlptest.Receiver, root string) map[string]otlptest.Span {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		spans := otlptest.ByName(r.Spans())
		if _, ok := spans[root]; ok || time.Now().After(deadline) {
			if !ok {
				t.Fatalf("receiver %s: no span %q in %d", r.URL(), root, len(spans))
			}
			return spans
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// findModelSpan is the span of Genkit's model action.
func findModelSpan(t *testing.T, spans map[string]otlptest.Span) otlptest.Span {
	t.Helper()
	for _, s := range spans {
		if s.Attrs()["genkit:metadata:subtype"] == "model" {
			return s
		}
	}
	names := []string{}
	for n := range spans {
		names = append(names, n)
	}
	t.Fatalf("no model action span among %v", names)
	return otlptest.Span{}
}
