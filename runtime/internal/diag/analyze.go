package diag

import (
	"cmp"
	"slices"
	"time"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/internal/units"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// traceSummary is one trace as the listing shows it.
type traceSummary struct {
	TraceID    string    `json:"trace_id"`
	Cursor     string    `json:"cursor"`
	Name       string    `json:"name"`
	Service    string    `json:"service"`
	Start      time.Time `json:"start"`
	DurationMS float64   `json:"duration_ms"`
	Spans      int       `json:"span_count"`
	Errors     int       `json:"error_count"`
	Status     string    `json:"status"`
	Models     []string  `json:"models"`
	Tokens     int64     `json:"tokens"`
	// CostUSD sums the priced calls; UnpricedCalls counts model calls whose
	// cost is unknown (a model the price table does not have).
	CostUSD       float64  `json:"cost_usd"`
	UnpricedCalls int      `json:"unpriced_calls"`
	Session       string   `json:"session_id,omitempty"`
	User          string   `json:"user_id,omitempty"`
	Tags          []string `json:"tags"`
	// Kept is why the sampler kept the trace (genai, error, slow, sampled,
	// unsure), sampled_out when no destination got it, undecided while it
	// waits.
	Kept string `json:"kept"`
	// GenAI is set when a span of the trace is GenAI work (a model call,
	// an embedding, a tool, an agent): what Langfuse's default export
	// (LANGFUSE_EXPORT=llm) sends.
	GenAI bool `json:"genai"`
}

func summarize(spans []*storedSpan) traceSummary {
	s := traceSummary{Spans: len(spans), Status: "ok", Models: []string{}, Tags: []string{}}
	if len(spans) == 0 {
		return s
	}
	s.TraceID = spans[0].traceID.String()
	if st := spans[0].state; st != nil {
		s.Kept = export.KeepReason(st.kept.Load()).String()
	}
	start, end := spans[0].start, spans[0].end
	root := roots(spans)[0]
	s.Name, s.Service = cmp.Or(root.trace.Name, root.name), root.service
	for _, sp := range spans {
		start, end = minTime(start, sp.start), maxTime(end, sp.end)
		if sp.status == codes.Error {
			s.Errors++
		}
		f := &sp.facts
		s.GenAI = s.GenAI || isGenAI(sp)
		s.Tokens += f.Usage.Input + f.Usage.Output
		switch {
		case f.HasCost:
			s.CostUSD += f.Cost.Total()
		case f.HasUsage && f.IsModelCall():
			s.UnpricedCalls++
		}
		if m := modelName(f); m != "" && f.IsModelCall() && !slices.Contains(s.Models, m) {
			s.Models = append(s.Models, m)
		}
		s.Session = cmp.Or(s.Session, sp.trace.SessionID, f.Conversation)
		s.User = cmp.Or(s.User, sp.trace.UserID)
		for _, t := range sp.trace.Tags {
			if !slices.Contains(s.Tags, t) {
				s.Tags = append(s.Tags, t)
			}
		}
	}
	if s.Errors > 0 {
		s.Status = "error"
	}
	s.Start, s.DurationMS = start, ms(end.Sub(start))
	return s
}

// isGenAI reports whether sp is GenAI work, or its trace is known to have
// some, as the pipeline (and so the Langfuse gate) decided it.
func isGenAI(sp *storedSpan) bool {
	f := &sp.facts
	return f.Operation != "" || modelName(f) != "" || f.ToolName != "" || f.AgentName != "" || sp.src.Trace.HasGenAI()
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

func childrenOf(spans []*storedSpan) map[trace.SpanID][]*storedSpan {
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

// criticalPath is what the trace's duration waited for, computed as
// Jaeger does: from the root that ends last, the child that finishes last
// before the current point is followed down; where a span has no such
// child, its own time back to its start is critical and the walk returns
// to its parent, looking for the child that finished before this one
// started. Children are clipped to their parent. It returns each span's
// critical time.
func criticalPath(spans []*storedSpan) map[trace.SpanID]time.Duration {
	out := map[trace.SpanID]time.Duration{}
	rs := roots(spans)
	if len(rs) == 0 {
		return out
	}
	root := rs[0]
	for _, r := range rs {
		if r.end.After(root.end) {
			root = r
		}
	}
	byID := map[trace.SpanID]*storedSpan{}
	for _, sp := range spans {
		byID[sp.spanID] = sp
	}
	kids := childrenOf(spans)
	cur, until := root, root.end
	for steps := 0; cur != nil && steps < 4*len(spans)+4; steps++ {
		if c := lastFinishingChild(cur, kids[cur.spanID], until); c != nil {
			cEnd := minTime(c.end, cur.end)
			out[cur.spanID] += until.Sub(cEnd)
			cur, until = c, cEnd
			continue
		}
		out[cur.spanID] += until.Sub(cur.start)
		if cur == root {
			break
		}
		parent := byID[cur.parentID]
		cur, until = parent, maxTime(cur.start, parent.start)
	}
	for id, d := range out {
		if d <= 0 {
			delete(out, id) // a zero-length stretch is not on the path
		}
	}
	return out
}

// lastFinishingChild is the child of parent that, clipped to it, ends last
// before until; nil when there is none.
func lastFinishingChild(parent *storedSpan, kids []*storedSpan, until time.Time) *storedSpan {
	var best *storedSpan
	var bestEnd time.Time
	for _, k := range kids {
		if !k.start.Before(parent.end) {
			continue // starts after its parent ended: not what the parent waited for
		}
		end := minTime(k.end, parent.end)
		if end.After(until) || (end.Equal(until) && !k.start.Before(until)) {
			continue
		}
		if best == nil || end.After(bestEnd) {
			best, bestEnd = k, end
		}
	}
	return best
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

// traceModels totals a trace's model calls per model.
func traceModels(spans []*storedSpan) []modelTotals {
	byModel := map[string]*modelTotals{}
	for _, sp := range spans {
		f := &sp.facts
		if !f.IsModelCall() || modelName(f) == "" {
			continue
		}
		m := byModel[modelName(f)]
		if m == nil {
			m = &modelTotals{Model: modelName(f)}
			byModel[m.Model] = m
		}
		m.add(f)
	}
	out := []modelTotals{}
	for _, m := range byModel {
		out = append(out, *m)
	}
	slices.SortFunc(out, func(x, y modelTotals) int { return cmp.Compare(x.Model, y.Model) })
	return out
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

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return units.MS(d) }

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
