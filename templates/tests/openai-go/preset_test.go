package openaigo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// server speaks OpenAI's wire format: chat completions (JSON, and SSE
// with the first chunk delayed), embeddings and responses.
func server(t *testing.T, firstChunkDelay time.Duration) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model  string `json:"model"`
			Stream bool   `json:"stream"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":%q,
				"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],
				"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,
				  "prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":2}}}`, req.Model+"-2024-07-18")
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		flusher := w.(http.Flusher)
		time.Sleep(firstChunkDelay)
		chunk := func(s string) { fmt.Fprintf(w, "data: %s\n\n", s); flusher.Flush() }
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}`)
		if req.Model == "broken" {
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			_ = conn.Close() // the connection drops mid-stream
			return
		}
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}`)
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`)
		chunk(`{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":0}}}`)
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
	mux.HandleFunc("POST /embeddings", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":3,"total_tokens":3}}`)
	})
	mux.HandleFunc("POST /responses", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Stream bool `json:"stream"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		if req.Stream {
			w.Header().Set("Content-Type", "text/event-stream")
			flusher := w.(http.Flusher)
			time.Sleep(firstChunkDelay)
			event := func(name, data string) { fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data); flusher.Flush() }
			event("response.created", `{"type":"response.created","sequence_number":0,"response":{"id":"resp_s","object":"response","created_at":1,"model":"gpt-4o-2024-08-06","status":"in_progress","output":[]}}`)
			event("response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"hi there"}`)
			event("response.completed", `{"type":"response.completed","sequence_number":2,"response":{"id":"resp_s","object":"response","created_at":1,"model":"gpt-4o-2024-08-06","status":"completed","output":[{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"hi there","annotations":[]}]}],"usage":{"input_tokens":9,"output_tokens":3,"total_tokens":12,"input_tokens_details":{"cached_tokens":2},"output_tokens_details":{"reasoning_tokens":1}}}}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"resp_1","object":"response","created_at":1,"model":"gpt-4o-2024-08-06","status":"completed",
			"output":[{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"hi there","annotations":[]}]}],
			"usage":{"input_tokens":9,"output_tokens":3,"total_tokens":12,"input_tokens_details":{"cached_tokens":2},"output_tokens_details":{"reasoning_tokens":1}}}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func setup(t *testing.T, delay time.Duration) (openai.Client, *tracetest.SpanRecorder, genai.Option) {
	srv := server(t, delay)
	client := openai.NewClient(option.WithBaseURL(srv.URL+"/"), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
	rec := tracetest.NewSpanRecorder()
	return client, rec, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
}

func attrs(s sdktrace.ReadOnlySpan) map[string]attribute.Value {
	m := map[string]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

func check(t *testing.T, a map[string]attribute.Value, want map[string]any) {
	t.Helper()
	for k, w := range want {
		v, ok := a[k]
		if !ok {
			t.Errorf("missing %s (want %v)", k, w)
			continue
		}
		if got := v.AsInterface(); fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", k, got, w)
		}
	}
}

func TestChatCompletion(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client, rec, opt := setup(t, 0)
	chat := NewTracedOpenAIChatCompletions(&client.Chat.Completions, opt)
	resp, err := chat.New(context.Background(), openai.ChatCompletionNewParams{
		Model:       "gpt-4o-mini",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage("Say hello")},
		Temperature: openai.Float(0.2),
		Seed:        openai.Int(7),
	})
	if err != nil || resp.Choices[0].Message.Content != "Hello!" {
		t.Fatalf("New: %v %+v", err, resp)
	}
	s := rec.Ended()[0]
	if s.Name() != "chat gpt-4o-mini" {
		t.Errorf("span name %q", s.Name())
	}
	a := attrs(s)
	check(t, a, map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
		"gen_ai.request.temperature": 0.2, "gen_ai.request.seed": 7, "gen_ai.response.id": "chatcmpl-1",
		"gen_ai.response.model": "gpt-4o-mini-2024-07-18", "gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 5,
		"gen_ai.usage.cache_read.input_tokens": 4, "gen_ai.usage.reasoning.output_tokens": 2,
		"gen_ai.response.finish_reasons": "[stop]",
		"gen_ai.output.messages":         `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"stop"}]`,
		"gen_ai.input.messages": `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},` +
			`{"role":"user","parts":[{"type":"text","content":"Say hello"}]}]`,
	})
	for _, unset := range []string{"gen_ai.request.top_p", "gen_ai.request.max_tokens"} {
		if _, ok := a[unset]; ok {
			t.Errorf("%s recorded though the request left it unset", unset)
		}
	}
}

func TestChatStreaming(t *testing.T) {
	const delay = 80 * time.Millisecond
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client, rec, opt := setup(t, delay)
	chat := NewTracedOpenAIChatCompletions(&client.Chat.Completions, opt)
	params := openai.ChatCompletionNewParams{Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}}

	// Drained.
	stream := chat.NewStreaming(context.Background(), params)
	var text string
	for stream.Next() {
		if c := stream.Current(); len(c.Choices) > 0 {
			text += c.Choices[0].Delta.Content
		}
	}
	if err := stream.Err(); err != nil || text != "Hello" {
		t.Fatalf("stream: %q %v", text, err)
	}
	_ = stream.Close()
	s := rec.Ended()[0]
	a := attrs(s)
	check(t, a, map[string]any{
		"gen_ai.request.stream": true, "genaitrace.stream.chunks": 4, "gen_ai.response.id": "chatcmpl-s",
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"Hello"}],"finish_reason":"stop"}]`,
		"gen_ai.response.model":  "gpt-4o-mini-2024-07-18", "gen_ai.response.finish_reasons": "[stop]",
		"gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 2, "gen_ai.usage.cache_read.input_tokens": 4,
	})
	if ttfc := a["gen_ai.response.time_to_first_chunk"].AsFloat64(); ttfc < delay.Seconds() || ttfc > 2 {
		t.Errorf("time to first chunk %.3fs; the server waited %v", ttfc, delay)
	}

	// Closed early: the span ends at Close.
	stream = chat.NewStreaming(context.Background(), params)
	stream.Next()
	_ = stream.Close()
	if n := len(rec.Ended()); n != 2 || attrs(rec.Ended()[1])["genaitrace.stream.chunks"].AsInt64() != 1 {
		t.Errorf("early close: %d spans", n)
	}

	// The connection drops mid-stream: the span ends with an error.
	params.Model = "broken"
	stream = chat.NewStreaming(context.Background(), params)
	for stream.Next() {
	}
	if stream.Err() == nil {
		t.Fatal("no error from a broken stream")
	}
	failed := rec.Ended()[2]
	if failed.Status().Code != codes.Error || attrs(failed)["genaitrace.stream.chunks"].AsInt64() != 1 {
		t.Errorf("broken stream: status %v, attributes %v", failed.Status(), attrs(failed))
	}
}

