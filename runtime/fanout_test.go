package runtime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// emitAgentTrace makes an agent → tool → LLM-call trace with a second, failed
// LLM call, the way generated wrappers record it.
func emitAgentTrace(ctx context.Context, tr trace.Tracer) trace.TraceID {
	ctx = genai.WithSession(ctx, "sess-42")
	ctx = genai.WithUser(ctx, "user-7")
	ctx = genai.WithTags(ctx, "beta", "support")
	ctx = genai.WithMetadata(ctx, "tenant", "acme")
	ctx, agent := tr.Start(ctx, "invoke_agent planner", trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(genai.OperationName.String("invoke_agent"), genai.AgentName.String("planner"),
			genai.ProviderName.String("openai")))
	_, tool := tr.Start(ctx, "execute_tool search", trace.WithAttributes(
		genai.OperationName.String("execute_tool"), genai.ToolName.String("search"),
		genai.ToolCallID.String("call_1"), genai.ToolCallArguments.String(`{"q":"weather"}`),
		genai.ToolCallResult.String(`"sunny"`)))
	tool.End()
	_, llm := tr.Start(ctx, "chat gpt-4o", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		genai.OperationName.String("chat"), genai.ProviderName.String("openai"),
		genai.RequestModel.String("gpt-4o"), genai.RequestTemperature.Float64(0.2), genai.RequestMaxTokens.Int(256)))
	llm.SetAttributes(
		genai.ResponseModel.String("gpt-4o-2024-08-06"), genai.ResponseID.String("chatcmpl-1"),
		genai.UsageInputTokens.Int(1200), genai.UsageOutputTokens.Int(300),
		genai.UsageCacheReadInputTokens.Int(1000), genai.UsageReasoningOutputTokens.Int(100),
		genai.ResponseFinishReasons.StringSlice([]string{"stop"}),
		genai.InputMessages.String(`[{"role":"user","parts":[{"type":"text","content":"weather?"}]}]`),
		genai.SystemInstructions.String(`[{"type":"text","content":"Be brief."}]`),
		genai.OutputMessages.String(`[{"role":"assistant","parts":[{"type":"text","content":"sunny"}],"finish_reason":"stop"}]`))
	llm.End()
	_, bad := tr.Start(ctx, "chat gpt-4o", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		genai.OperationName.String("chat"), genai.ProviderName.String("openai"), genai.RequestModel.String("gpt-4o")))
	err := errors.New("rate limited")
	bad.RecordError(err)
	bad.SetStatus(codes.Error, err.Error())
	bad.SetAttributes(genai.ErrorType.String("rate_limit"), attribute.String("which", "failed"))
	bad.End()
	agent.End()
	return agent.SpanContext().TraceID()
}

