package export

import (
	"bytes"
	"context"
	"sync"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export/internal/delivery"
	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
)

// metricExporter sends the metric SDK's collections to one OTLP/HTTP
// destination's /v1/metrics, encoded by genaitrace (the official OTLP
// metric exporter would add gRPC to every user's module graph).
type metricExporter struct {
	name     string
	target   delivery.Target
	breaker  *breaker.Breaker
	resource func(*resource.Resource) []attribute.KeyValue
	plain    bool // no compression

	mu       sync.Mutex
	e        otlp.Buf
	z        otlp.Compressor
	exported int64
	failed   int64
	lastErr  string
}

var _ metric.Exporter = (*metricExporter)(nil)

// Temporality is cumulative, as Instana's GenAI metrics expect.
func (x *metricExporter) Temporality(metric.InstrumentKind) metricdata.Temporality {
	return metricdata.CumulativeTemporality
}

// Aggregation is the SDK's default per instrument kind.
func (x *metricExporter) Aggregation(k metric.InstrumentKind) metric.Aggregation {
	return metric.DefaultAggregationSelector(k)
}

// Export encodes and posts one collection. Failures are counted, not
// returned: the SDK would log each one, every interval, while a
// destination is down, and the next collection replaces this one anyway.
func (x *metricExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	if x.breaker.State() == breaker.Open {
		return nil
	}
	x.mu.Lock()
	res := rm.Resource
	if res == nil {
		res = resource.Empty()
	}
	x.e.Reset()
	x.e.Metrics(rm, x.resource(res))
	body := bytes.Clone(x.e.B)
	if !x.plain {
		body = x.z.Compress(x.e.B)
	}
	x.mu.Unlock()
	err := x.target.Send(ctx, body, x.plain)
	x.mu.Lock()
	defer x.mu.Unlock()
	if err != nil {
		x.failed++
		x.lastErr = err.Error()
		return nil
	}
	x.exported++
	return nil
}

// MetricExportStats counts one destination's metric exports
// (Destination.MetricExporter).
type MetricExportStats struct {
	Destination string `json:"name"`
	Exported    int64  `json:"exported_collections"`
	Failed      int64  `json:"failed_collections"`
	LastError   string `json:"last_error,omitempty"`
}

// Stats returns the exporter's counters.
func (x *metricExporter) Stats() MetricExportStats {
	x.mu.Lock()
	defer x.mu.Unlock()
	return MetricExportStats{Destination: x.name, Exported: x.exported, Failed: x.failed, LastError: x.lastErr}
}

// ForceFlush has nothing buffered.
func (x *metricExporter) ForceFlush(context.Context) error { return nil }

// Shutdown has nothing to release.
func (x *metricExporter) Shutdown(context.Context) error { return nil }