func TestEmbeddingsAndResponses(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client, rec, opt := setup(t, 0)
	emb := NewTracedOpenAIEmbeddings(&client.Embeddings, opt)
	if _, err := emb.New(context.Background(), openai.EmbeddingNewParams{
		Model: openai.EmbeddingModelTextEmbedding3Small, Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("hi")},
	}); err != nil {
		t.Fatal(err)
	}
	resp := NewTracedOpenAIResponses(&client.Responses, opt)
	if _, err := resp.New(context.Background(), responses.ResponseNewParams{Model: "gpt-4o",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}, Instructions: openai.String("Be brief.")}); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	check(t, attrs(spans[0]), map[string]any{
		"gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-3-small",
		"gen_ai.usage.input_tokens": 3, "gen_ai.embeddings.dimension.count": 3,
	})
	check(t, attrs(spans[1]), map[string]any{
		"gen_ai.response.id": "resp_1", "gen_ai.response.model": "gpt-4o-2024-08-06", "gen_ai.usage.input_tokens": 9,
		"gen_ai.usage.output_tokens": 3, "gen_ai.usage.cache_read.input_tokens": 2, "gen_ai.usage.reasoning.output_tokens": 1,
		"gen_ai.output.messages":     `[{"role":"assistant","parts":[{"type":"text","content":"hi there"}]}]`,
		"gen_ai.input.messages":      `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.system_instructions": `[{"type":"text","content":"Be brief."}]`,
	})
}

func TestResponsesStreaming(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	const delay = 50 * time.Millisecond
	client, rec, opt := setup(t, delay)
	resp := NewTracedOpenAIResponses(&client.Responses, opt)
	stream := resp.NewStreaming(context.Background(), responses.ResponseNewParams{Model: "gpt-4o",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}})
	var text string
	for stream.Next() {
		text += stream.Current().Delta
	}
	if err := stream.Err(); err != nil || text != "hi there" {
		t.Fatalf("stream: %q %v", text, err)
	}
	a := attrs(rec.Ended()[0])
	check(t, a, map[string]any{
		"gen_ai.request.stream": true, "genaitrace.stream.chunks": 3, "gen_ai.response.id": "resp_s", "gen_ai.response.model": "gpt-4o-2024-08-06",
		"gen_ai.usage.input_tokens": 9, "gen_ai.usage.output_tokens": 3, "gen_ai.usage.cache_read.input_tokens": 2, "gen_ai.usage.reasoning.output_tokens": 1,
		"gen_ai.input.messages":  `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"hi there"}]}]`,
	})
	if ttfc := a["gen_ai.response.time_to_first_chunk"].AsFloat64(); ttfc < delay.Seconds() {
		t.Errorf("time to first chunk %.3fs; the server waited %v", ttfc, delay)
	}
}
