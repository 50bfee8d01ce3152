// Package fakellm is a deterministic OpenAI-compatible chat endpoint for
// tests, benchmarks and demos: POST /v1/chat/completions answers after a
// configurable latency with configurable token counts, and a model name of
// "fail-*" answers 429, so error paths can be exercised. No randomness, no
// account, no network.
package fakellm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Config shapes the fake's answers.
type Config struct {
	Latency          time.Duration
	PromptTokens     int // 0: derived from the request's length
	CompletionTokens int // 0: derived from the answer's length
	CachedTokens     int
}

// Message is an OpenAI chat message.
type Message struct {
	Role    string `json:"role"`
	Content Text   `json:"content"`
}

// Text is a message's content: a string, or in a request the list of
// content parts the SDKs may send ([{"type":"text","text":"..."}]), whose
// texts are joined.
type Text string

// UnmarshalJSON reads a string or a list of parts.
func (t *Text) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = Text(s)
		return nil
	}
	var parts []struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(b, &parts); err != nil {
		return fmt.Errorf("content is neither a string nor a list of parts: %w", err)
	}
	var texts []string
	for _, p := range parts {
		texts = append(texts, p.Text)
	}
	*t = Text(strings.Join(texts, "\n"))
	return nil
}

// Request is the subset of an OpenAI chat-completion request the fake reads.
type Request struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Temperature *float64  `json:"temperature,omitempty"`
	MaxTokens   int       `json:"max_tokens,omitempty"`
}

// Response is an OpenAI chat-completion response.
type Response struct {
	ID      string   `json:"id"`
	Object  string   `json:"object"`
	Created int64    `json:"created"`
	Model   string   `json:"model"`
	Choices []Choice `json:"choices"`
	Usage   Usage    `json:"usage"`
}

// Choice is one completion.
type Choice struct {
	Index        int     `json:"index"`
	Message      Message `json:"message"`
	FinishReason string  `json:"finish_reason"`
}

// Usage is OpenAI's token usage.
type Usage struct {
	PromptTokens        int           `json:"prompt_tokens"`
	CompletionTokens    int           `json:"completion_tokens"`
	TotalTokens         int           `json:"total_tokens"`
	PromptTokensDetails *TokenDetails `json:"prompt_tokens_details,omitempty"`
}

// TokenDetails breaks prompt tokens down.
type TokenDetails struct {
	CachedTokens int `json:"cached_tokens"`
}

// Handler serves the fake endpoint.
func Handler(cfg Config) http.Handler {
	var n atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req Request
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model == "" || len(req.Messages) == 0 {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "want a JSON body with model and messages")
			return
		}
		if cfg.Latency > 0 {
			select {
			case <-time.After(cfg.Latency):
			case <-r.Context().Done():
				return
			}
		}
		if strings.HasPrefix(req.Model, "fail") {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "Rate limit reached for "+req.Model)
			return
		}
		last := req.Messages[len(req.Messages)-1].Content
		answer := "You said: " + string(last)
		prompt, completion := cfg.PromptTokens, cfg.CompletionTokens
		if prompt == 0 {
			for _, m := range req.Messages {
				prompt += len(m.Content)/4 + 4
			}
		}
		if completion == 0 {
			completion = len(answer)/4 + 1
		}
		resp := Response{
			ID: fmt.Sprintf("chatcmpl-fake-%d", n.Add(1)), Object: "chat.completion", Created: 1_700_000_000,
			Model:   req.Model + "-2024-07-18",
			Choices: []Choice{{Message: Message{Role: "assistant", Content: Text(answer)}, FinishReason: "stop"}},
			Usage:   Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion},
		}
		if cfg.CachedTokens > 0 {
			resp.Usage.PromptTokensDetails = &TokenDetails{CachedTokens: min(cfg.CachedTokens, prompt)}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	})
	return mux
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"message": msg, "type": code, "code": code}})
}
