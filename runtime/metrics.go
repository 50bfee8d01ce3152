package runtime

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// registerPipelineMetrics exposes the export pipeline's counters as
// observable instruments, read at each collection. It is called once the
// pipeline exists: the periodic readers may collect at any moment after.
func (m *Manager) registerPipelineMetrics(meter metric.Meter) error {
	accepted, err := meter.Int64ObservableCounter("genaitrace.spans.accepted", metric.WithUnit("{span}"),
		metric.WithDescription("Spans handed to genaitrace's export by span.End."))
	if err != nil {
		return err
	}
	exported, err := meter.Int64ObservableCounter("genaitrace.export.spans", metric.WithUnit("{span}"),
		metric.WithDescription("Spans per destination and result: exported, spooled, replayed, retried, set_aside, possible_duplicate, dropped."))
	if err != nil {
		return err
	}
	queue, err := meter.Int64ObservableGauge("genaitrace.export.queue.size", metric.WithUnit("By"),
		metric.WithDescription("Bytes of encoded batches in a destination's memory queue."))
	if err != nil {
		return err
	}
	spool, err := meter.Int64ObservableGauge("genaitrace.export.spool.size", metric.WithUnit("By"),
		metric.WithDescription("Bytes in a destination's disk spool."))
	if err != nil {
		return err
	}
	state, err := meter.Int64ObservableGauge("genaitrace.export.breaker.state",
		metric.WithDescription("A destination's circuit breaker: 0 closed, 1 half-open, 2 open."))
	if err != nil {
		return err
	}
	_, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		p := m.pipe.Stats()
		o.ObserveInt64(accepted, p.Accepted)
		for reason, n := range p.Shed {
			o.ObserveInt64(exported, n, metric.WithAttributes(attribute.String("result", "dropped"), attribute.String("reason", reason)))
		}
		for _, d := range m.dests {
			st := d.Stats()
			dest := attribute.String("destination", st.Name)
			for result, n := range map[string]int64{"exported": st.Exported, "spooled": st.Spooled, "replayed": st.Replayed, "retried": st.Retried,
				"set_aside": st.SetAside, "possible_duplicate": st.PossibleDuplicates} {
				o.ObserveInt64(exported, n, metric.WithAttributes(dest, attribute.String("result", result)))
			}
			for reason, n := range st.Dropped {
				o.ObserveInt64(exported, n, metric.WithAttributes(dest, attribute.String("result", "dropped"), attribute.String("reason", reason)))
			}
			o.ObserveInt64(queue, st.QueueBytes, metric.WithAttributes(dest))
			if st.Spool != nil {
				o.ObserveInt64(spool, st.Spool.Bytes, metric.WithAttributes(dest))
			}
			o.ObserveInt64(state, int64(st.Breaker.State), metric.WithAttributes(dest))
		}
		return nil
	}, accepted, exported, queue, spool, state)
	return err
}

// startMetrics builds the MeterProvider with a periodic reader per
// metrics-capable destination (Instana and the generic OTLP destination;
// Langfuse discards metrics).
func (m *Manager) startMetrics(res *resource.Resource) (*genaiMetrics, error) {
	var opts []sdkmetric.Option
	opts = append(opts, sdkmetric.WithResource(res))
	for _, d := range m.dests {
		exp, stats := m.metricExporter(d)
		if exp == nil {
			continue
		}
		m.metricStats = append(m.metricStats, stats)
		opts = append(opts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(m.cfg.Metrics.Interval))))
	}
	m.meters = sdkmetric.NewMeterProvider(opts...)
	return newGenAIMetrics(m.meter(), m.cfg.Conventions)
}

func (m *Manager) meter() metric.Meter {
	return m.meters.Meter(genai.ScopeName, metric.WithInstrumentationVersion(Version))
}

// metricExporter returns the exporter of a destination's metrics, or nil
// when the destination takes no metrics.
func (m *Manager) metricExporter(d runningDestination) (sdkmetric.Exporter, func() export.MetricExportStats) {
	url := d.kind.metricsURL(&m.cfg)
	if url == "" || m.cfg.Metrics.Disabled {
		return nil, nil
	}
	return d.MetricExporter(url) // the destination's transport adds the query
}

// MeterProvider returns genaitrace's MeterProvider: its own metrics (the
// GenAI client metrics and the export pipeline's counters) go through it,
// and an application may add its own.
func (m *Manager) MeterProvider() *sdkmetric.MeterProvider { return m.meters }

// metricsConfig configures genaitrace's metrics.
type metricsConfig struct {
	// Disabled turns metric export off (TELEMETRY_METRICS=false).
	Disabled bool
	// Interval between collections (TELEMETRY_METRICS_INTERVAL, default 30s).
	Interval time.Duration
}

// metricExports counts each metrics-capable destination's metric exports.
func (m *Manager) metricExports() []export.MetricExportStats {
	out := []export.MetricExportStats{}
	for _, stats := range m.metricStats {
		out = append(out, stats())
	}
	return out
}
