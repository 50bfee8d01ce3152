package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime"
	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// What Langfuse receives for a typical HTTP service, with default
// settings: both destinations configured by their keys alone.
func TestLangfuseSeesTheChatRequestAsUsersExpect(t *testing.T) {
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	s := startService(t, time.Millisecond, true, runtime.WithInstana(instana.URL(), ""), runtime.WithLangfuse(langfuse.URL(), "pk", "sk"))
	code, reply := post(t, http.DefaultClient, s.url, `{"session_id":"s-1","message":"What should I wear in Paris?"}`)
	if code != 200 {
		t.Fatalf("POST /chat: %d", code)
	}
	if err := s.m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	lf := otlptest.ByName(langfuse.WaitSpans(t, 3, 5*time.Second))
	root, llm := lf["POST /chat"].Attrs(), lf["chat gpt-4o-mini"].Attrs()

	// Prompts are captured by default, because Langfuse is on.
	if in, _ := llm["langfuse.observation.input"].(string); !strings.Contains(in, "What should I wear in Paris?") {
		t.Errorf("the generation has no prompt: %v", llm)
	}
	// The HTTP root carries the trace's input and output: the first model
	// call's input and the last one's output.
	in, _ := root["langfuse.trace.input"].(string)
	out, _ := root["langfuse.trace.output"].(string)
	if !strings.Contains(in, "What should I wear in Paris?") || !strings.Contains(out, reply.Reply) {
		t.Errorf("trace input/output on the root: %q / %q", in, out)
	}
	if root["langfuse.observation.input"] != in || root["langfuse.observation.output"] != out {
		t.Errorf("the root observation does not show the trace's input and output: %v", root)
	}
	if _, marked := root["langfuse.internal.is_app_root"]; marked {
		t.Error("a root without a remote parent is marked as the app root")
	}
	// Instana gets no content by default.
	for _, sp := range instana.WaitSpans(t, 3, 5*time.Second) {
		for k, v := range sp.Attrs() {
			if str, ok := v.(string); ok && strings.Contains(str, "Paris") {
				t.Errorf("Instana received content in %s on %s", k, sp.Name)
			}
		}
	}
}

// A request that arrives from a gateway with a traceparent: its local root
// is sent to Langfuse as the trace's root, without the remote parent
// Langfuse never receives (its trace list takes the trace's input and
// output only from an observation without a parent), the gateway's span ID
// kept as genaitrace.parent_span_id.
func TestLangfuseAppRootBehindAGateway(t *testing.T) {
	langfuse := otlptest.New(t)
	s := startService(t, time.Millisecond, true, runtime.WithLangfuse(langfuse.URL(), "pk", "sk"))
	req, _ := http.NewRequest(http.MethodPost, s.url+"/chat", bytes.NewBufferString(`{"message":"hi"}`))
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_ = s.m.Flush(context.Background())
	root := otlptest.ByName(langfuse.WaitSpans(t, 3, 5*time.Second))["POST /chat"]
	if root.TraceID() != "4bf92f3577b34da6a3ce929d0e0e4736" || root.Attrs()["genaitrace.parent_span_id"] != "00f067aa0ba902b7" {
		t.Fatalf("the request did not continue the gateway's trace: %s ← %v", root.TraceID(), root.Attrs()["genaitrace.parent_span_id"])
	}
	if root.ParentID() != "" || root.Attrs()["langfuse.internal.is_app_root"] != true {
		t.Errorf("local root sent with parent %q, is_app_root %v; want none and true", root.ParentID(), root.Attrs()["langfuse.internal.is_app_root"])
	}
	if in, _ := root.Attrs()["langfuse.observation.input"].(string); !strings.Contains(in, "hi") {
		t.Errorf("the root shows no input: %v", root.Attrs())
	}
}

