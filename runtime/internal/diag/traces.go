package diag

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/internal/hooks"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// traceQuery is the parsed query of /exported_traces.
type traceQuery struct {
	service, status, model, session string
	genai                           *bool // nil: every trace
	minDuration                     time.Duration
	limit                           int
	before                          string
}

func parseTraceQuery(q url.Values) (traceQuery, error) {
	tq := traceQuery{service: q.Get("service"), status: q.Get("status"), model: q.Get("model"), session: q.Get("session")}
	for key := range q {
		switch key {
		case "service", "status", "model", "session", "genai", "min_duration", "limit", "before":
		default:
			return tq, fmt.Errorf("unknown parameter %q; want service, status, model, session, genai, min_duration, limit or before", key)
		}
	}
	switch v := q.Get("genai"); v {
	case "":
	case "true", "false":
		b := v == "true"
		tq.genai = &b
	default:
		return tq, fmt.Errorf("genai=%q: want true (traces with GenAI work) or false (traces without)", v)
	}
	if tq.status != "" && tq.status != "ok" && tq.status != "error" {
		return tq, fmt.Errorf("status=%q: want ok or error", tq.status)
	}
	if v := q.Get("min_duration"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return tq, fmt.Errorf("min_duration=%q: want a duration such as 250ms or 2s", v)
		}
		tq.minDuration = d
	}
	var err error
	if tq.limit, err = intParam(q, "limit", 50, 1, 500); err != nil {
		return tq, err
	}
	if v := q.Get("before"); v != "" {
		nanos, tid, ok := strings.Cut(v, ".")
		if _, err := strconv.ParseInt(nanos, 10, 64); err != nil || !ok || len(tid) != 32 {
			return tq, fmt.Errorf("before=%q: want the next_before of a previous page", v)
		}
		tq.before = v
	}
	return tq, nil
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s=%q: want an integer from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

func (q traceQuery) match(s traceSummary) bool {
	switch {
	case q.service != "" && s.Service != q.service,
		q.status != "" && s.Status != q.status,
		q.session != "" && s.Session != q.session,
		q.minDuration > 0 && s.DurationMS < ms(q.minDuration),
		q.genai != nil && s.GenAI != *q.genai,
		q.model != "" && !slices.Contains(s.Models, q.model):
		return false
	}
	return true
}

// tracePage is one page of the listing: newest first, by the trace's
// start time (trace ID breaking ties, so the order is stable); NextBefore,
// when set, is the cursor of the page after it.
type tracePage struct {
	Traces     []traceSummary `json:"traces"`
	Matching   int            `json:"matching"`
	Limit      int            `json:"limit"`
	NextBefore string         `json:"next_before,omitempty"`
}

// cursor is a trace's place in the listing's order.
func cursor(s traceSummary) string {
	return strconv.FormatInt(s.Start.UnixNano(), 10) + "." + s.TraceID
}

// newer orders a before b in the listing.
func newer(a, b traceSummary) int {
	return cmp.Or(b.Start.Compare(a.Start), strings.Compare(b.TraceID, a.TraceID))
}

func (h *handler) recentTraces(q traceQuery) tracePage {
	p := tracePage{Traces: []traceSummary{}, Limit: q.limit}
	var all []traceSummary
	for _, t := range h.store.list(0) {
		if s := summarize(t.spans); q.match(s) {
			s.Cursor = cursor(s)
			all = append(all, s)
		}
	}
	slices.SortFunc(all, newer)
	p.Matching = len(all)
	for _, s := range all {
		if q.before != "" && !afterCursor(s, q.before) {
			continue
		}
		if len(p.Traces) == q.limit {
			p.NextBefore = p.Traces[len(p.Traces)-1].Cursor
			break
		}
		p.Traces = append(p.Traces, s)
	}
	return p
}

// afterCursor reports whether s comes after the cursor in the listing.
func afterCursor(s traceSummary, c string) bool {
	nanos, tid, _ := strings.Cut(c, ".")
	n, _ := strconv.ParseInt(nanos, 10, 64)
	return newer(traceSummary{Start: time.Unix(0, n), TraceID: tid}, s) < 0
}

func (h *handler) traces(w http.ResponseWriter, r *http.Request) {
	q, err := parseTraceQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, h.recentTraces(q))
}

