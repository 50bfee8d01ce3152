package diag

import (
	"time"

	"go.opentelemetry.io/otel/attribute"
)

// spanView is one span of /traces/{trace_id}: what it was, what genaitrace
// made of it (facts), and what each destination was sent.
type spanView struct {
	SpanID        string     `json:"span_id"`
	ParentSpanID  string     `json:"parent_span_id,omitempty"`
	RemoteParent  bool       `json:"remote_parent"`
	Name          string     `json:"name"`
	Kind          string     `json:"kind"`
	Service       string     `json:"service"`
	Start         time.Time  `json:"start"`
	End           time.Time  `json:"end"`
	OffsetMS      float64    `json:"offset_ms"`
	DurationMS    float64    `json:"duration_ms"`
	SelfMS        float64    `json:"self_ms"`
	CriticalMS    float64    `json:"critical_ms"`
	Depth         int        `json:"depth"`
	Status        string     `json:"status"`
	StatusMessage string     `json:"status_message,omitempty"`
	GenAI         *factsView `json:"genai,omitempty"`
	// Dialect names the other instrumentation's dialect the span was
	// recognised in (openinference, openllmetry, ...): its attributes then
	// include the conventions' names genaitrace derived (docs/dialects.md).
	Dialect      string                    `json:"dialect,omitempty"`
	Attributes   map[string]any            `json:"attributes"`
	Events       []eventView               `json:"events"`
	Destinations map[string]map[string]any `json:"destinations"`
}

// factsView is what genaitrace derived of a GenAI span.
type factsView struct {
	Operation     string  `json:"operation,omitempty"`
	Provider      string  `json:"provider,omitempty"`
	RequestModel  string  `json:"request_model,omitempty"`
	ResponseModel string  `json:"response_model,omitempty"`
	Tool          string  `json:"tool,omitempty"`
	Agent         string  `json:"agent,omitempty"`
	InputTokens   int64   `json:"input_tokens"`
	OutputTokens  int64   `json:"output_tokens"`
	CacheRead     int64   `json:"cache_read_tokens"`
	Reasoning     int64   `json:"reasoning_tokens"`
	CostUSD       float64 `json:"cost_usd"`
	// Priced is false when the model's price is unknown: CostUSD is then 0
	// for want of a price, not because the call was free.
	Priced          bool     `json:"priced"`
	FinishReasons   []string `json:"finish_reasons"`
	TimeToFirstMS   float64  `json:"time_to_first_chunk_ms,omitempty"`
	Streaming       bool     `json:"streaming"`
	ErrorType       string   `json:"error_type,omitempty"`
	ContentRecorded bool     `json:"content_recorded"`
}

type eventView struct {
	Name       string         `json:"name"`
	Time       time.Time      `json:"time"`
	Attributes map[string]any `json:"attributes"`
}

func attrMap(attrs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(attrs))
	for _, kv := range attrs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// treeNode is one span of /trace_analyzer's tree.
type treeNode struct {
	SpanID       string      `json:"span_id"`
	Name         string      `json:"name"`
	Operation    string      `json:"operation,omitempty"`
	Model        string      `json:"model,omitempty"`
	OffsetMS     float64     `json:"offset_ms"`
	DurationMS   float64     `json:"duration_ms"`
	SelfMS       float64     `json:"self_ms"`
	CriticalMS   float64     `json:"critical_ms"`
	Status       string      `json:"status"`
	InputTokens  int64       `json:"input_tokens"`
	OutputTokens int64       `json:"output_tokens"`
	CostUSD      float64     `json:"cost_usd"`
	Children     []*treeNode `json:"children"`
}

type spanError struct {
	SpanID    string `json:"span_id"`
	Name      string `json:"name"`
	ErrorType string `json:"error_type,omitempty"`
	Message   string `json:"message"`
}
