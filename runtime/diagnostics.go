package runtime

import (
	"context"
	"fmt"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/internal/diag"
)

// DiagnosticsHandler returns the diagnostics: JSON endpoints and a page
// with the destinations' state, recent traces (a waterfall, each span's
// attributes, GenAI facts and what every destination received), sessions
// and per-model totals. Mount it on any mux:
//
//	mux.Handle("/telemetry/", http.StripPrefix("/telemetry", m.DiagnosticsHandler()))
//
// Endpoints (GET unless noted): /health, /destinations, /circuit_breakers,
// /config, /stats, /spool, /exported_traces, /traces/{trace_id},
// /trace_analyzer/{trace_id}, /sessions, /models, /version, POST /flush,
// POST /breakers/{destination}/reset and POST
// /spool/{destination}/set_aside/{replay|discard} (POSTs need the header
// X-Genaitrace-Diagnostics: 1). With TELEMETRY_DIAGNOSTICS_TOKEN set, every
// endpoint needs it as a bearer token; without it the handler is open, and
// says so once in the log. Prompts and completions are shown only with
// TELEMETRY_DIAGNOSTICS_CONTENT=true. Its own requests are not exported:
// behind otelhttp, pass DiagnosticsFilter to otelhttp.WithFilter so that
// no span is even started for them. docs/diagnostics.md has every
// response.
func (m *Manager) DiagnosticsHandler() http.Handler {
	m.diagOnce.Do(func() {
		h := diag.New(diagSource{m}, m.store, m.ledger, diag.Options{Token: m.cfg.Diagnostics.Token.Value(), Logger: m.cfg.Logger})
		m.diag = quietHandler(&m.proc.quiet, h)
	})
	return m.diag
}

// diagSource is what the diagnostics read of the manager: snapshots, and
// the few actions an operator takes.
type diagSource struct{ m *Manager }

func (s diagSource) Status() diag.Status {
	m := s.m
	st := diag.Status{Service: m.cfg.ServiceName, Version: Version, Started: m.started, Pipeline: m.pipe.Stats(),
		Destinations: m.Destinations(), Metrics: m.metricExports(), Config: m.cfg.view()}
	if m.console != nil {
		c := m.console.Stats()
		st.Console = &c
	}
	st.AcceptedPerSecond, st.ExportedPerSecond = m.rates.rates(m.sample())
	st.GenAIOnly = map[string]string{}
	for _, d := range m.dests {
		if d.kind.onlyGenAI(&m.cfg) {
			st.GenAIOnly[d.Name()] = d.kind.filterSetting
		}
	}
	return st
}

func (s diagSource) Flush(ctx context.Context) error { return s.m.Flush(ctx) }

func (s diagSource) ResetBreaker(name string) (breaker.Status, error) {
	d := s.m.destination(name)
	if d == nil {
		return breaker.Status{}, fmt.Errorf("no destination %q", name)
	}
	d.breaker.Reset()
	d.Kick()
	return d.breaker.Status(), nil
}

func (s diagSource) SetAside(name string, replay bool) (int64, error) {
	d := s.m.destination(name)
	if d == nil {
		return 0, fmt.Errorf("no destination %q", name)
	}
	if replay {
		return d.ReplaySetAside(), nil
	}
	return d.DiscardSetAside(), nil
}

func (s diagSource) Sent(name string, sp *export.Span) []attribute.KeyValue {
	if d := s.m.destination(name); d != nil {
		return d.Attributes(sp)
	}
	return nil
}

func (s diagSource) Shed(tid trace.TraceID) bool { return s.m.pipe.WasShed(tid) }

func (m *Manager) destination(name string) *runningDestination {
	for i := range m.dests {
		if m.dests[i].Name() == name {
			return &m.dests[i]
		}
	}
	return nil
}