// lookup parses the {trace_id} path value and finds the trace, answering
// 400 or 404 itself.
func (h *handler) lookup(w http.ResponseWriter, r *http.Request) (trace.TraceID, []*storedSpan, bool) {
	raw := r.PathValue("trace_id")
	tid, err := trace.TraceIDFromHex(strings.ToLower(raw))
	if err != nil {
		writeError(w, http.StatusBadRequest, "trace id %q is malformed; want 32 hex digits, not all zero", raw)
		return tid, nil, false
	}
	spans, ok := h.store.get(tid)
	if !ok {
		writeError(w, http.StatusNotFound, "trace %s is not among the recent traces (the store keeps the last %d MiB)", tid, h.store.maxBytes>>20)
		return tid, nil, false
	}
	return tid, spans, true
}

// traceDetail is /traces/{trace_id}: the trace's summary, its spans in
// tree order with everything known of each, its models and errors.
type traceDetail struct {
	TraceID      string         `json:"trace_id"`
	Summary      traceSummary   `json:"summary"`
	Spans        []spanView     `json:"spans"`
	CriticalPath []string       `json:"critical_path"`
	Models       []modelTotals  `json:"models"`
	Errors       []spanError    `json:"errors"`
	Content      bool           `json:"content_shown"`
	Trace        map[string]any `json:"trace_attributes"`
	// Delivery says, per destination, what became of the trace as far as
	// genaitrace knows it per trace.
	Delivery []deliveryView `json:"delivery"`
}

// deliveryView is one destination's part of a trace: delivered (at At),
// spooled (waiting on disk since At), set_aside or dropped (the reason),
// filtered (a destination that takes only traces with GenAI work, and
// this one has none), sampled_out, shed, waiting (for its trace's
// decision) or in_memory (on its way).
type deliveryView struct {
	Name   string     `json:"name"`
	State  string     `json:"state"`
	Reason string     `json:"reason"`
	At     *time.Time `json:"at"`
}

// delivery is what became of the trace at each destination: the last
// outcome its senders told, else what the sampler decided of it.
func delivery(st Status, s traceSummary, state *traceState, shed bool) []deliveryView {
	out := []deliveryView{}
	for _, d := range st.Destinations {
		v := deliveryView{Name: d.Name}
		rec, ok := outcomeRecord{}, false
		if state != nil {
			rec, ok = state.outcome(d.Name)
		}
		setting, genaiOnly := st.GenAIOnly[d.Name]
		switch {
		case ok:
			v.State, v.At = rec.outcome.String(), &rec.at
			v.Reason = outcomeReason(rec, d)
		case s.Kept == export.SampledOut.String():
			v.State = "sampled_out"
			v.Reason = "not sent: a plain trace outside the share kept (TELEMETRY_SAMPLE_RATE); traces with what TELEMETRY_SAMPLE_KEEP names are always sent"
		case genaiOnly && (s.Kept == export.KeptSampled.String() || (!s.GenAI && s.Kept != export.KeptError.String() && s.Kept != export.KeptSlow.String())):
			v.State = "filtered"
			v.Reason = "not sent: the trace has no GenAI span, and " + setting + " sends only traces with GenAI work"
		case shed:
			v.State = "shed"
			v.Reason = "spans of this trace were shed for memory before any was sent: the budget (TELEMETRY_MEMORY_MAX_BYTES) was full"
		case s.Kept == export.KeptUndecided.String():
			v.State = "waiting"
			v.Reason = "held until its trace is decided (its root ends, or it holds a GenAI span or an error): at most 30 s"
		default:
			v.State = "in_memory"
			v.Reason = "on its way: waiting to be encoded or sent"
		}
		if ok && shed {
			v.Reason += "; some of its spans were shed for memory (TELEMETRY_MEMORY_MAX_BYTES)"
		}
		out = append(out, v)
	}
	return out
}

// outcomeReason says an outcome in words, with what to check.
func outcomeReason(rec outcomeRecord, d export.DestinationStats) string {
	switch rec.outcome {
	case hooks.Delivered:
		return "the destination took it"
	case hooks.Spooled:
		return "waiting on disk (" + d.Settings.SpoolDir + "): the destination could not take it then; it is sent when it can"
	case hooks.SetAside:
		return "the destination rejected it (" + rec.reason + "); kept apart: replay or discard it on the overview"
	}
	return "lost: " + rec.reason
}