func TestFanOutTranslatesPerDestination(t *testing.T) {
	clearEnv(t)
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	t.Setenv(envInstanaEndpoint, instana.URL())
	t.Setenv(envInstanaAPIKey, "instana-secret-key")
	t.Setenv(envInstanaHost, "host-123")
	t.Setenv(envLangfuseEndpoint, langfuse.URL())
	t.Setenv(envLangfusePublicKey, "pk-lf-test")
	t.Setenv(envLangfuseSecretKey, "sk-lf-secret")
	t.Setenv(envServiceName, "chat-svc")
	t.Setenv(envServiceVersion, "1.2.3")
	t.Setenv(envEnvironment, "staging")
	m, _ := configure(t, WithCaptureContent(true)) // Langfuse takes content; Instana does not unless asked

	tid := emitAgentTrace(context.Background(), m.Tracer("test"))
	flush(t, m)
	iSpans := instana.WaitSpans(t, 4, 5*time.Second)
	lSpans := langfuse.WaitSpans(t, 4, 5*time.Second)

	t.Run("transport", func(t *testing.T) {
		for _, r := range instana.Requests() {
			if r.Path != "/v1/traces" || r.Header.Get("x-instana-key") != "instana-secret-key" || r.Header.Get("x-instana-host") != "host-123" {
				t.Errorf("instana request: path %s, headers %v", r.Path, r.Header)
			}
			if enc := r.Header.Get("Content-Encoding"); enc != "" {
				t.Errorf("instana request to a host agent on this machine sent as %q: a local agent gets its requests uncompressed", enc)
			}
		}
		wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("pk-lf-test:sk-lf-secret"))
		for _, r := range langfuse.Requests() {
			if r.Path != "/api/public/otel/v1/traces" || r.Header.Get("Authorization") != wantAuth || r.Header.Get("x-langfuse-ingestion-version") != "4" {
				t.Errorf("langfuse request: path %s, headers %v", r.Path, r.Header)
			}
		}
	})

	t.Run("identical ids and parent links", func(t *testing.T) {
		ids := func(spans []otlptest.Span) map[string]string {
			m := map[string]string{}
			for _, s := range spans {
				if s.TraceID() != tid.String() {
					t.Errorf("span %s: trace id %s, want %s", s.Name, s.TraceID(), tid)
				}
				m[s.SpanID()] = s.ParentID()
			}
			return m
		}
		a, b := ids(iSpans), ids(lSpans)
		if len(a) != 4 || len(a) != len(b) {
			t.Fatalf("span ids: instana %d, langfuse %d", len(a), len(b))
		}
		for id, parent := range a {
			if b[id] != parent {
				t.Errorf("span %s: parent %q at instana, %q at langfuse", id, parent, b[id])
			}
		}
		root := 0
		for _, parent := range a {
			if parent == "" {
				root++
			} else if _, ok := a[parent]; !ok {
				t.Errorf("parent %s not exported", parent)
			}
		}
		if root != 1 {
			t.Errorf("%d roots, want 1", root)
		}
	})

	t.Run("instana", func(t *testing.T) {
		res := iSpans[0].Resource
		if res["INSTANA_PLUGIN"] != "genai" || res["service.name"] != "chat-svc" || res["host.id"] == nil {
			t.Errorf("instana resource: %v", res)
		}
		llm := findSpan(t, iSpans, "chat gpt-4o", "which", nil)
		a := llm.Attrs()
		want := map[string]any{
			"gen_ai.system": "openai", "gen_ai.provider.name": "openai", "llm.request.type": "chat",
			"gen_ai.usage.input_tokens": int64(1200), "gen_ai.usage.output_tokens": int64(300),
			"gen_ai.usage.total_tokens": int64(1500), "gen_ai.usage.cache_read.input_tokens": int64(1000),
			"traceloop.workflow.name": "invoke_agent planner", "session.id": "sess-42", "user.id": "user-7",
		}
		assertAttrs(t, a, want)
		assertOneTokenFamily(t, "chat gpt-4o", a, tokenNamesConventions)
		// gpt-4o-2024-08-06: 200 plain input at 2.5e-6, 1000 cached at 1.25e-6,
		// 300 output (reasoning priced as output) at 1e-5.
		if cost, _ := a["gen_ai.usage.cost"].(float64); !near(cost, 200*2.5e-6+1000*1.25e-6+300*1e-5) {
			t.Errorf("gen_ai.usage.cost = %v", a["gen_ai.usage.cost"])
		}
		for k := range a {
			if k == "gen_ai.input.messages" || k == "gen_ai.output.messages" || strings.HasPrefix(k, "gen_ai.prompt.") {
				t.Errorf("instana got content %s without opting in", k)
			}
		}
		agent := otlptest.ByName(iSpans)["invoke_agent planner"].Attrs()
		assertAttrs(t, agent, map[string]any{"traceloop.span.kind": "agent", "traceloop.entity.name": "planner"})
		tool := otlptest.ByName(iSpans)["execute_tool search"].Attrs()
		assertAttrs(t, tool, map[string]any{"traceloop.span.kind": "tool", "traceloop.entity.name": "search"})
		if _, ok := tool["gen_ai.tool.call.arguments"]; ok {
			t.Error("instana got tool arguments without opting in")
		}
	})

	t.Run("langfuse", func(t *testing.T) {
		byName := otlptest.ByName(lSpans)
		trace := map[string]any{
			"langfuse.trace.name": "invoke_agent planner", "langfuse.session.id": "sess-42", "langfuse.user.id": "user-7",
			"langfuse.trace.tags": []any{"beta", "support"}, "langfuse.trace.metadata.tenant": "acme",
			"langfuse.release": "1.2.3", "langfuse.environment": "staging",
		}
		for _, s := range lSpans {
			assertAttrs(t, s.Attrs(), trace)
			if _, ok := s.Resource["INSTANA_PLUGIN"]; ok {
				t.Error("langfuse resource carries INSTANA_PLUGIN")
			}
		}
		assertAttrs(t, byName["invoke_agent planner"].Attrs(), map[string]any{"langfuse.observation.type": "agent"})
		assertAttrs(t, byName["execute_tool search"].Attrs(), map[string]any{
			"langfuse.observation.type": "tool", "langfuse.observation.input": `{"q":"weather"}`, "langfuse.observation.output": `"sunny"`,
		})
		llm := findSpan(t, lSpans, "chat gpt-4o", "which", nil).Attrs()
		assertAttrs(t, llm, map[string]any{"langfuse.observation.type": "generation"})
		assertJSON(t, llm, "langfuse.observation.usage_details", map[string]any{
			"input": 200.0, "input_cached_tokens": 1000.0, "output": 200.0, "output_reasoning_tokens": 100.0, "total": 1500.0,
		})
		assertJSON(t, llm, "langfuse.observation.model.parameters", map[string]any{"temperature": 0.2, "max_tokens": 256.0})
		for _, k := range []string{"gen_ai.usage.input_tokens", "gen_ai.request.temperature", "langfuse.observation.cost_details", "gen_ai.system"} {
			if _, ok := llm[k]; ok {
				t.Errorf("langfuse span carries %s", k)
			}
		}
		assertAttrs(t, llm, map[string]any{
			"langfuse.observation.input":  `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},{"role":"user","parts":[{"type":"text","content":"weather?"}]}]`,
			"langfuse.observation.output": `[{"role":"assistant","parts":[{"type":"text","content":"sunny"}],"finish_reason":"stop"}]`,
		})
		bad := findSpan(t, lSpans, "chat gpt-4o", "which", "failed")
		assertAttrs(t, bad.Attrs(), map[string]any{"langfuse.observation.level": "ERROR", "langfuse.observation.status_message": "rate limited"})
		if bad.Status.GetCode() != 2 {
			t.Errorf("error span status %v", bad.Status)
		}
	})
}

func findSpan(t *testing.T, spans []otlptest.Span, name, key string, value any) otlptest.Span {
	t.Helper()
	for _, s := range spans {
		if s.Name == name && s.Attrs()[key] == value {
			return s
		}
	}
	t.Fatalf("no span %q with %s=%v", name, key, value)
	return otlptest.Span{}
}

func assertAttrs(t *testing.T, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("missing %s (want %v)", k, w)
			continue
		}
		if gj, wj := mustJSON(g), mustJSON(w); gj != wj {
			t.Errorf("%s = %s, want %s", k, gj, wj)
		}
	}
}

func assertJSON(t *testing.T, attrs map[string]any, key string, want map[string]any) {
	t.Helper()
	s, _ := attrs[key].(string)
	var got map[string]any
	if err := json.Unmarshal([]byte(s), &got); err != nil {
		t.Errorf("%s = %q: %v", key, s, err)
		return
	}
	if mustJSON(got) != mustJSON(want) {
		t.Errorf("%s = %s, want %s", key, mustJSON(got), mustJSON(want))
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }
