package delivery

import (
	"bytes"
	"context"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
)

// MetricExporter sends the metric SDK's collections to one OTLP/HTTP
// destination's /v1/metrics, encoded by genaitrace (the official OTLP
// metric exporter would add gRPC to every user's module graph), through
// the destination's client and breaker. Metrics are cumulative snapshots:
// a lost collection is replaced by the next, so they take no queue or
// spool; while the breaker is open, collections are skipped.
type MetricExporter struct {
	target   Target
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

var _ metric.Exporter = (*MetricExporter)(nil)

// NewMetricExporter returns an exporter to target through br, writing the
// resource as resource does (the destination's translator), uncompressed
// when plain is set.
func NewMetricExporter(target Target, br *breaker.Breaker, resource func(*resource.Resource) []attribute.KeyValue, plain bool) *MetricExporter {
	return &MetricExporter{target: target, breaker: br, resource: resource, plain: plain}
}

// Temporality is cumulative, as Instana's GenAI metrics expect.
func (x *MetricExporter) Temporality(metric.InstrumentKind) metricdata.Temporality {
	return metricdata.CumulativeTemporality
}

// Aggregation is the SDK's default per instrument kind.
func (x *MetricExporter) Aggregation(k metric.InstrumentKind) metric.Aggregation {
	return metric.DefaultAggregationSelector(k)
}

// Export encodes and posts one collection. Failures are counted, not
// returned: the SDK would log each one, every interval, while a
// destination is down, and the next collection replaces this one anyway.
func (x *MetricExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
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

// Stats returns the collections exported and failed, and the last
// failure.
func (x *MetricExporter) Stats() (exported, failed int64, lastErr string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.exported, x.failed, x.lastErr
}

// ForceFlush has nothing buffered.
func (x *MetricExporter) ForceFlush(context.Context) error { return nil }

// Shutdown has nothing to release.
func (x *MetricExporter) Shutdown(context.Context) error { return nil }
