package export

import (
	"context"
	"errors"
	"math"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	"google.golang.org/protobuf/encoding/protowire"
)

// OTLP metrics field numbers (opentelemetry-proto metrics/v1).
const (
	fMReqResourceMetrics = 1
	fRMResource          = 1
	fRMScopeMetrics      = 2
	fRMSchemaURL         = 3
	fSMScope             = 1
	fSMMetrics           = 2
	fMetricName          = 1
	fMetricDescription   = 2
	fMetricUnit          = 3
	fMetricGauge         = 5
	fMetricSum           = 7
	fMetricHistogram     = 9
	fDataPoints          = 1
	fTemporality         = 2
	fIsMonotonic         = 3
	fNumAttributes       = 7
	fNumStart            = 2
	fNumTime             = 3
	fNumDouble           = 4
	fNumInt              = 6
	fHistAttributes      = 9
	fHistStart           = 2
	fHistTime            = 3
	fHistCount           = 4
	fHistSum             = 5
	fHistBucketCounts    = 6
	fHistBounds          = 7
	fHistMin             = 11
	fHistMax             = 12

	temporalityDelta      = 1
	temporalityCumulative = 2
)

// MetricExporter sends the metric SDK's collections to one OTLP/HTTP
// destination's /v1/metrics, encoded by genaitrace (the official OTLP
// metric exporter would add gRPC to every user's module graph). Metrics
// are cumulative snapshots: a lost collection is replaced by the next, so
// they take no queue or spool, only the destination's breaker.
type MetricExporter struct {
	// Name is the destination's.
	Name     string
	Endpoint Endpoint
	// Resource rewrites the resource attributes for the destination (nil:
	// unchanged).
	Resource func(*resource.Resource) []attribute.KeyValue
	// Skip, when set and true, skips a collection: the destination's
	// breaker is open, so there is no point trying.
	Skip func() bool

	mu       sync.Mutex
	e        pbuf
	z        compressor
	exported int64
	failed   int64
	lastErr  string
}

var _ metric.Exporter = (*MetricExporter)(nil)

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
	if x.Skip != nil && x.Skip() {
		return nil
	}
	x.mu.Lock()
	body := x.z.compress(x.encode(rm))
	x.mu.Unlock()
	a := x.Endpoint.post(ctx, body)
	x.mu.Lock()
	defer x.mu.Unlock()
	if a.outcome != sent {
		x.failed++
		if a.err == nil {
			a.err = errors.New("metrics export failed")
		}
		x.lastErr = a.err.Error()
		return nil
	}
	x.exported++
	return nil
}

// MetricExportStats counts one destination's metric exports.
type MetricExportStats struct {
	Destination string `json:"name"`
	Exported    int64  `json:"exported_collections"`
	Failed      int64  `json:"failed_collections"`
	LastError   string `json:"last_error,omitempty"`
}

// Stats returns the exporter's counters.
func (x *MetricExporter) Stats() MetricExportStats {
	x.mu.Lock()
	defer x.mu.Unlock()
	return MetricExportStats{Destination: x.Name, Exported: x.exported, Failed: x.failed, LastError: x.lastErr}
}

// ForceFlush has nothing buffered.
func (x *MetricExporter) ForceFlush(context.Context) error { return nil }

// Shutdown has nothing to release.
func (x *MetricExporter) Shutdown(context.Context) error { return nil }

func (x *MetricExporter) encode(rm *metricdata.ResourceMetrics) []byte {
	e := &x.e
	e.b = e.b[:0]
	r := e.begin(fMReqResourceMetrics)
	res := rm.Resource
	if res == nil {
		res = resource.Empty()
	}
	attrs := res.Attributes()
	if x.Resource != nil {
		attrs = x.Resource(res)
	}
	m := e.begin(fRMResource)
	e.appendAttrs(fResAttributes, attrs)
	e.end(m)
	for _, sm := range rm.ScopeMetrics {
		x.scopeMetrics(sm.Scope, sm.Metrics)
	}
	e.b = appendString(e.b, fRMSchemaURL, res.SchemaURL())
	e.end(r)
	return e.b
}

func (x *MetricExporter) scopeMetrics(scope instrumentation.Scope, metrics []metricdata.Metrics) {
	e := &x.e
	sm := e.begin(fRMScopeMetrics)
	sc := e.begin(fSMScope)
	e.b = appendString(e.b, fScopeName, scope.Name)
	e.b = appendString(e.b, fScopeVersion, scope.Version)
	e.end(sc)
	for _, m := range metrics {
		x.metric(m)
	}
	e.end(sm)
}

