package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

//go:generate go run ../../cmd/genaitrace-gen -config ../../annotations.yaml

// Message is one chat message.
type Message struct {
	Role    string
	Content string
}

// ChatRequest is what the LLM client sends.
type ChatRequest struct {
	Model    string
	Messages []Message
	// Temperature is nil when the caller leaves it to the provider; the
	// wrapper then records none (a float64 would record 0).
	Temperature *float64
	MaxTokens   int
}

// Usage counts tokens as the provider bills them.
type Usage struct {
	InputTokens, OutputTokens, CachedTokens int
}

// ChatResponse is what the LLM client returns.
type ChatResponse struct {
	ID           string
	Model        string
	Message      Message
	FinishReason string
	Usage        Usage
}

// LLM is a chat-completion client.
type LLM interface {
	Chat(ctx context.Context, req ChatRequest) (*ChatResponse, error)
}

// ToolCall is one call of a tool by the model.
type ToolCall struct {
	ID, Name, Arguments string
}

// Tool is a tool the agent can call.
type Tool interface {
	Call(ctx context.Context, call ToolCall) (string, error)
}

// Agent runs a task.
type Agent interface {
	Run(ctx context.Context, task string) (string, error)
}

// fakeLLM answers deterministically; its second call of a run fails, as a
// rate-limited provider would.
type fakeLLM struct{ calls int }

func (f *fakeLLM) Chat(ctx context.Context, req ChatRequest) (*ChatResponse, error) {
	f.calls++
	time.Sleep(40 * time.Millisecond)
	if f.calls%2 == 0 {
		return nil, errors.New("429 Too Many Requests: rate limit reached")
	}
	prompt := 0
	for _, m := range req.Messages {
		prompt += len(m.Content)/4 + 4
	}
	return &ChatResponse{
		ID:           fmt.Sprintf("chatcmpl-%d", f.calls),
		Model:        req.Model + "-2024-07-18",
		Message:      Message{Role: "assistant", Content: "Light rain, 14°C: take a jacket and an umbrella."},
		FinishReason: "stop",
		Usage:        Usage{InputTokens: prompt + 900, OutputTokens: 48, CachedTokens: 512},
	}, nil
}

// searchTool pretends to search the web.
type searchTool struct{}

func (searchTool) Call(ctx context.Context, call ToolCall) (string, error) {
	time.Sleep(15 * time.Millisecond)
	return `{"forecast":"light rain, 14°C"}`, nil
}

// planner is an agent: it calls a tool, then the model twice.
type planner struct {
	llm    LLM
	search Tool
}

func (p planner) Run(ctx context.Context, task string) (string, error) {
	forecast, err := p.search.Call(ctx, ToolCall{ID: "call_1", Name: "search", Arguments: `{"q":"weather Paris"}`})
	if err != nil {
		return "", err
	}
	msgs := []Message{
		{Role: "system", Content: "You are a helpful travel assistant."},
		{Role: "user", Content: task + "\nForecast: " + forecast},
	}
	resp, err := p.llm.Chat(ctx, ChatRequest{Model: "gpt-4o-mini", Messages: msgs, Temperature: ptr(0.3), MaxTokens: 256})
	if err != nil {
		return "", err
	}
	// A follow-up call fails; the agent keeps its first answer.
	if _, err := p.llm.Chat(ctx, ChatRequest{Model: "gpt-4o-mini", Messages: append(msgs, resp.Message), MaxTokens: 64}); err != nil {
		return strings.TrimSpace(resp.Message.Content), nil
	}
	return resp.Message.Content, nil
}

func ptr[T any](v T) *T { return &v }
