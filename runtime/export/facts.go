package export

import (
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// Facts are the GenAI facts of one span, read from its attributes once and
// shared by every destination's translator, the console and diagnostics.
type Facts struct {
	Operation     string
	Provider      string
	RequestModel  string
	ResponseModel string
	ToolName      string
	AgentName     string
	WorkflowName  string
	Conversation  string
	Usage         pricing.Usage
	HasUsage      bool
	Cost          pricing.Cost
	HasCost       bool
	Streaming     bool
	Error         bool
	ErrorType     string
	// TimeToFirstChunk is set for streaming calls.
	TimeToFirstChunk time.Duration
}

// Model is the model that served the call: the response model when known,
// else the requested one.
func (f *Facts) Model() string {
	if f.ResponseModel != "" {
		return f.ResponseModel
	}
	return f.RequestModel
}

// IsModelCall reports whether the span is a call to a model (inference or
// embeddings), the only spans that carry usage and cost.
func (f *Facts) IsModelCall() bool {
	if f.Operation == "" {
		return f.RequestModel != "" || f.ResponseModel != ""
	}
	return dialect.IsModelOperation(f.Operation)
}

// deriveFacts reads s's GenAI facts into f, sets s.Facts to f, and prices
// the usage with prices (which may be nil: no cost).
func deriveFacts(s *Span, f *Facts, prices *pricing.Table) {
	s.Facts = f
	for _, kv := range s.Attributes() {
		readFact(f, kv)
	}
	if st := s.Status(); st.Code == codes.Error {
		f.Error = true
	}
	if f.Operation == "" && !f.IsModelCall() {
		// Counts on a span that names no GenAI operation and no model are
		// a copy of its children's (LangSmith's instrumentation copies them
		// onto the caller's span): not usage of its own.
		f.HasUsage = false
	}
	if f.HasUsage && f.IsModelCall() {
		f.Cost, f.HasCost = prices.Estimate(f.Provider, f.Model(), f.Usage)
	}
}

func readFact(f *Facts, kv attribute.KeyValue) {
	switch kv.Key {
	case genai.OperationName:
		f.Operation = kv.Value.AsString()
	case genai.ProviderName, vocab.LegacySystem:
		if f.Provider == "" || kv.Key == genai.ProviderName {
			f.Provider = kv.Value.AsString()
		}
	case genai.RequestModel:
		f.RequestModel = kv.Value.AsString()
	case genai.ResponseModel:
		f.ResponseModel = kv.Value.AsString()
	case genai.ToolName:
		f.ToolName = kv.Value.AsString()
	case genai.AgentName:
		f.AgentName = kv.Value.AsString()
	case genai.WorkflowName:
		f.WorkflowName = kv.Value.AsString()
	case genai.ConversationID:
		f.Conversation = kv.Value.AsString()
	case genai.UsageInputTokens, vocab.LegacyPromptTokens:
		f.Usage.Input, f.HasUsage = asInt(kv.Value), true
	case genai.UsageOutputTokens, vocab.LegacyCompletionTokens:
		f.Usage.Output, f.HasUsage = asInt(kv.Value), true
	case genai.UsageCacheReadInputTokens:
		f.Usage.CacheRead = asInt(kv.Value)
	case genai.UsageCacheCreationInputTokens:
		f.Usage.CacheWrite = asInt(kv.Value)
	case genai.UsageReasoningOutputTokens:
		f.Usage.Reasoning = asInt(kv.Value)
	case genai.RequestStream:
		f.Streaming = kv.Value.AsBool()
	case genai.ErrorType:
		f.ErrorType = kv.Value.AsString()
	case genai.ResponseTimeToFirstChunk:
		f.TimeToFirstChunk = time.Duration(asFloat(kv.Value) * float64(time.Second))
	}
}

func asInt(v attribute.Value) int64 {
	switch v.Type() {
	case attribute.INT64:
		return v.AsInt64()
	case attribute.FLOAT64:
		return int64(v.AsFloat64())
	}
	return 0
}

func asFloat(v attribute.Value) float64 {
	switch v.Type() {
	case attribute.INT64:
		return float64(v.AsInt64())
	case attribute.FLOAT64:
		return v.AsFloat64()
	}
	return 0
}