func (h *handler) detail(tid trace.TraceID, spans []*storedSpan) traceDetail {
	d := traceDetail{TraceID: tid.String(), Summary: summarize(spans), Spans: []spanView{}, CriticalPath: []string{},
		Models: traceModels(spans), Errors: []spanError{}, Content: h.store.content}
	crit := criticalPath(spans)
	kids := childrenOf(spans)
	origin := d.Summary.Start
	st := h.src.Status()
	var walk func(sp *storedSpan, depth int)
	walk = func(sp *storedSpan, depth int) {
		v := h.viewSpan(sp, st, kids[sp.spanID], origin, depth)
		v.CriticalMS = ms(crit[sp.spanID])
		if v.CriticalMS > 0 {
			d.CriticalPath = append(d.CriticalPath, v.SpanID)
		}
		d.Spans = append(d.Spans, v)
		for _, k := range kids[sp.spanID] {
			walk(k, depth+1)
		}
	}
	for _, r := range roots(spans) {
		walk(r, 0)
	}
	for _, sp := range spans {
		if sp.status == codes.Error {
			d.Errors = append(d.Errors, spanError{SpanID: sp.spanID.String(), Name: sp.name, ErrorType: sp.facts.ErrorType, Message: sp.statusMessage})
		}
	}
	md := map[string]string{}
	for _, sp := range spans {
		maps.Copy(md, sp.trace.Metadata)
	}
	d.Trace = map[string]any{"name": d.Summary.Name, "session_id": d.Summary.Session, "user_id": d.Summary.User,
		"tags": d.Summary.Tags, "metadata": md}
	d.Delivery = delivery(st, d.Summary, spans[0].state, h.src.Shed(tid))
	return d
}

func (h *handler) viewSpan(sp *storedSpan, st Status, kids []*storedSpan, origin time.Time, depth int) spanView {
	v := spanView{
		SpanID: sp.spanID.String(), RemoteParent: sp.remoteParent, Name: sp.name, Kind: sp.kind.String(), Service: sp.service,
		Start: sp.start, End: sp.end, OffsetMS: ms(sp.start.Sub(origin)), DurationMS: ms(sp.end.Sub(sp.start)),
		SelfMS: ms(selfTime(sp, kids)), Depth: depth, Status: statusName(sp.status), StatusMessage: sp.statusMessage,
		Attributes: attrMap(sp.attrs), Events: []eventView{}, Destinations: map[string]map[string]any{},
		Dialect: sp.src.Dialects(),
	}
	if sp.parentID.IsValid() {
		v.ParentSpanID = sp.parentID.String()
	}
	for _, e := range sp.events {
		v.Events = append(v.Events, eventView{Name: e.name, Time: e.time, Attributes: attrMap(e.attrs)})
	}
	if f := &sp.facts; f.Operation != "" || modelName(f) != "" || f.ToolName != "" || f.AgentName != "" {
		fv := &factsView{Operation: f.Operation, Provider: f.Provider, RequestModel: f.RequestModel, ResponseModel: f.ResponseModel,
			Tool: f.ToolName, Agent: f.AgentName, InputTokens: f.Usage.Input, OutputTokens: f.Usage.Output,
			CacheRead: f.Usage.CacheRead, Reasoning: f.Usage.Reasoning, CostUSD: f.Cost.Total(), Priced: f.HasCost || !f.HasUsage,
			FinishReasons: []string{}, TimeToFirstMS: ms(f.TimeToFirstChunk), Streaming: f.Streaming, ErrorType: f.ErrorType}
		for _, kv := range sp.attrs {
			switch string(kv.Key) {
			case "gen_ai.response.finish_reasons":
				fv.FinishReasons = kv.Value.AsStringSlice()
			case "gen_ai.input.messages", "gen_ai.output.messages":
				fv.ContentRecorded = true
			}
		}
		v.GenAI = fv
	}
	for _, d := range st.Destinations {
		v.Destinations[d.Name] = attrMap(h.store.filter(h.src.Sent(d.Name, &sp.src)))
	}
	return v
}

func (h *handler) trace(w http.ResponseWriter, r *http.Request) {
	tid, spans, ok := h.lookup(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, h.detail(tid, spans))
}

// analysis is /trace_analyzer's answer: the span tree with self and
// critical times.
type analysis struct {
	TraceID      string        `json:"trace_id"`
	Summary      traceSummary  `json:"summary"`
	Tree         []*treeNode   `json:"tree"`
	CriticalPath []string      `json:"critical_path"`
	Models       []modelTotals `json:"models"`
	Errors       []spanError   `json:"errors"`
}

