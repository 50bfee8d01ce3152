package export

import (
	"go.opentelemetry.io/otel/sdk/metric"

	"github.com/genaitrace/genaitrace/runtime/export/internal/delivery"
)

// MetricExportStats counts one destination's metric exports
// (Destination.MetricExporter).
type MetricExportStats struct {
	Destination string `json:"name"`
	Exported    int64  `json:"exported_collections"`
	Failed      int64  `json:"failed_collections"`
	LastError   string `json:"last_error,omitempty"`
}

// MetricExporter returns an exporter of metric collections to url (the
// destination's metrics URL), through the destination's client and
// breaker, with the resource as its translator writes it, and the function
// that snapshots its counters. Metrics are cumulative snapshots: a lost
// collection is replaced by the next, so they take no queue or spool;
// while the breaker is open, collections are skipped.
func (d *Destination) MetricExporter(url string) (x metric.Exporter, stats func() MetricExportStats) {
	target := delivery.Target{URL: url, Client: d.cfg.Client, AttemptTimeout: d.cfg.Settings.AttemptTimeout, UserAgent: d.cfg.UserAgent}
	e := delivery.NewMetricExporter(target, d.cfg.Breaker, d.cfg.Translator.Resource, d.cfg.Compression == NoCompression)
	return e, func() MetricExportStats {
		st := MetricExportStats{Destination: d.cfg.Name}
		st.Exported, st.Failed, st.LastError = e.Stats()
		return st
	}
}