// Traces with no GenAI work (a rejected request) never reach Langfuse;
// Instana gets every request. A trace with GenAI work arrives whole.
func TestLangfuseGetsLLMTracesOnlyAndWhole(t *testing.T) {
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	s := startService(t, time.Millisecond, true, runtime.WithInstana(instana.URL(), ""), runtime.WithLangfuse(langfuse.URL(), "pk", "sk"))
	for range 3 {
		if code, _ := post(t, http.DefaultClient, s.url, `{"nope":1}`); code != http.StatusBadRequest {
			t.Fatalf("bad request answered %d", code)
		}
	}
	_, reply := post(t, http.DefaultClient, s.url, `{"message":"hello"}`)
	_ = s.m.Flush(context.Background())

	all := instana.WaitSpans(t, 6, 5*time.Second) // 3 rejected requests + the chat trace's 3
	if len(all) != 6 {
		t.Errorf("Instana got %d spans, want 6", len(all))
	}
	langfuse.WaitSpans(t, 3, 5*time.Second)
	time.Sleep(100 * time.Millisecond) // anything else would have arrived by now
	lf := langfuse.Spans()
	if len(lf) != 3 {
		t.Errorf("Langfuse got %d spans, want the chat trace's 3", len(lf))
	}
	for _, sp := range lf {
		if sp.TraceID() != reply.TraceID {
			t.Errorf("Langfuse got %s of another trace", sp.Name)
		}
	}
	st := destinationStats(t, s.m, "langfuse")
	if st.Filtered != 3 || st.Exported != 3 || st.Accepted != 6 {
		t.Errorf("langfuse: accepted %d, exported %d, filtered %d; want 6, 3, 3", st.Accepted, st.Exported, st.Filtered)
	}
}

// Masking: a mask of the application's and the built-in one for secrets,
// applied to what each destination receives.
func TestMaskingPerDestination(t *testing.T) {
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	s := startService(t, time.Millisecond, true,
		runtime.WithInstana(instana.URL(), ""), runtime.WithInstanaContent(true), runtime.WithLangfuse(langfuse.URL(), "pk", "sk"),
		runtime.WithMaskSecrets(true),
		runtime.WithMask(func(dest string, _ attribute.Key, v string) string {
			if dest == "langfuse" {
				return strings.ReplaceAll(v, "Paris", "[city]")
			}
			return v
		}))
	post(t, http.DefaultClient, s.url, `{"message":"In Paris, use key sk-proj-abcdefghijklmnopqrstuvwx"}`)
	_ = s.m.Flush(context.Background())
	lf := otlptest.ByName(langfuse.WaitSpans(t, 3, 5*time.Second))["chat gpt-4o-mini"].Attrs()
	in, _ := lf["langfuse.observation.input"].(string)
	if !strings.Contains(in, "In [city], use key ***") {
		t.Errorf("langfuse input %q", in)
	}
	ins := otlptest.ByName(instana.WaitSpans(t, 3, 5*time.Second))["chat gpt-4o-mini"].Attrs()
	if in, _ := ins["gen_ai.input.messages"].(string); !strings.Contains(in, "In Paris, use key ***") {
		t.Errorf("instana input %q", in)
	}
	if p, _ := ins["gen_ai.prompt.1.content"].(string); !strings.Contains(p, "In Paris, use key ***") {
		t.Errorf("instana flattened prompt %q", p)
	}
	raw, _ := json.Marshal(append(instana.Spans(), langfuse.Spans()...))
	if strings.Contains(string(raw), "abcdefghijklmnopqrstuvwx") {
		t.Error("the secret reached a destination")
	}
}

// A call made with genai.WithoutTracing makes no GenAI span.
func TestWithoutTracingMakesNoGenAISpan(t *testing.T) {
	langfuse := otlptest.New(t)
	s := startService(t, time.Millisecond, true, runtime.WithLangfuse(langfuse.URL(), "pk", "sk"), runtime.WithLangfuseExport(runtime.LangfuseExportAll))
	client := s.client
	resp, err := client.Complete(genai.WithoutTracing(context.Background()), ChatRequest{Model: "gpt-4o-mini", Messages: []Message{{Role: "user", Content: "hi"}}})
	if err != nil || len(resp.Choices) == 0 {
		t.Fatalf("call: %v", err)
	}
	_ = s.m.Flush(context.Background())
	time.Sleep(50 * time.Millisecond)
	for _, sp := range langfuse.Spans() {
		if strings.HasPrefix(sp.Name, "chat ") {
			t.Errorf("a GenAI span was made: %s", sp.Name)
		}
	}
	if _, err := client.Complete(context.Background(), ChatRequest{Model: "gpt-4o-mini", Messages: []Message{{Role: "user", Content: "hi"}}}); err != nil {
		t.Fatal(err)
	}
	_ = s.m.Flush(context.Background())
	if by := otlptest.ByName(langfuse.WaitSpans(t, 1, 5*time.Second)); by["chat gpt-4o-mini"].Span == nil {
		t.Error("the traced call made no span either: the test would not see suppression fail")
	}
}

func destinationStats(t *testing.T, m *runtime.Manager, name string) export.DestinationStats {
	t.Helper()
	for _, d := range m.Destinations() {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no destination %s", name)
	return export.DestinationStats{}
}