func (h *handler) analyzer(w http.ResponseWriter, r *http.Request) {
	tid, spans, ok := h.lookup(w, r)
	if !ok {
		return
	}
	d := h.detail(tid, spans)
	a := analysis{TraceID: d.TraceID, Summary: d.Summary, CriticalPath: d.CriticalPath, Models: d.Models, Errors: d.Errors, Tree: []*treeNode{}}
	nodes := map[string]*treeNode{}
	for _, v := range d.Spans {
		n := &treeNode{SpanID: v.SpanID, Name: v.Name, OffsetMS: v.OffsetMS, DurationMS: v.DurationMS, SelfMS: v.SelfMS,
			CriticalMS: v.CriticalMS, Status: v.Status, Children: []*treeNode{}}
		if g := v.GenAI; g != nil {
			n.Operation, n.Model, n.InputTokens, n.OutputTokens, n.CostUSD = g.Operation, cmp.Or(g.RequestModel, g.ResponseModel), g.InputTokens, g.OutputTokens, g.CostUSD
		}
		nodes[v.SpanID] = n
		if p := nodes[v.ParentSpanID]; p != nil {
			p.Children = append(p.Children, n)
		} else {
			a.Tree = append(a.Tree, n)
		}
	}
	writeJSON(w, http.StatusOK, a)
}

// sessionView is one session of /sessions: its traces' totals.
type sessionView struct {
	SessionID     string    `json:"session_id"`
	Traces        int       `json:"trace_count"`
	Spans         int       `json:"span_count"`
	Errors        int       `json:"error_count"`
	Tokens        int64     `json:"tokens"`
	CostUSD       float64   `json:"cost_usd"`
	UnpricedCalls int       `json:"unpriced_calls"`
	Users         []string  `json:"users"`
	First         time.Time `json:"first"`
	Last          time.Time `json:"last"`
	TraceIDs      []string  `json:"trace_ids"`
}

// sessions groups the stored traces by session, the latest session first.
func (h *handler) sessions(w http.ResponseWriter, r *http.Request) {
	for key := range r.URL.Query() {
		writeError(w, http.StatusBadRequest, "unknown parameter %q; /sessions takes none (a session's traces: /exported_traces?session=ID)", key)
		return
	}
	by := map[string]*sessionView{}
	for _, t := range h.store.list(0) { // newest first
		s := summarize(t.spans)
		if s.Session == "" {
			continue
		}
		v := by[s.Session]
		if v == nil {
			v = &sessionView{SessionID: s.Session, Users: []string{}, First: s.Start, Last: s.Start, TraceIDs: []string{}}
			by[s.Session] = v
		}
		v.Traces++
		v.Spans += s.Spans
		v.Errors += s.Errors
		v.Tokens += s.Tokens
		v.CostUSD += s.CostUSD
		v.UnpricedCalls += s.UnpricedCalls
		v.First, v.Last = minTime(v.First, s.Start), maxTime(v.Last, s.Start)
		v.TraceIDs = append(v.TraceIDs, s.TraceID)
		if s.User != "" && !slices.Contains(v.Users, s.User) {
			v.Users = append(v.Users, s.User)
		}
	}
	out := make([]sessionView, 0, len(by))
	for _, v := range by {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b sessionView) int {
		return cmp.Or(b.Last.Compare(a.Last), cmp.Compare(a.SessionID, b.SessionID))
	})
	writeJSON(w, http.StatusOK, map[string]any{"sessions": out})
}

func (h *handler) models(w http.ResponseWriter, r *http.Request) {
	window := time.Hour
	if v := r.URL.Query().Get("window"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > ledgerSpan {
			writeError(w, http.StatusBadRequest, "window=%q: want a duration up to 24h, such as 15m or 1h", v)
			return
		}
		window = d
	}
	models := h.ledger.totals(window, time.Now())
	var total modelTotals
	for i := range models {
		total.merge(&models[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"window_ms": ms(window), "models": models,
		"totals": map[string]any{"calls": total.Calls, "error_count": total.Errors, "tokens": total.InputTokens + total.OutputTokens,
			"cost_usd": total.CostUSD, "unpriced_calls": total.Unpriced}})
}
