package genai_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

func streamSpan(t *testing.T) (*genai.Stream, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	_, span := tp.Tracer("test").Start(t.Context(), "chat m")
	return genai.StartStream(span), rec
}

func outputText(t *testing.T, rec *tracetest.SpanRecorder) (text, reason string) {
	t.Helper()
	for _, kv := range rec.Ended()[0].Attributes() {
		if kv.Key == genai.OutputMessages {
			var msgs []struct {
				Role  string `json:"role"`
				Parts []struct {
					Content string `json:"content"`
				} `json:"parts"`
				FinishReason string `json:"finish_reason"`
			}
			if err := json.Unmarshal([]byte(kv.Value.AsString()), &msgs); err != nil || len(msgs) != 1 || msgs[0].Role != "assistant" {
				t.Fatalf("output messages %s: %v", kv.Value.AsString(), err)
			}
			return msgs[0].Parts[0].Content, msgs[0].FinishReason
		}
	}
	return "", ""
}

func TestStreamJoinsTextDeltas(t *testing.T) {
	st, rec := streamSpan(t)
	st.Text("Hel")
	st.Chunk()
	st.Text("lo \"world\"")
	st.Chunk(genai.ResponseFinishReasons.StringSlice([]string{"length"}))
	st.End()
	st.Text("after the end is dropped")
	if text, reason := outputText(t, rec); text != `Hello "world"` || reason != "length" {
		t.Errorf("output %q (finish %q)", text, reason)
	}
}

func TestStreamTextIsBounded(t *testing.T) {
	st, rec := streamSpan(t)
	st.Text(strings.Repeat("a", genai.StreamTextLimit-1))
	st.Text("é and more") // é is two bytes: only one fits, so neither half is kept
	st.Text("dropped")
	st.End()
	text, _ := outputText(t, rec)
	if !utf8.ValidString(text) || !strings.HasSuffix(text, "a…[truncated]") || len(text) > genai.StreamTextLimit+len("…[truncated]") {
		t.Errorf("bounded output: %d bytes, valid UTF-8 %v, ends %q", len(text), utf8.ValidString(text), text[len(text)-20:])
	}
}

func TestStreamWithoutTextRecordsNoOutput(t *testing.T) {
	st, rec := streamSpan(t)
	st.Chunk()
	st.End()
	if text, _ := outputText(t, rec); text != "" {
		t.Errorf("output %q from a stream with no text", text)
	}
}

func TestStreamEndContext(t *testing.T) {
	expired, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		failing bool
	}{{"live", context.Background(), false}, {"deadline", expired, true}, {"cancelled by the consumer", cancelled, false}} {
		st, rec := streamSpan(t)
		st.EndContext(tc.ctx)
		if got := rec.Ended()[0].Status().Code == codes.Error; got != tc.failing {
			t.Errorf("%s: failed %v, want %v", tc.name, got, tc.failing)
		}
	}
}

// A stream that keeps delivering is not abandoned, however long it runs;
// one that goes quiet is, StreamIdleTimeout after its last chunk.
func TestStreamIdleTimeoutFollowsChunks(t *testing.T) {
	genai.SetStreamIdleTimeout(60 * time.Millisecond)
	defer genai.SetStreamIdleTimeout(5 * time.Minute)
	st, rec := streamSpan(t)
	for range 10 { // 200 ms of chunks, 20 ms apart
		time.Sleep(20 * time.Millisecond)
		st.Chunk()
	}
	if n := len(rec.Ended()); n != 0 {
		t.Fatal("a stream delivering every 20 ms was ended as abandoned")
	}
	quiet := time.Now()
	deadline := quiet.Add(2 * time.Second)
	for len(rec.Ended()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatal("a quiet stream was never ended")
	}
	if waited := time.Since(quiet); waited < 50*time.Millisecond {
		t.Errorf("ended %v after its last chunk; the bound is 60 ms", waited)
	}
	for _, kv := range spans[0].Attributes() {
		if kv.Key == genai.StreamAbandoned && kv.Value.AsBool() {
			return
		}
	}
	t.Error("the quiet stream is not marked abandoned")
}
