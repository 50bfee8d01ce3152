package runtime

import (
	"cmp"
	"slices"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// traceSummary is one row of /exported_traces.
type traceSummary struct {
	TraceID    string    `json:"trace_id"`
	Name       string    `json:"name"`
	Service    string    `json:"service"`
	Start      time.Time `json:"start"`
	DurationMS float64   `json:"duration_ms"`
	Spans      int       `json:"spans"`
	Errors     int       `json:"errors"`
	Status     string    `json:"status"`
	Models     []string  `json:"models,omitempty"`
	Tokens     int64     `json:"tokens"`
	CostUSD    float64   `json:"cost_usd"`
}

func summarize(spans []*storedSpan) traceSummary {
	s := traceSummary{Spans: len(spans), Status: "ok"}
	if len(spans) == 0 {
		return s
	}
	s.TraceID = spans[0].traceID.String()
	start, end := spans[0].start, spans[0].end
	root := roots(spans)[0]
	s.Name, s.Service = root.name, root.service
	if root.traceName != "" {
		s.Name = root.traceName
	}
	for _, sp := range spans {
		start, end = minTime(start, sp.start), maxTime(end, sp.end)
		if sp.status == codes.Error {
			s.Errors++
		}
		s.Tokens += sp.facts.Usage.Input + sp.facts.Usage.Output
		s.CostUSD += sp.facts.Cost.Total()
		if m := sp.facts.Model(); m != "" && sp.facts.IsModelCall() && !slices.Contains(s.Models, m) {
			s.Models = append(s.Models, m)
		}
	}
	if s.Errors > 0 {
		s.Status = "error"
	}
	s.Start, s.DurationMS = start, ms(end.Sub(start))
	return s
}

// roots are the spans whose parent is not in the trace, earliest first.
func roots(spans []*storedSpan) []*storedSpan {
	ids := map[trace.SpanID]bool{}
	for _, sp := range spans {
		ids[sp.spanID] = true
	}
	var out []*storedSpan
	for _, sp := range spans {
		if !sp.parentID.IsValid() || !ids[sp.parentID] {
			out = append(out, sp)
		}
	}
	slices.SortFunc(out, func(a, b *storedSpan) int { return a.start.Compare(b.start) })
	return out
}

func children(spans []*storedSpan) map[trace.SpanID][]*storedSpan {
	kids := map[trace.SpanID][]*storedSpan{}
	for _, sp := range spans {
		if sp.parentID.IsValid() {
			kids[sp.parentID] = append(kids[sp.parentID], sp)
		}
	}
	for _, k := range kids {
		slices.SortFunc(k, func(a, b *storedSpan) int { return a.start.Compare(b.start) })
	}
	return kids
}

// analysis is /trace_analyzer's answer.
type analysis struct {
	TraceID      string        `json:"trace_id"`
	Summary      traceSummary  `json:"summary"`
	Tree         []*treeNode   `json:"tree"`
	CriticalPath []string      `json:"critical_path"`
	Models       []modelTotals `json:"models"`
	Errors       []spanError   `json:"errors"`
}

type treeNode struct {
	SpanID      string      `json:"span_id"`
	Name        string      `json:"name"`
	Operation   string      `json:"operation,omitempty"`
	Model       string      `json:"model,omitempty"`
	OffsetMS    float64     `json:"offset_ms"`
	DurationMS  float64     `json:"duration_ms"`
	SelfTimeMS  float64     `json:"self_time_ms"`
	Critical    bool        `json:"critical"`
	Status      string      `json:"status"`
	InputTokens int64       `json:"input_tokens,omitempty"`
	OutputToks  int64       `json:"output_tokens,omitempty"`
	CostUSD     float64     `json:"cost_usd,omitempty"`
	Children    []*treeNode `json:"children,omitempty"`
}

type modelTotals struct {
	Model        string  `json:"model"`
	Calls        int     `json:"calls"`
	InputTokens  int64   `json:"input_tokens"`
	OutputTokens int64   `json:"output_tokens"`
	CostUSD      float64 `json:"cost_usd"`
}

type spanError struct {
	SpanID    string `json:"span_id"`
	Name      string `json:"name"`
	ErrorType string `json:"error_type,omitempty"`
	Message   string `json:"message"`
}

// analyze builds the span tree with self times, the critical path (from
// each root, the child that finishes last, recursively: what the trace's
// duration waits for), token and cost totals per model, and the errors.
func analyze(tid trace.TraceID, spans []*storedSpan) analysis {
	a := analysis{TraceID: tid.String(), Summary: summarize(spans), CriticalPath: []string{}, Models: []modelTotals{}, Errors: []spanError{}}
	kids := children(spans)
	critical := map[trace.SpanID]bool{}
	rs := roots(spans)
	if len(rs) > 0 {
		last := rs[0]
		for _, r := range rs {
			if r.end.After(last.end) {
				last = r
			}
		}
		for sp := last; sp != nil; {
			critical[sp.spanID] = true
			a.CriticalPath = append(a.CriticalPath, sp.spanID.String())
			var next *storedSpan
			for _, k := range kids[sp.spanID] {
				if next == nil || k.end.After(next.end) {
					next = k
				}
			}
			sp = next
		}
	}
	origin := a.Summary.Start
	var build func(sp *storedSpan) *treeNode
	build = func(sp *storedSpan) *treeNode {
		n := &treeNode{
			SpanID: sp.spanID.String(), Name: sp.name, Operation: sp.facts.Operation, Model: sp.facts.Model(),
			OffsetMS: ms(sp.start.Sub(origin)), DurationMS: ms(sp.end.Sub(sp.start)),
			SelfTimeMS: ms(selfTime(sp, kids[sp.spanID])), Critical: critical[sp.spanID], Status: statusName(sp.status),
			InputTokens: sp.facts.Usage.Input, OutputToks: sp.facts.Usage.Output, CostUSD: sp.facts.Cost.Total(),
		}
		for _, k := range kids[sp.spanID] {
			n.Children = append(n.Children, build(k))
		}
		return n
	}
	for _, r := range rs {
		a.Tree = append(a.Tree, build(r))
	}
	byModel := map[string]*modelTotals{}
	for _, sp := range spans {
		if sp.facts.IsModelCall() && sp.facts.Model() != "" {
			m := byModel[sp.facts.Model()]
			if m == nil {
				m = &modelTotals{Model: sp.facts.Model()}
				byModel[m.Model] = m
			}
			m.Calls++
			m.InputTokens += sp.facts.Usage.Input
			m.OutputTokens += sp.facts.Usage.Output
			m.CostUSD += sp.facts.Cost.Total()
		}
		if sp.status == codes.Error {
			a.Errors = append(a.Errors, spanError{SpanID: sp.spanID.String(), Name: sp.name, ErrorType: sp.facts.ErrorType, Message: sp.statusMessage})
		}
	}
	for _, m := range byModel {
		a.Models = append(a.Models, *m)
	}
	slices.SortFunc(a.Models, func(x, y modelTotals) int { return cmp.Compare(x.Model, y.Model) })
	return a
}

// selfTime is a span's duration minus the time covered by its children
// (overlapping children counted once, clipped to the span).
func selfTime(sp *storedSpan, kids []*storedSpan) time.Duration {
	total := sp.end.Sub(sp.start)
	var covered time.Duration
	var curStart, curEnd time.Time
	for _, k := range kids { // sorted by start
		s, e := maxTime(k.start, sp.start), minTime(k.end, sp.end)
		if !e.After(s) {
			continue
		}
		switch {
		case curEnd.IsZero():
			curStart, curEnd = s, e
		case s.After(curEnd):
			covered += curEnd.Sub(curStart)
			curStart, curEnd = s, e
		case e.After(curEnd):
			curEnd = e
		}
	}
	if !curEnd.IsZero() {
		covered += curEnd.Sub(curStart)
	}
	return max(total-covered, 0)
}

func statusName(c codes.Code) string {
	switch c {
	case codes.Error:
		return "error"
	case codes.Ok:
		return "ok"
	}
	return "unset"
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
