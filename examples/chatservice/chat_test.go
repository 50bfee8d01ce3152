package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/genaitrace/genaitrace/examples/fakellm"
	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime"
)

// service is the chat service wired as main wires it, in-process.
type service struct {
	url    string
	m      *runtime.Manager
	client ChatClient
}

// startService starts a fake LLM and the chat service; opts choose the
// telemetry (none when withTelemetry is false).
func startService(tb testing.TB, latency time.Duration, withTelemetry bool, opts ...runtime.Option) *service {
	tb.Helper()
	llm := httptest.NewServer(fakellm.Handler(fakellm.Config{Latency: latency, CachedTokens: 8}))
	tb.Cleanup(llm.Close)
	s := &service{}
	var h http.Handler
	if !withTelemetry {
		h = handler(nil, &httpChatClient{base: llm.URL, client: &http.Client{}}, "gpt-4o-mini")
	} else {
		for _, k := range []string{"INSTANA_ENDPOINT", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
			tb.Setenv(k, "")
		}
		base := []runtime.Option{runtime.WithoutGlobal(), runtime.WithServiceName("chatservice"), runtime.WithSpoolDir(tb.TempDir()),
			runtime.WithLogger(slog.New(slog.DiscardHandler)), runtime.WithDestinationsDisabled("console")}
		if _, bench := tb.(*testing.B); !bench {
			base = append(base, runtime.WithBatchTimeout(20*time.Millisecond)) // tests wait less; benchmarks keep the default
		}
		m, err := runtime.Configure(context.Background(), append(base, opts...)...)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = m.Shutdown(context.Background()) })
		s.m = m
		transport := otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(m.TracerProvider()))
		client := NewTracedChatClient(&httpChatClient{base: llm.URL, client: &http.Client{Transport: transport}}, genaiProvider(m))
		s.client = client
		h = handler(m, client, "gpt-4o-mini")
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func post(tb testing.TB, client *http.Client, url, body string) (int, chatReply) {
	tb.Helper()
	resp, err := client.Post(url+"/chat", "application/json", bytes.NewBufferString(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out chatReply
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

func TestChatTraceReachesBothDestinations(t *testing.T) {
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	s := startService(t, time.Millisecond, true, runtime.WithInstana(instana.URL(), ""), runtime.WithLangfuse(langfuse.URL(), "pk", "sk"))
	code, reply := post(t, http.DefaultClient, s.url, `{"session_id":"s-1","user_id":"u-1","message":"hello"}`)
	if code != 200 || reply.Reply != "You said: hello" || reply.TraceID == "" {
		t.Fatalf("POST /chat: %d %+v", code, reply)
	}
	if err := s.m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*otlptest.Receiver{instana, langfuse} {
		spans := r.WaitSpans(t, 3, 5*time.Second)
		by := otlptest.ByName(spans)
		server, llm, client := by["POST /chat"], by["chat gpt-4o-mini"], by["HTTP POST"]
		if server.Span == nil || llm.Span == nil || client.Span == nil {
			names := []string{}
			for _, s := range spans {
				names = append(names, s.Name)
			}
			t.Fatalf("spans %v", names)
		}
		if llm.ParentID() != server.SpanID() || client.ParentID() != llm.SpanID() || server.TraceID() != reply.TraceID {
			t.Errorf("parent links: request %s ← llm parent %s, llm %s ← http client parent %s", server.SpanID(), llm.ParentID(), llm.SpanID(), client.ParentID())
		}
		if a := llm.Attrs(); a["gen_ai.response.model"] != "gpt-4o-mini-2024-07-18" {
			t.Errorf("llm attributes %v", a)
		}
	}
	if a := otlptest.ByName(instana.Spans())["chat gpt-4o-mini"].Attrs(); a["gen_ai.usage.input_tokens"] != int64(reply.InputTokens) ||
		a["gen_ai.usage.prompt_tokens"] != nil || a["gen_ai.usage.cache_read.input_tokens"] != int64(8) {
		t.Errorf("instana usage %v", a)
	}
	lf := otlptest.ByName(langfuse.Spans())["chat gpt-4o-mini"].Attrs()
	if lf["langfuse.session.id"] != "s-1" || lf["langfuse.user.id"] != "u-1" || lf["langfuse.trace.name"] != "POST /chat" {
		t.Errorf("langfuse trace attributes %v", lf)
	}
}

func TestChatErrorsAreRecorded(t *testing.T) {
	langfuse := otlptest.New(t)
	s := startService(t, 0, true, runtime.WithLangfuse(langfuse.URL(), "pk", "sk"))
	code, _ := post(t, http.DefaultClient, s.url, `{"message":"hello","model":"fail-model"}`)
	if code != http.StatusBadGateway {
		t.Fatalf("status %d", code)
	}
	if code, _ := post(t, http.DefaultClient, s.url, `{"nope":1}`); code != http.StatusBadRequest {
		t.Errorf("bad request: %d", code)
	}
	_ = s.m.Flush(context.Background())
	for _, sp := range langfuse.WaitSpans(t, 3, 5*time.Second) {
		if sp.Name == "chat fail-model" {
			if a := sp.Attrs(); a["error.type"] != "rate_limit_exceeded" || a["langfuse.observation.level"] != "ERROR" {
				t.Errorf("error attributes %v", a)
			}
			// Usage Langfuse takes as given, so that it neither counts the
			// prompt's tokens itself nor prices them.
			if u := sp.Attrs()["langfuse.observation.usage_details"]; u != `{"input":0,"output":0,"total":0}` {
				t.Errorf("the failed call's usage_details %v, want integer zeros", u)
			}
			return
		}
	}
	t.Error("no span for the failed call")
}
