package diag

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/internal/console"
)

// Source is what the diagnostics read and do; the runtime's manager
// provides it.
type Source interface {
	// Status is a snapshot of the manager.
	Status() Status
	// Flush exports everything ended so far and waits, by ctx.
	Flush(ctx context.Context) error
	// ResetBreaker closes a destination's breaker.
	ResetBreaker(destination string) (breaker.Status, error)
	// SetAside replays (or, with replay false, discards) a destination's
	// set-aside batches, and returns their spans.
	SetAside(destination string, replay bool) (int64, error)
	// Sent is what a destination was sent for s: translated and masked.
	Sent(destination string, s *export.Span) []attribute.KeyValue
	// Shed reports whether spans of the trace were among the last ones
	// shed for memory.
	Shed(tid trace.TraceID) bool
}

// Status is a snapshot of the manager, every value a copy.
type Status struct {
	Service string
	Version string
	Started time.Time
	// Pipeline is the hand-off from span.End.
	Pipeline export.PipelineStats
	// Destinations are the OTLP destinations, in their order.
	Destinations []export.DestinationStats
	// Console is set when the console prints traces.
	Console *console.Stats
	// Metrics counts each metrics-capable destination's metric exports.
	Metrics []export.MetricExportStats
	// Config is the effective configuration as it may be shown: secrets
	// masked, endpoints without user info or query.
	Config any
	// Rates are spans per second over the last minute: accepted from
	// span.End, and exported per destination.
	AcceptedPerSecond float64
	ExportedPerSecond map[string]float64
	// GenAIOnly names the destinations that take only traces with GenAI
	// work, each with the setting that says so (LANGFUSE_EXPORT=llm).
	GenAIOnly map[string]string
}
