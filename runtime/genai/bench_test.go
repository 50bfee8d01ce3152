package genai

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"
)

// chatMessage is shaped like an SDK's message param (OpenAI's JSON).
type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

func conversation(n int) []chatMessage {
	msgs := make([]chatMessage, n)
	for i := range msgs {
		msgs[i] = chatMessage{Role: []string{"user", "assistant"}[i%2], Content: strings.Repeat("a sentence of a conversation. ", 8)}
	}
	return msgs
}

// BenchmarkContentCapture compares the two ways a wrapper records a
// 10-message input with content capture on: per-field paths building the
// JSON directly (genai.Messages), and {json: path} (genai.MessagesJSON,
// which marshals the SDK's value and reads it back).
//
//	go test ./runtime/genai -run '^$' -bench ContentCapture -benchmem -count 10 | tee content.txt
//	benchstat -col /impl content.txt
func BenchmarkContentCapture(b *testing.B) {
	msgs := conversation(10)
	b.Run("impl=fields", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m Messages
			for _, el := range msgs {
				m.Add(el.Role, el.Content, "")
			}
			_ = m.String()
		}
	})
	b.Run("impl=json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = MessagesJSON(msgs, "user")
		}
	})
}

// BenchmarkStreamChunk is the wrapper's cost per chunk a stream delivers
// (a consumer's loop pays it once per token).
//
//	go test ./runtime/genai -run '^$' -bench StreamChunk -benchmem -count 10
func BenchmarkStreamChunk(b *testing.B) {
	_, span := noop.NewTracerProvider().Tracer("b").Start(context.Background(), "chat")
	st := StartStream(span)
	defer st.End()
	kv := UsageOutputTokens.Int64(7)
	b.ReportAllocs()
	for b.Loop() {
		st.Chunk(kv)
	}
}
