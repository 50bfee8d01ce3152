package genkit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/firebase/genkit/go/ai"
	"github.com/firebase/genkit/go/genkit"
	"github.com/firebase/genkit/go/plugins/compat_oai/openai"
	"github.com/openai/openai-go/option"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime"
)

// toolLLM answers OpenAI chat completions as a model that calls a tool
// once: a request without a tool result gets a call of getWeather with the
// city the prompt names, the one carrying the result gets text. Usage as
// OpenAI reports it: 1,200 prompt tokens of which 1,000 cached, 300
// completion tokens of which 50 reasoning.
func toolLLM(t *testing.T, answer string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct {
				Role    string          `json:"role"`
				Content json.RawMessage `json:"content"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		msg := map[string]any{"role": "assistant", "content": answer}
		finish := "stop"
		if last := req.Messages[len(req.Messages)-1]; last.Role != "tool" {
			var city string // a string, or the parts the plugin sends
			if json.Unmarshal(last.Content, &city) != nil {
				var parts []struct{ Text string }
				_ = json.Unmarshal(last.Content, &parts)
				for _, p := range parts {
					city += p.Text
				}
			}
			args, _ := json.Marshal(map[string]string{"city": city})
			msg = map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{map[string]any{
				"id": "call_1", "type": "function", "function": map[string]any{"name": "getWeather", "arguments": string(args)}}}}
			finish = "tool_calls"
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-t", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini-2024-07-18",
			"system_fingerprint": "fp_t",
			"choices":            []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
			"usage": map[string]any{"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500,
				"prompt_tokens_details": map[string]any{"cached_tokens": 1000}, "completion_tokens_details": map[string]any{"reasoning_tokens": 50}},
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

type weatherIn struct {
	City string `json:"city"`
}

type weatherOut struct {
	Forecast string `json:"forecast"`
}

// runToolFlow runs a Genkit flow that asks a model with a tool, once,
// through a runtime configured with opts, and returns what Instana and
// Langfuse received by span name (a second span of a name is "name#2").
func runToolFlow(t *testing.T, content func(string) string, opts ...runtime.Option) (instana, langfuse []otlptest.Span) {
	t.Helper()
	ctx := context.Background()
	llm := toolLLM(t, content("completion"))
	in, lf := otlptest.New(t), otlptest.New(t)
	base := []runtime.Option{runtime.WithServiceName("genkit-peer"),
		runtime.WithInstana(in.URL(), "instana-key"), runtime.WithLangfuse(lf.URL(), "pk-lf-g", "sk-lf-g"),
		runtime.WithoutMetrics(), runtime.WithSpoolDir(t.TempDir()), runtime.WithBatchTimeout(20 * time.Millisecond)}
	m, err := runtime.Configure(ctx, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(ctx)
	g := genkit.Init(ctx, genkit.WithPlugins(&openai.OpenAI{APIKey: "sk-test-not-a-key",
		Opts: []option.RequestOption{option.WithBaseURL(llm.URL + "/v1/")}}))
	tool := genkit.DefineTool(g, "getWeather", content("tool-description"), func(_ *ai.ToolContext, in weatherIn) (weatherOut, error) {
		return weatherOut{Forecast: content("tool-result") + " in " + in.City}, nil
	})
	flow := genkit.DefineFlow(g, "weatherFlow", func(ctx context.Context, city string) (string, error) {
		resp, err := genkit.Generate(ctx, g, ai.WithModelName("openai/gpt-4o-mini"), ai.WithTools(tool),
			ai.WithSystem(content("system")), ai.WithPrompt(city))
		if err != nil {
			return "", err
		}
		return resp.Text(), nil
	})
	if _, err := flow.Run(ctx, content("flow-input")); err != nil {
		t.Fatalf("flow: %v", err)
	}
	if err := m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	byName(t, in, "weatherFlow")
	byName(t, lf, "weatherFlow")
	return in.Spans(), lf.Spans()
}

// indexed names spans, a second of a name "name#2", in the order they
// started.
func indexed(spans []otlptest.Span) map[string]map[string]any {
	out := map[string]map[string]any{}
	for len(spans) > 0 {
		first := 0
		for i, s := range spans {
			if s.StartTimeUnixNano < spans[first].StartTimeUnixNano {
				first = i
			}
		}
		s := spans[first]
		spans = append(spans[:first:first], spans[first+1:]...)
		name := s.Name
		if _, dup := out[name]; dup {
			name += "#2"
		}
		out[name] = s.Attrs()
	}
	return out
}

func marker(field string) string { return "MARKER-CONTENT-" + field }

// TestGenkitToolFlow drives the tool loop for real: Genkit v1.4.0's tool
// span (subtype tool.v2), its generate util spans (one per turn, each
// repeating the final response's usage), and the flow's own input and
// output, which Langfuse must show for the flow and the trace.
func TestGenkitToolFlow(t *testing.T) {
	instana, langfuse := runToolFlow(t, marker, runtime.WithInstanaContent(true))
	in, lf := indexed(instana), indexed(langfuse)

	if got := in["getWeather"]["genkit:metadata:subtype"]; got != "tool.v2" {
		t.Fatalf("Genkit's tool span has subtype %v: the test no longer drives what issue 22 saw", got)
	}
	for name, want := range map[string]map[string]any{
		"getWeather": {"langfuse.observation.type": "tool", "langfuse.observation.input": `{"city":"MARKER-CONTENT-flow-input"}`,
			"langfuse.observation.output": `{"forecast":"MARKER-CONTENT-tool-result in MARKER-CONTENT-flow-input"}`},
		"weatherFlow": {"langfuse.observation.type": "chain", "langfuse.observation.input": `"MARKER-CONTENT-flow-input"`,
			"langfuse.observation.output": `"MARKER-CONTENT-completion"`, "langfuse.trace.input": `"MARKER-CONTENT-flow-input"`},
		"generate":   {"langfuse.observation.usage_details": "{}"},
		"generate#2": {"langfuse.observation.usage_details": "{}"},
		"openai/gpt-4o-mini": {"langfuse.observation.type": "generation",
			"langfuse.observation.usage_details": `{"input":200,"output":250,"input_cached_tokens":1000,"output_reasoning_tokens":50,"total":1500}`},
		"openai/gpt-4o-mini#2": {"langfuse.observation.type": "generation"},
	} {
		for k, v := range want {
			if got := lf[name][k]; got != v {
				t.Errorf("Langfuse's %q: %s = %v, want %v", name, k, got, v)
			}
		}
	}
	for k, v := range map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "getWeather"} {
		if got := in["getWeather"][k]; got != v {
			t.Errorf("Instana's tool: %s = %v, want %v", k, got, v)
		}
	}
	for _, name := range []string{"generate", "generate#2"} {
		if _, ok := in[name]["gen_ai.usage.input_tokens"]; ok {
			t.Errorf("Instana's %q has usage of its own: it repeats the model call's", name)
		}
	}
}

// TestGenkitContentOff: with capture off, none of what Genkit records of
// the prompt, the tool, its result or the flow reaches Instana or
// Langfuse, even Instana asked for content.
func TestGenkitContentOff(t *testing.T) {
	instana, langfuse := runToolFlow(t, marker, runtime.WithCaptureContent(false), runtime.WithInstanaContent(true))
	for dest, spans := range map[string][]otlptest.Span{"instana": instana, "langfuse": langfuse} {
		if len(spans) < 6 {
			t.Errorf("%s got %d spans: the test would prove nothing", dest, len(spans))
		}
		for _, s := range spans {
			for k, v := range s.Attrs() {
				if b, _ := json.Marshal(v); strings.Contains(string(b), "MARKER-CONTENT") {
					t.Errorf("%s got content in %q's %s: %s", dest, s.Name, k, b)
				}
			}
		}
	}
}

// TestGenkitMasked: a key in the flow's input, which Genkit records in
// the flow's, the model's, the tool's and the util spans' JSON, arrives
// masked everywhere.
func TestGenkitMasked(t *testing.T) {
	const key = "sk-proj-MARKERSECRET0123456789abcdef"
	instana, langfuse := runToolFlow(t, func(f string) string { return marker(f) + " " + key },
		runtime.WithMaskSecrets(true), runtime.WithInstanaContent(true))
	masked := 0
	for dest, spans := range map[string][]otlptest.Span{"instana": instana, "langfuse": langfuse} {
		for _, s := range spans {
			for k, v := range s.Attrs() {
				b, _ := json.Marshal(v)
				if strings.Contains(string(b), key) {
					t.Errorf("%s got the key in %q's %s", dest, s.Name, k)
				}
				if strings.Contains(string(b), "MARKER-CONTENT-flow-input ***") {
					masked++
				}
			}
		}
	}
	if masked < 4 {
		t.Errorf("the masked flow input arrived %d times: the test would prove nothing", masked)
	}
}
