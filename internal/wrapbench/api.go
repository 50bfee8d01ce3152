// Package wrapbench compares a generated wrapper with the same
// instrumentation written by hand against the OpenTelemetry API.
package wrapbench

import "context"

//go:generate go run ../../cmd/genaitrace-gen -config ../../annotations.yaml

// Usage is token usage.
type Usage struct{ PromptTokens, CompletionTokens int }

// Choice is one completion.
type Choice struct{ FinishReason string }

// Request is a chat request.
type Request struct {
	Model       string
	Temperature float64
	MaxTokens   int
}

// Response is a chat response.
type Response struct {
	ID      string
	Model   string
	Usage   *Usage
	Choices []Choice
}

// Client is a chat client.
type Client interface {
	Complete(ctx context.Context, req *Request) (*Response, error)
}
