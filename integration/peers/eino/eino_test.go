package eino

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudwego/eino-ext/components/model/openai"
	"github.com/cloudwego/eino/callbacks"
	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/components/tool"
	"github.com/cloudwego/eino/components/tool/utils"
	"github.com/cloudwego/eino/compose"
	"github.com/cloudwego/eino/schema"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime"
)

// apmplusHandler writes the spans eino-ext's apmplus callback writes
// (cloudwego/eino-ext callbacks/apmplus/apmplus.go at
// c9a5dc923462375b020ed7b2bbbbef9971d9ce6b): one CLIENT span per component
// run under the scope github.com/cloudwego/eino-ext/callbacks/apmplus
// (:43,188), named after the run info (utils.go:29-34), the root's kind
// workflow and the others' their lower-cased component (:248-252),
// gen_ai.system "eino" and runinfo.* (:295-298), the input through
// model.ConvCallbackInput (messages, else the raw input as JSON, :257-294),
// the output through model.ConvCallbackOutput (the messages with content,
// else all of them as JSON; usage under the old names, :319-424). Only the
// non-streaming callbacks: the chain below does not stream.
func apmplusHandler(tp func() trace.TracerProvider) callbacks.Handler {
	type spanKey struct{}
	marshal := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	return callbacks.NewHandlerBuilder().
		OnStartFn(func(ctx context.Context, info *callbacks.RunInfo, input callbacks.CallbackInput) context.Context {
			name := info.Name
			if name == "" {
				name = strings.TrimSpace(info.Type + " " + string(info.Component))
			}
			_, root := ctx.Value(spanKey{}).(trace.Span)
			root = !root
			tr := tp().Tracer("github.com/cloudwego/eino-ext/callbacks/apmplus")
			ctx, span := tr.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient))
			kind := strings.ToLower(string(info.Component))
			if root {
				kind = "workflow"
			}
			attrs := []attribute.KeyValue{attribute.String("gen_ai.span.kind", kind)}
			if in := model.ConvCallbackInput(input); in != nil {
				if root {
					attrs = append(attrs, attribute.String("gen_ai.input", marshal(in.Messages)))
				}
				for i, m := range in.Messages {
					if m.Content != "" {
						p := "gen_ai.prompt." + itoa(i)
						attrs = append(attrs, attribute.String(p+".role", string(m.Role)), attribute.String(p+".content", m.Content))
					}
				}
				if c := in.Config; c != nil {
					attrs = append(attrs, attribute.String("gen_ai.request.model", c.Model), attribute.Int("gen_ai.request.max_tokens", c.MaxTokens),
						attribute.Float64("gen_ai.request.temperature", float64(c.Temperature)), attribute.Float64("gen_ai.request.top_p", float64(c.TopP)),
						attribute.StringSlice("gen_ai.request.stop", c.Stop))
				}
			} else {
				if root {
					attrs = append(attrs, attribute.String("gen_ai.input", marshal(input)))
				}
				attrs = append(attrs, attribute.String("gen_ai.prompt.0.role", "user"), attribute.String("gen_ai.prompt.0.content", marshal(input)))
			}
			attrs = append(attrs, attribute.String("gen_ai.system", "eino"), attribute.String("runinfo.name", info.Name),
				attribute.String("runinfo.type", info.Type), attribute.String("runinfo.component", string(info.Component)))
			span.SetAttributes(attrs...)
			return context.WithValue(ctx, spanKey{}, span)
		}).
		OnEndFn(func(ctx context.Context, info *callbacks.RunInfo, output callbacks.CallbackOutput) context.Context {
			span, _ := ctx.Value(spanKey{}).(trace.Span)
			if span == nil {
				return ctx
			}
			var attrs []attribute.KeyValue
			if out := model.ConvCallbackOutput(output); out != nil && out.Message != nil {
				msgs := []*schema.Message{out.Message}
				written := false
				for i, m := range msgs {
					if m.Content != "" {
						p := "gen_ai.completion." + itoa(i)
						attrs = append(attrs, attribute.String(p+".role", string(m.Role)), attribute.String(p+".content", m.Content))
						written = true
					}
					if m.ResponseMeta != nil && m.ResponseMeta.FinishReason != "" {
						attrs = append(attrs, attribute.String("gen_ai.response.finish_reason", m.ResponseMeta.FinishReason))
					}
				}
				if !written {
					attrs = append(attrs, attribute.String("gen_ai.completion.0.content", marshal(msgs)))
				}
				if out.Config != nil {
					attrs = append(attrs, attribute.String("gen_ai.response.model", out.Config.Model))
				}
				if u := out.TokenUsage; u != nil {
					attrs = append(attrs, attribute.Int("gen_ai.usage.total_tokens", u.TotalTokens),
						attribute.Int("gen_ai.usage.prompt_tokens", u.PromptTokens), attribute.Int("gen_ai.usage.completion_tokens", u.CompletionTokens))
				}
			} else {
				attrs = append(attrs, attribute.String("gen_ai.completion.0.content", marshal(output)))
			}
			attrs = append(attrs, attribute.Bool("gen_ai.is_streaming", false))
			span.SetAttributes(attrs...)
			span.End()
			return ctx
		}).Build()
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// toolLLM answers OpenAI chat completions with a call of get_weather for
// the city the last user message names. Usage as OpenAI reports it.
func toolLLM(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		args, _ := json.Marshal(map[string]string{"city": req.Messages[len(req.Messages)-1].Content})
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-e", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini-2024-07-18",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "tool_calls", "message": map[string]any{
				"role": "assistant", "content": "", "tool_calls": []any{map[string]any{"id": "call_1", "type": "function",
					"function": map[string]any{"name": "get_weather", "arguments": string(args)}}}}}},
			"usage": map[string]any{"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500},
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

func marker(field string) string { return "MARKER-CONTENT-" + field }

// The handler is registered once per process (eino's global handlers
// cannot be removed) and writes to the runtime of the test running.
var current trace.TracerProvider

func init() {
	callbacks.AppendGlobalHandlers(apmplusHandler(func() trace.TracerProvider { return current }))
}

// runChain runs an eino chain (eino-ext's OpenAI chat model, then a tools
// node) through a runtime configured with opts, and returns what Instana
// and Langfuse received.
func runChain(t *testing.T, opts ...runtime.Option) (instana, langfuse []otlptest.Span) {
	t.Helper()
	ctx := context.Background()
	llm := toolLLM(t)
	in, lf := otlptest.New(t), otlptest.New(t)
	base := []runtime.Option{runtime.WithServiceName("eino-peer"), runtime.WithoutGlobal(),
		runtime.WithInstana(in.URL(), "instana-key"), runtime.WithLangfuse(lf.URL(), "pk-lf-e", "sk-lf-e"),
		runtime.WithoutMetrics(), runtime.WithSpoolDir(t.TempDir()), runtime.WithBatchTimeout(20 * time.Millisecond)}
	m, err := runtime.Configure(ctx, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(ctx)
	current = m.TracerProvider()

	temperature := float32(0.7)
	cm, err := openai.NewChatModel(ctx, &openai.ChatModelConfig{BaseURL: llm.URL + "/v1", APIKey: "sk-test-not-a-key",
		Model: "gpt-4o-mini", Temperature: &temperature})
	if err != nil {
		t.Fatal(err)
	}
	weather, err := utils.InferTool("get_weather", marker("tool-description"), func(_ context.Context, in weatherIn) (weatherOut, error) {
		return weatherOut{Forecast: marker("tool-result") + " in " + in.City}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	info, err := weather.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	withTools, err := cm.WithTools([]*schema.ToolInfo{info})
	if err != nil {
		t.Fatal(err)
	}
	tools, err := compose.NewToolNode(ctx, &compose.ToolsNodeConfig{Tools: []tool.BaseTool{weather}})
	if err != nil {
		t.Fatal(err)
	}
	chain, err := compose.NewChain[[]*schema.Message, []*schema.Message]().
		AppendChatModel(withTools).AppendToolsNode(tools).Compile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chain.Invoke(ctx, []*schema.Message{schema.SystemMessage(marker("system")), schema.UserMessage(marker("city"))}); err != nil {
		t.Fatalf("chain: %v", err)
	}
	if err := m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return in.WaitSpans(t, 4, 10*time.Second), lf.WaitSpans(t, 4, 10*time.Second)
}

// byKind indexes spans by the apmplus span kind, which kinds tells by
// span id (Langfuse does not get gen_ai.span.kind: its operation says it).
func byKind(spans []otlptest.Span, kinds map[string]string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, s := range spans {
		out[kinds[s.SpanID()]] = s.Attrs()
	}
	return out
}

func kindsOf(spans []otlptest.Span) map[string]string {
	kinds := map[string]string{}
	for _, s := range spans {
		if k, ok := s.Attrs()["gen_ai.span.kind"].(string); ok {
			kinds[s.SpanID()] = k
		}
	}
	return kinds
}

// TestEinoThroughGenaitrace: the model's span (run info type OpenAI, its
// tool-call-only answer dumped whole, float32 temperature, usage under the
// old names), the tool's (its arguments a JSON string of JSON) and the
// chain's (the root, its messages whole in gen_ai.input) reach Instana and
// Langfuse in the conventions' names.
func TestEinoThroughGenaitrace(t *testing.T) {
	instana, langfuse := runChain(t, runtime.WithInstanaContent(true))
	kinds := kindsOf(instana)
	in, lf := byKind(instana, kinds), byKind(langfuse, kinds)
	t.Logf("eino's model span as Instana got it: %v", in["chatmodel"])
	for k, want := range map[string]any{"runinfo.type": "OpenAI", "gen_ai.provider.name": "openai", "gen_ai.system": "openai",
		"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.request.temperature": 0.7,
		"gen_ai.usage.input_tokens": int64(1200), "gen_ai.usage.output_tokens": int64(300)} {
		if got := in["chatmodel"][k]; got != want {
			t.Errorf("Instana's model span: %s = %v (%T), want %v", k, got, got, want)
		}
	}
	if out, _ := lf["chatmodel"]["langfuse.observation.output"].(string); !strings.Contains(out, `"type":"tool_call"`) || !strings.Contains(out, `"name":"get_weather"`) {
		t.Errorf("Langfuse's model output %s: want the tool call", out)
	}
	for k, want := range map[string]any{"langfuse.observation.type": "tool", "langfuse.observation.input": `{"city":"MARKER-CONTENT-city"}`,
		"langfuse.observation.output": `{"forecast":"MARKER-CONTENT-tool-result in MARKER-CONTENT-city"}`} {
		if got := lf["tool"][k]; got != want {
			t.Errorf("Langfuse's tool span: %s = %v, want %v", k, got, want)
		}
	}
	if got, _ := lf["workflow"]["langfuse.observation.input"].(string); !strings.Contains(got, `"content":"MARKER-CONTENT-city"`) {
		t.Errorf("Langfuse's chain input %s: want its own messages", got)
	}
	if lf["workflow"]["langfuse.observation.type"] != "chain" {
		t.Errorf("Langfuse's chain is a %v", lf["workflow"]["langfuse.observation.type"])
	}
}

// TestEinoContentOff: with capture off nothing eino's callbacks recorded of
// the conversation or the tool reaches Instana or Langfuse.
func TestEinoContentOff(t *testing.T) {
	instana, langfuse := runChain(t, runtime.WithCaptureContent(false), runtime.WithInstanaContent(true))
	for dest, spans := range map[string][]otlptest.Span{"instana": instana, "langfuse": langfuse} {
		for _, s := range spans {
			for k, v := range s.Attrs() {
				if b, _ := json.Marshal(v); strings.Contains(string(b), "MARKER-CONTENT") {
					t.Errorf("%s got content in %q's %s: %s", dest, s.Name, k, b)
				}
			}
		}
	}
}
