package otlp

import (
	"math"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/protobuf/encoding/protowire"
)

// OTLP metrics field numbers (opentelemetry-proto metrics/v1).
const (
	fMReqResourceMetrics = 1
	fRMResource          = 1
	fRMScopeMetrics      = 2
	fRMSchemaURL         = 3
	fResAttributes       = 1
	fScopeName           = 1
	fScopeVersion        = 2
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

// Metrics writes rm as an ExportMetricsServiceRequest with the resource
// attributes given (the destination's translation of rm's resource).
func (e *Buf) Metrics(rm *metricdata.ResourceMetrics, resourceAttrs []attribute.KeyValue) {
	r := e.Begin(fMReqResourceMetrics)
	m := e.Begin(fRMResource)
	e.Attrs(fResAttributes, resourceAttrs)
	e.End(m)
	for _, sm := range rm.ScopeMetrics {
		e.scopeMetrics(sm.Scope, sm.Metrics)
	}
	if rm.Resource != nil {
		e.String(fRMSchemaURL, rm.Resource.SchemaURL())
	}
	e.End(r)
}

func (e *Buf) scopeMetrics(scope instrumentation.Scope, metrics []metricdata.Metrics) {
	sm := e.Begin(fRMScopeMetrics)
	sc := e.Begin(fSMScope)
	e.String(fScopeName, scope.Name)
	e.String(fScopeVersion, scope.Version)
	e.End(sc)
	for _, m := range metrics {
		e.metric(m)
	}
	e.End(sm)
}

func (e *Buf) metric(m metricdata.Metrics) {
	mm := e.Begin(fSMMetrics)
	e.String(fMetricName, m.Name)
	e.String(fMetricDescription, m.Description)
	e.String(fMetricUnit, m.Unit)
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		s := e.Begin(fMetricSum)
		numberPoints(e, d.DataPoints, func(v int64) (float64, int64, bool) { return 0, v, true })
		sumTail(e, d.Temporality, d.IsMonotonic)
		e.End(s)
	case metricdata.Sum[float64]:
		s := e.Begin(fMetricSum)
		numberPoints(e, d.DataPoints, func(v float64) (float64, int64, bool) { return v, 0, false })
		sumTail(e, d.Temporality, d.IsMonotonic)
		e.End(s)
	case metricdata.Gauge[int64]:
		g := e.Begin(fMetricGauge)
		numberPoints(e, d.DataPoints, func(v int64) (float64, int64, bool) { return 0, v, true })
		e.End(g)
	case metricdata.Gauge[float64]:
		g := e.Begin(fMetricGauge)
		numberPoints(e, d.DataPoints, func(v float64) (float64, int64, bool) { return v, 0, false })
		e.End(g)
	case metricdata.Histogram[int64]:
		histogram(e, d.DataPoints, d.Temporality)
	case metricdata.Histogram[float64]:
		histogram(e, d.DataPoints, d.Temporality)
	}
	e.End(mm)
}

func sumTail(e *Buf, t metricdata.Temporality, monotonic bool) {
	e.Varint(fTemporality, temporality(t))
	if monotonic {
		e.Varint(fIsMonotonic, 1)
	}
}

func temporality(t metricdata.Temporality) uint64 {
	if t == metricdata.DeltaTemporality {
		return temporalityDelta
	}
	return temporalityCumulative
}

func numberPoints[N int64 | float64](e *Buf, points []metricdata.DataPoint[N], value func(N) (float64, int64, bool)) {
	for _, p := range points {
		dp := e.Begin(fDataPoints)
		e.Attrs(fNumAttributes, p.Attributes.ToSlice())
		e.Time(fNumStart, p.StartTime.UnixNano())
		e.Time(fNumTime, p.Time.UnixNano())
		f, i, isInt := value(p.Value)
		if isInt {
			e.Fixed64(fNumInt, uint64(i))
		} else {
			e.Double(fNumDouble, f)
		}
		e.End(dp)
	}
}

func histogram[N int64 | float64](e *Buf, points []metricdata.HistogramDataPoint[N], t metricdata.Temporality) {
	h := e.Begin(fMetricHistogram)
	for _, p := range points {
		dp := e.Begin(fDataPoints)
		e.Attrs(fHistAttributes, p.Attributes.ToSlice())
		e.Time(fHistStart, p.StartTime.UnixNano())
		e.Time(fHistTime, p.Time.UnixNano())
		e.Fixed64(fHistCount, p.Count)
		e.Double(fHistSum, float64(p.Sum))
		counts := e.Begin(fHistBucketCounts)
		for _, c := range p.BucketCounts {
			e.B = protowire.AppendFixed64(e.B, c)
		}
		e.End(counts)
		bounds := e.Begin(fHistBounds)
		for _, b := range p.Bounds {
			e.B = protowire.AppendFixed64(e.B, math.Float64bits(b))
		}
		e.End(bounds)
		if v, ok := p.Min.Value(); ok {
			e.Double(fHistMin, float64(v))
		}
		if v, ok := p.Max.Value(); ok {
			e.Double(fHistMax, float64(v))
		}
		e.End(dp)
	}
	e.Varint(fTemporality, temporality(t))
	e.End(h)
}