func (x *MetricExporter) metric(m metricdata.Metrics) {
	e := &x.e
	mm := e.begin(fSMMetrics)
	e.b = appendString(e.b, fMetricName, m.Name)
	e.b = appendString(e.b, fMetricDescription, m.Description)
	e.b = appendString(e.b, fMetricUnit, m.Unit)
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		s := e.begin(fMetricSum)
		numberPoints(e, d.DataPoints, func(v int64) (float64, int64, bool) { return 0, v, true })
		sumTail(e, d.Temporality, d.IsMonotonic)
		e.end(s)
	case metricdata.Sum[float64]:
		s := e.begin(fMetricSum)
		numberPoints(e, d.DataPoints, func(v float64) (float64, int64, bool) { return v, 0, false })
		sumTail(e, d.Temporality, d.IsMonotonic)
		e.end(s)
	case metricdata.Gauge[int64]:
		g := e.begin(fMetricGauge)
		numberPoints(e, d.DataPoints, func(v int64) (float64, int64, bool) { return 0, v, true })
		e.end(g)
	case metricdata.Gauge[float64]:
		g := e.begin(fMetricGauge)
		numberPoints(e, d.DataPoints, func(v float64) (float64, int64, bool) { return v, 0, false })
		e.end(g)
	case metricdata.Histogram[int64]:
		histogram(e, d.DataPoints, d.Temporality)
	case metricdata.Histogram[float64]:
		histogram(e, d.DataPoints, d.Temporality)
	}
	e.end(mm)
}

func sumTail(e *pbuf, t metricdata.Temporality, monotonic bool) {
	e.b = appendVarintField(e.b, fTemporality, temporality(t))
	if monotonic {
		e.b = appendVarintField(e.b, fIsMonotonic, 1)
	}
}

func temporality(t metricdata.Temporality) uint64 {
	if t == metricdata.DeltaTemporality {
		return temporalityDelta
	}
	return temporalityCumulative
}

func numberPoints[N int64 | float64](e *pbuf, points []metricdata.DataPoint[N], value func(N) (float64, int64, bool)) {
	for _, p := range points {
		dp := e.begin(fDataPoints)
		e.appendAttrs(fNumAttributes, p.Attributes.ToSlice())
		e.b = appendTime(e.b, fNumStart, p.StartTime.UnixNano())
		e.b = appendTime(e.b, fNumTime, p.Time.UnixNano())
		f, i, isInt := value(p.Value)
		if isInt {
			e.b = protowire.AppendTag(e.b, fNumInt, protowire.Fixed64Type)
			e.b = protowire.AppendFixed64(e.b, uint64(i))
		} else {
			e.b = appendDouble(e.b, fNumDouble, f)
		}
		e.end(dp)
	}
}

func histogram[N int64 | float64](e *pbuf, points []metricdata.HistogramDataPoint[N], t metricdata.Temporality) {
	h := e.begin(fMetricHistogram)
	for _, p := range points {
		dp := e.begin(fDataPoints)
		e.appendAttrs(fHistAttributes, p.Attributes.ToSlice())
		e.b = appendTime(e.b, fHistStart, p.StartTime.UnixNano())
		e.b = appendTime(e.b, fHistTime, p.Time.UnixNano())
		e.b = protowire.AppendTag(e.b, fHistCount, protowire.Fixed64Type)
		e.b = protowire.AppendFixed64(e.b, p.Count)
		e.b = appendDouble(e.b, fHistSum, float64(p.Sum))
		counts := e.begin(fHistBucketCounts)
		for _, c := range p.BucketCounts {
			e.b = protowire.AppendFixed64(e.b, c)
		}
		e.end(counts)
		bounds := e.begin(fHistBounds)
		for _, b := range p.Bounds {
			e.b = protowire.AppendFixed64(e.b, math.Float64bits(b))
		}
		e.end(bounds)
		if v, ok := p.Min.Value(); ok {
			e.b = appendDouble(e.b, fHistMin, float64(v))
		}
		if v, ok := p.Max.Value(); ok {
			e.b = appendDouble(e.b, fHistMax, float64(v))
		}
		e.end(dp)
	}
	e.b = appendVarintField(e.b, fTemporality, temporality(t))
	e.end(h)
}

func appendVarintField(b []byte, field protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}
