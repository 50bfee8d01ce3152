package runtime

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"
)

//go:embed diagui
var diagUI embed.FS

var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"ms":   func(v float64) string { return fmtMS(v) },
	"usd":  func(v float64) string { return fmt.Sprintf("$%.6f", v) },
	"join": func(s []string) string { return strings.Join(s, ", ") },
}).ParseFS(diagUI, "diagui/page.html"))

func staticHandler() http.Handler {
	sub, _ := fs.Sub(diagUI, "diagui")
	return http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
}

func fmtMS(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2f s", v/1000)
	}
	return fmt.Sprintf("%.1f ms", v)
}

// pageData feeds page.html.
type pageData struct {
	Service, Version, Uptime string
	Accepted, Dropped        int64
	Exporters                []pageExporter
	Trace                    *pageTrace
	Traces                   []pageSummary
	Total                    int
	Filter                   pageFilter
	FilterError              string
	Content                  bool
}

type pageExporter struct {
	Name, Endpoint, State, NextProbe, LastSuccess, LastError string
	Exported, Spooled, Replayed, Dropped, Queue, Spool       int64
	Breaker                                                  bool
}

type pageSummary struct {
	traceSummary
	Started string
}

type pageFilter struct{ Service, Status, Model, MinDuration string }

type pageTrace struct {
	ID, Error string
	Summary   traceSummary
	Rows      []pageRow
	Models    []modelTotals
}

type pageRow struct {
	Name, Operation, Model, Status, Message string
	Indent                                  int
	Tokens                                  string
	Cost, Offset, Duration, Self            float64
	Critical                                bool
}

func (m *Manager) servePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := m.pipe.Stats()
	data := pageData{
		Service: m.cfg.ServiceName, Version: Version, Uptime: time.Since(m.started).Round(time.Second).String(),
		Accepted: p.Accepted, Dropped: p.ShedTotal(), Content: m.store.content,
		Filter: pageFilter{q.Get("service"), q.Get("status"), q.Get("model"), q.Get("min_duration")},
	}
	for _, e := range m.exporters() {
		pe := pageExporter{Name: e.Name, Endpoint: e.Endpoint, Exported: e.Exported, Spooled: e.Spooled, Replayed: e.Replayed,
			Dropped: e.DroppedTotal(), Queue: e.QueueBytes, LastError: e.LastError, State: "n/a"}
		if e.Protocol != "console" {
			pe.Breaker, pe.State = true, e.Breaker.State.String()
			if !e.Breaker.NextProbe.IsZero() {
				pe.NextProbe = e.Breaker.NextProbe.Format(time.TimeOnly)
			}
		}
		if e.Spool != nil {
			pe.Spool = e.Spool.PendingSpans
		}
		if !e.LastSuccess.IsZero() {
			pe.LastSuccess = e.LastSuccess.Format(time.TimeOnly)
		}
		data.Exporters = append(data.Exporters, pe)
	}
	status := http.StatusOK
	if id := q.Get("trace"); id != "" {
		data.Trace, status = m.pageTrace(id)
	}
	filters := url.Values{}
	for _, k := range []string{"service", "status", "model", "min_duration"} {
		if v := q.Get(k); v != "" {
			filters.Set(k, v)
		}
	}
	tq, err := parseTraceQuery(filters)
	if err != nil {
		data.FilterError, status = err.Error(), http.StatusBadRequest
		tq = traceQuery{limit: 50}
	}
	tq.limit = 100
	summaries, total := m.recentTraces(tq)
	data.Total = total
	for _, s := range summaries {
		data.Traces = append(data.Traces, pageSummary{traceSummary: s, Started: s.Start.Format("15:04:05.000")})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")
	w.WriteHeader(status)
	if err := pageTemplate.Execute(w, data); err != nil {
		m.cfg.Logger.Warn("genaitrace: diagnostics page", "error", err)
	}
}

func (m *Manager) pageTrace(raw string) (*pageTrace, int) {
	pt := &pageTrace{ID: raw}
	tid, err := trace.TraceIDFromHex(strings.ToLower(raw))
	if err != nil {
		pt.Error = fmt.Sprintf("trace id %q is malformed; want 32 hex digits", raw)
		return pt, http.StatusBadRequest
	}
	spans, ok := m.store.snapshot(tid)
	if !ok {
		pt.Error = fmt.Sprintf("trace %s is not among the recent traces", tid)
		return pt, http.StatusNotFound
	}
	a := analyze(tid, spans)
	pt.ID, pt.Summary, pt.Models = tid.String(), a.Summary, a.Models
	msgs := map[string]string{}
	for _, e := range a.Errors {
		msgs[e.SpanID] = e.Message
	}
	var walk func(nodes []*treeNode, depth int)
	walk = func(nodes []*treeNode, depth int) {
		for _, n := range nodes {
			row := pageRow{Name: n.Name, Operation: n.Operation, Model: n.Model, Status: n.Status, Message: msgs[n.SpanID],
				Indent: depth, Cost: n.CostUSD, Offset: n.OffsetMS, Duration: n.DurationMS, Self: n.SelfTimeMS, Critical: n.Critical}
			if n.InputTokens > 0 || n.OutputToks > 0 {
				row.Tokens = fmt.Sprintf("%d / %d", n.InputTokens, n.OutputToks)
			}
			pt.Rows = append(pt.Rows, row)
			walk(n.Children, depth+1)
		}
	}
	walk(a.Tree, 0)
	return pt, http.StatusOK
}
