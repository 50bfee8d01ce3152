package jsonw

import (
	"encoding/json"
	"strings"
	"testing"
)

// usage is Langfuse's usage_details as encoding/json would write it.
type usage struct {
	Input     int64 `json:"input"`
	Output    int64 `json:"output"`
	CacheRead int64 `json:"input_cached_tokens,omitempty"`
	Reasoning int64 `json:"output_reasoning_tokens,omitempty"`
	Total     int64 `json:"total"`
}

type part struct {
	Type    string `json:"type"`
	Content string `json:"content"`
}

type message struct {
	Role  string `json:"role"`
	Parts []part `json:"parts"`
}

// BenchmarkJSON is whether this package earns its place against
// encoding/json, on the objects genaitrace builds per span: Langfuse's
// usage details (five numbers), model parameters (a map in the only form
// encoding/json can take keys known at run time), and a ten-message
// conversation (what genai.Messages builds).
//
//	go test ./internal/jsonw -run '^$' -bench BenchmarkJSON -benchmem -count 8 | tee json.txt
//	benchstat -col /impl json.txt
func BenchmarkJSON(b *testing.B) {
	b.Run("object=usage/impl=jsonw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var o Object
			o.Int("input", 900)
			o.Int("output", 280)
			o.Int("input_cached_tokens", 300)
			o.Int("output_reasoning_tokens", 20)
			o.Int("total", 1500)
			_ = o.String()
		}
	})
	b.Run("object=usage/impl=encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, _ := json.Marshal(usage{900, 280, 300, 20, 1500})
			_ = string(out)
		}
	})
	b.Run("object=parameters/impl=jsonw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var o Object
			o.Float("temperature", 0.2)
			o.Int("max_tokens", 512)
			o.Strings("stop", []string{"\n\n"})
			_ = o.String()
		}
	})
	b.Run("object=parameters/impl=encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, _ := json.Marshal(map[string]any{"temperature": 0.2, "max_tokens": 512, "stop": []string{"\n\n"}})
			_ = string(out)
		}
	})
	content := strings.Repeat("a sentence of a conversation. ", 8)
	b.Run("object=messages/impl=jsonw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf := []byte{'['}
			for i := range 10 {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, `{"role":`...)
				buf = String(buf, "user")
				buf = append(buf, `,"parts":[{"type":"text","content":`...)
				buf = String(buf, content)
				buf = append(buf, "}]}"...)
			}
			_ = string(append(buf, ']'))
		}
	})
	b.Run("object=messages/impl=encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			msgs := make([]message, 10)
			for i := range msgs {
				msgs[i] = message{Role: "user", Parts: []part{{"text", content}}}
			}
			out, _ := json.Marshal(msgs)
			_ = string(out)
		}
	})
}
