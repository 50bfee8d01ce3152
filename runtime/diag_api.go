package runtime

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	goruntime "runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export"
)

// DiagnosticsHandler returns genaitrace's diagnostics: JSON endpoints and a
// page at its root, for debugging a missing trace in seconds. It mounts on
// any mux under any prefix:
//
//	mux.Handle("/telemetry/", http.StripPrefix("/telemetry", m.DiagnosticsHandler()))
//
// Endpoints (GET unless noted): /health, /exporters, /circuit_breakers,
// /config, /stats, /spool, /exported_traces, /traces/{trace_id},
// /trace_analyzer/{trace_id}, /models, /version, POST /flush, POST
// /breakers/{destination}/reset and POST
// /spool/{destination}/set_aside/{replay|discard}. With TELEMETRY_DIAGNOSTICS_TOKEN set, every
// endpoint needs it as a bearer token. Prompts and completions are shown
// only with TELEMETRY_DIAGNOSTICS_CONTENT=true.
func (m *Manager) DiagnosticsHandler() http.Handler {
	mux := http.NewServeMux()
	get := func(pattern string, h func(w http.ResponseWriter, r *http.Request)) {
		mux.HandleFunc(pattern, methods(h, http.MethodGet, http.MethodHead))
	}
	post := func(pattern string, h func(w http.ResponseWriter, r *http.Request)) {
		mux.HandleFunc(pattern, methods(requireIntent(h), http.MethodPost))
	}
	get("/{$}", m.servePage)
	mux.Handle("/static/", methods(staticHandler().ServeHTTP, http.MethodGet, http.MethodHead))
	get("/health", m.serveHealth)
	get("/exporters", m.serveExporters)
	get("/circuit_breakers", m.serveBreakers)
	get("/config", m.serveConfig)
	get("/stats", m.serveStats)
	get("/spool", m.serveSpool)
	get("/exported_traces", m.serveTraces)
	get("/traces/{trace_id}", m.serveTrace)
	get("/trace_analyzer/{trace_id}", m.serveAnalyzer)
	get("/models", m.serveModels)
	get("/version", m.serveVersion)
	post("/flush", m.serveFlush)
	post("/breakers/{destination}/reset", m.serveReset)
	post("/spool/{destination}/set_aside/{action}", m.serveSetAside)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint %s; see the page at the handler's root", r.URL.Path)
	})
	return m.authorize(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" {
			r.URL.Path = "/" // mounted with StripPrefix of the prefix and its slash
		}
		defer func() {
			if v := recover(); v != nil { // never take the application down
				m.cfg.Logger.Error("genaitrace: diagnostics handler panic", "panic", fmt.Sprint(v))
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		mux.ServeHTTP(w, r)
	}))
}

func methods(h http.HandlerFunc, allowed ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, m := range allowed {
			if r.Method == m {
				h(w, r)
				return
			}
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, http.StatusMethodNotAllowed, "%s %s: method not allowed; use %s", r.Method, r.URL.Path, strings.Join(allowed, " or "))
	}
}

// intentHeader must accompany POSTs: a cross-site form cannot set it, so a
// page elsewhere cannot make a browser reset a breaker.
const intentHeader = "X-Genaitrace-Diagnostics"

func requireIntent(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(intentHeader) == "" {
			writeError(w, http.StatusForbidden, "POST needs the header %s: 1", intentHeader)
			return
		}
		h(w, r)
	}
}

const tokenCookie = "genaitrace_diagnostics"

// authorize requires the diagnostics token, when one is set, as a bearer
// token or (for the page) a cookie set by visiting it with ?token=.
func (m *Manager) authorize(next http.Handler) http.Handler {
	token := m.cfg.Diagnostics.Token.Value()
	if token == "" {
		return next
	}
	ok := func(s string) bool { return subtle.ConstantTimeCompare([]byte(s), []byte(token)) == 1 }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Get("token"); q != "" && ok(q) && (r.URL.Path == "/" || r.URL.Path == "") {
			http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: token, Path: mountPath(r), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
			http.Redirect(w, r, mountPath(r), http.StatusSeeOther) // drop the token from the address bar
			return
		}
		if auth, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); found && ok(auth) {
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(tokenCookie); err == nil && ok(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="genaitrace diagnostics"`)
		writeError(w, http.StatusUnauthorized, "the diagnostics need the token set in TELEMETRY_DIAGNOSTICS_TOKEN: send Authorization: Bearer <token>, or open the page once with ?token=<token>")
	})
}

// mountPath is the prefix the handler is mounted under, from the request
// URI before StripPrefix.
func mountPath(r *http.Request) string {
	full := r.RequestURI
	if u, err := url.ParseRequestURI(full); err == nil {
		full = u.Path
	}
	if p := strings.TrimSuffix(full, r.URL.Path); p != "" {
		return p + "/"
	}
	return "/"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]any{"error": fmt.Sprintf(format, args...), "status": status})
}

// destinationHealth is one destination's line of /health.
type destinationHealth struct {
	Name    string `json:"name"`
	Healthy bool   `json:"healthy"`
	Reason  string `json:"reason,omitempty"`
	// LastConfirmed is when a delivered trace was last read back (Langfuse
	// with LANGFUSE_VERIFY).
	LastConfirmed time.Time `json:"last_confirmed,omitzero"`
}

// health judges every destination: unhealthy while its breaker is not
// closed, or while traces it accepted do not appear in it (read back).
func (m *Manager) health() (bool, []destinationHealth) {
	all := true
	out := []destinationHealth{}
	for _, st := range m.Destinations() {
		h := destinationHealth{Name: st.Name, Healthy: st.Breaker.State == breaker.Closed}
		if rb := st.ReadBack; rb != nil {
			h.LastConfirmed = rb.LastConfirmed
			if rb.Missing {
				all, h.Healthy = false, false
				h.Reason = fmt.Sprintf("exported traces do not appear in Langfuse: trace %s, delivered and accepted, was not found by its public API since %s; check that the keys are the project's you look at, and the region of the endpoint",
					rb.MissingTrace, rb.MissingSince.UTC().Format(time.RFC3339))
			}
		}
		if st.Breaker.State != breaker.Closed {
			h.Healthy, all = false, false
			h.Reason = fmt.Sprintf("circuit breaker %s since %s", st.Breaker.State, st.Breaker.Since.UTC().Format(time.RFC3339))
			if !st.Breaker.NextProbe.IsZero() {
				h.Reason += fmt.Sprintf("; next probe at %s", st.Breaker.NextProbe.UTC().Format(time.RFC3339))
			}
			if st.LastError != "" {
				h.Reason += "; last error: " + st.LastError
			}
		}
		out = append(out, h)
	}
	if m.console != nil {
		out = append(out, destinationHealth{Name: "console", Healthy: true})
	}
	return all, out
}

func (m *Manager) serveHealth(w http.ResponseWriter, r *http.Request) {
	mode := r.URL.Query().Get("mode")
	if mode != "" && mode != "strict" && mode != "lenient" {
		writeError(w, http.StatusBadRequest, "mode=%q: want strict (503 when a destination is unhealthy) or lenient (always 200)", mode)
		return
	}
	ok, dests := m.health()
	status, code := "ok", http.StatusOK
	if !ok {
		status = "unhealthy"
		if mode != "lenient" {
			code = http.StatusServiceUnavailable
		}
	}
	writeJSON(w, code, map[string]any{"status": status, "mode": orDefault(mode, "strict"), "destinations": dests})
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// exporterView is one destination in /exporters.
type exporterView struct {
	Name        string `json:"name"`
	Endpoint    string `json:"endpoint"`
	Enabled     bool   `json:"enabled"`
	Protocol    string `json:"protocol"`
	Compression string `json:"compression,omitempty"`
	export.DestinationStats
}

func (m *Manager) exporters() []exporterView {
	out := []exporterView{}
	for _, st := range m.Destinations() {
		st.Endpoint = redactURL(st.Endpoint)
		out = append(out, exporterView{Name: st.Name, Endpoint: st.Endpoint, Enabled: true, Protocol: "otlp/http+protobuf", Compression: "gzip", DestinationStats: st})
	}
	if m.console != nil {
		out = append(out, exporterView{Name: "console", Endpoint: "stderr", Enabled: true, Protocol: "console", DestinationStats: export.DestinationStats{Name: "console", Dropped: map[string]int64{}}})
	}
	return out
}

func (m *Manager) serveExporters(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"exporters": m.exporters()})
}

func (m *Manager) serveBreakers(w http.ResponseWriter, _ *http.Request) {
	out := []breaker.Status{}
	for _, d := range m.dests {
		out = append(out, d.Breaker().Status())
	}
	writeJSON(w, http.StatusOK, map[string]any{"circuit_breakers": out})
}

func (m *Manager) serveConfig(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, m.cfg.view())
}

func (m *Manager) serveStats(w http.ResponseWriter, _ *http.Request) {
	now := m.sample()
	accRate, expRate := m.rates.rates(now)
	p := m.pipe.Stats()
	type destStats struct {
		Name           string           `json:"name"`
		Exported       int64            `json:"exported"`
		ExportedPerSec float64          `json:"exported_per_second"`
		Spooled        int64            `json:"spooled"`
		Replayed       int64            `json:"replayed"`
		Retried        int64            `json:"retried_attempts"`
		InFlight       int64            `json:"in_flight_requests"`
		QueueBytes     int64            `json:"queue_bytes"`
		QueueBatches   int              `json:"queue_batches"`
		SpoolBytes     int64            `json:"spool_bytes"`
		SpoolSegments  int              `json:"spool_segments"`
		SpoolPending   int64            `json:"spool_pending_spans"`
		Dropped        map[string]int64 `json:"dropped"`
	}
	var dests []destStats
	totals := map[string]int64{"exported": 0, "spooled": 0, "replayed": 0, "dropped": p.ShedTotal(), "queue_bytes": 0, "spool_bytes": 0}
	dropped := maps.Clone(p.Shed)
	for _, d := range m.dests {
		st := d.Stats()
		ds := destStats{Name: st.Name, Exported: st.Exported, ExportedPerSec: expRate[st.Name], Spooled: st.Spooled, Replayed: st.Replayed,
			Retried: st.Retried, InFlight: st.InFlight, QueueBytes: st.QueueBytes, QueueBatches: st.QueueBatches, Dropped: st.Dropped}
		if st.Spool != nil {
			ds.SpoolBytes, ds.SpoolSegments, ds.SpoolPending = st.Spool.Bytes, st.Spool.Segments, st.Spool.PendingSpans
		}
		dests = append(dests, ds)
		totals["exported"] += st.Exported
		totals["spooled"] += st.Spooled
		totals["replayed"] += st.Replayed
		totals["queue_bytes"] += st.QueueBytes
		totals["spool_bytes"] += ds.SpoolBytes
		for reason, n := range st.Dropped {
			dropped[reason] += n
			totals["dropped"] += n
		}
	}

	writeJSON(w, http.StatusOK, map[string]any{
		"uptime_seconds":      time.Since(m.started).Seconds(),
		"accepted":            p.Accepted,
		"accepted_per_second": accRate,
		"pending":             p.Pending,
		"memory":              map[string]any{"bytes": p.MemoryBytes, "live_max_bytes": p.LiveMaxBytes, "max_bytes": p.MemoryMaxBytes, "pending_bytes": p.PendingBytes},
		"totals":              totals,
		"dropped_by_reason":   dropped,
		"destinations":        dests,
		"diagnostics_store":   m.store.stats(),
		"metrics":             m.metricStats(),
		"rate_window_seconds": 60,
		"content_shown":       m.store.content,
	})
}

func (m *Manager) serveSpool(w http.ResponseWriter, _ *http.Request) {
	type spoolView struct {
		Destination      string                 `json:"destination"`
		Enabled          bool                   `json:"enabled"`
		Directories      int                    `json:"directories"`
		Segments         int                    `json:"segments"`
		Bytes            int64                  `json:"bytes"`
		PendingRecords   int                    `json:"pending_records"`
		PendingSpans     int64                  `json:"pending_spans"`
		OldestAgeSecond  float64                `json:"oldest_record_age_seconds"`
		SetAside         []export.SetAsideStats `json:"set_aside"`
		FoundSpans       int64                  `json:"found_spans"`
		DroppedSpans     int64                  `json:"dropped_spans"`
		DamagedSpans     int64                  `json:"damaged_spans"`
		DamagedStretches int64                  `json:"damaged_stretches"`
		DiscardedSpans   int64                  `json:"discarded_spans"`
	}
	out := []spoolView{}
	for _, d := range m.dests {
		st := d.Stats()
		v := spoolView{Destination: st.Name, SetAside: []export.SetAsideStats{}}
		if s := st.Spool; s != nil {
			v.Enabled, v.Directories, v.Segments, v.Bytes = true, s.Directories, s.Segments, s.Bytes
			v.PendingRecords, v.PendingSpans, v.FoundSpans = s.PendingRecords, s.PendingSpans, s.FoundSpans
			v.DroppedSpans, v.DamagedSpans, v.DamagedStretches, v.DiscardedSpans = s.DroppedSpans, s.DamagedSpans, s.DamagedStretches, s.DiscardedSpans
			if s.SetAside != nil {
				v.SetAside = s.SetAside
			}
			if !s.OldestPending.IsZero() {
				v.OldestAgeSecond = time.Since(s.OldestPending).Seconds()
			}
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"spools": out})
}

// serveSetAside replays or discards a destination's set-aside batches
// (spooled for another endpoint or other credentials).
func (m *Manager) serveSetAside(w http.ResponseWriter, r *http.Request) {
	d := m.destinationNamed(w, r.PathValue("destination"))
	if d == nil {
		return
	}
	switch action := r.PathValue("action"); action {
	case "replay":
		writeJSON(w, http.StatusOK, map[string]any{"destination": d.Name(), "replaying_spans": d.ReplaySetAside()})
	case "discard":
		writeJSON(w, http.StatusOK, map[string]any{"destination": d.Name(), "discarded_spans": d.DiscardSetAside()})
	default:
		writeError(w, http.StatusNotFound, "no action %q; use replay or discard", action)
	}
}

// traceQuery is the parsed query of /exported_traces.
type traceQuery struct {
	service, status, model string
	minDuration            time.Duration
	limit, offset          int
}

func parseTraceQuery(q url.Values) (traceQuery, error) {
	tq := traceQuery{service: q.Get("service"), status: q.Get("status"), model: q.Get("model"), limit: 50}
	for key := range q {
		switch key {
		case "service", "status", "model", "min_duration", "limit", "offset":
		default:
			return tq, fmt.Errorf("unknown parameter %q; want service, status, model, min_duration, limit or offset", key)
		}
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
	if tq.offset, err = intParam(q, "offset", 0, 0, 1<<30); err != nil {
		return tq, err
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
		q.minDuration > 0 && s.DurationMS < ms(q.minDuration):
		return false
	case q.model != "":
		for _, m := range s.Models {
			if m == q.model {
				return true
			}
		}
		return false
	}
	return true
}

func (m *Manager) recentTraces(q traceQuery) (page []traceSummary, total int) {
	page = []traceSummary{}
	for _, spans := range m.store.list() {
		s := summarize(spans)
		if !q.match(s) {
			continue
		}
		if total >= q.offset && len(page) < q.limit {
			page = append(page, s)
		}
		total++
	}
	return page, total
}

func (m *Manager) serveTraces(w http.ResponseWriter, r *http.Request) {
	q, err := parseTraceQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	page, total := m.recentTraces(q)
	resp := map[string]any{"traces": page, "total": total, "offset": q.offset, "limit": q.limit}
	if q.offset+len(page) < total {
		resp["next_offset"] = q.offset + len(page)
	}
	writeJSON(w, http.StatusOK, resp)
}

// lookupTrace parses the {trace_id} path value and finds the trace,
// answering 400 or 404 itself.
func (m *Manager) lookupTrace(w http.ResponseWriter, r *http.Request) (trace.TraceID, []*storedSpan, bool) {
	raw := r.PathValue("trace_id")
	tid, err := trace.TraceIDFromHex(strings.ToLower(raw))
	if err != nil {
		writeError(w, http.StatusBadRequest, "trace id %q is malformed; want 32 hex digits, not all zero", raw)
		return tid, nil, false
	}
	spans, ok := m.store.snapshot(tid)
	if !ok {
		writeError(w, http.StatusNotFound, "trace %s is not among the recent traces (the store keeps the last %d MiB)", tid, m.store.maxBytes>>20)
		return tid, nil, false
	}
	return tid, spans, true
}

// spanView is one span in /traces/{trace_id}.
type spanView struct {
	SpanID        string                    `json:"span_id"`
	ParentSpanID  string                    `json:"parent_span_id,omitempty"`
	Name          string                    `json:"name"`
	Kind          string                    `json:"kind"`
	Service       string                    `json:"service"`
	Start         time.Time                 `json:"start"`
	End           time.Time                 `json:"end"`
	DurationMS    float64                   `json:"duration_ms"`
	Status        string                    `json:"status"`
	StatusMessage string                    `json:"status_message,omitempty"`
	Operation     string                    `json:"operation,omitempty"`
	Model         string                    `json:"model,omitempty"`
	InputTokens   int64                     `json:"input_tokens,omitempty"`
	OutputTokens  int64                     `json:"output_tokens,omitempty"`
	CostUSD       float64                   `json:"cost_usd,omitempty"`
	Attributes    map[string]any            `json:"attributes"`
	Destinations  map[string]map[string]any `json:"destinations"`
}

func (m *Manager) viewSpan(sp *storedSpan) spanView {
	v := spanView{
		SpanID: sp.spanID.String(), Name: sp.name, Kind: sp.kind.String(), Service: sp.service,
		Start: sp.start, End: sp.end, DurationMS: ms(sp.end.Sub(sp.start)), Status: statusName(sp.status),
		StatusMessage: sp.statusMessage, Operation: sp.facts.Operation, Model: sp.facts.Model(),
		InputTokens: sp.facts.Usage.Input, OutputTokens: sp.facts.Usage.Output, CostUSD: sp.facts.Cost.Total(),
		Attributes: attrMap(sp.attrs), Destinations: map[string]map[string]any{},
	}
	if sp.parentID.IsValid() {
		v.ParentSpanID = sp.parentID.String()
	}
	for _, d := range m.dests {
		v.Destinations[d.Name()] = attrMap(m.store.sent(sp, d))
	}
	return v
}

func attrMap(attrs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(attrs))
	for _, kv := range attrs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

func (m *Manager) serveTrace(w http.ResponseWriter, r *http.Request) {
	tid, spans, ok := m.lookupTrace(w, r)
	if !ok {
		return
	}
	s := summarize(spans)
	views := make([]spanView, len(spans))
	for i, sp := range spans {
		views[i] = m.viewSpan(sp)
	}
	writeJSON(w, http.StatusOK, map[string]any{"trace_id": tid.String(), "summary": s, "spans": views})
}

func (m *Manager) serveAnalyzer(w http.ResponseWriter, r *http.Request) {
	tid, spans, ok := m.lookupTrace(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, analyze(tid, spans))
}

func (m *Manager) serveModels(w http.ResponseWriter, r *http.Request) {
	window := time.Hour
	if v := r.URL.Query().Get("window"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > ledgerSpan {
			writeError(w, http.StatusBadRequest, "window=%q: want a duration up to 24h, such as 15m or 1h", v)
			return
		}
		window = d
	}
	models := m.ledger.totals(window, time.Now())
	var calls int
	var tokens int64
	var cost float64
	for _, mt := range models {
		calls += mt.Calls
		tokens += mt.InputTokens + mt.OutputTokens
		cost += mt.CostUSD
	}
	writeJSON(w, http.StatusOK, map[string]any{"window": window.String(), "models": models,
		"totals": map[string]any{"calls": calls, "tokens": tokens, "cost_usd": cost}})
}

func (m *Manager) serveVersion(w http.ResponseWriter, _ *http.Request) {
	deps := map[string]string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if strings.HasPrefix(d.Path, "go.opentelemetry.io/otel") || strings.HasPrefix(d.Path, "github.com/genaitrace/") {
				deps[d.Path] = d.Version
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"genaitrace": Version, "go": goruntime.Version(), "modules": deps})
}

func (m *Manager) serveFlush(w http.ResponseWriter, r *http.Request) {
	before := map[string]int64{}
	for _, d := range m.dests {
		before[d.Name()] = d.Stats().Exported
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	err := m.Flush(ctx)
	type flushed struct {
		Name           string `json:"name"`
		ExportedBefore int64  `json:"exported_before"`
		ExportedAfter  int64  `json:"exported_after"`
		QueueBatches   int    `json:"queue_batches"`
		SpoolPending   int64  `json:"spool_pending_spans"`
	}
	out := []flushed{}
	for _, d := range m.dests {
		st := d.Stats()
		f := flushed{Name: st.Name, ExportedBefore: before[st.Name], ExportedAfter: st.Exported, QueueBatches: st.QueueBatches}
		if st.Spool != nil {
			f.SpoolPending = st.Spool.PendingSpans
		}
		out = append(out, f)
	}
	resp := map[string]any{"flushed": err == nil, "destinations": out}
	if err != nil {
		resp["error"] = err.Error()
	}
	writeJSON(w, http.StatusOK, resp)
}

func (m *Manager) serveReset(w http.ResponseWriter, r *http.Request) {
	if d := m.destinationNamed(w, r.PathValue("destination")); d != nil {
		d.Breaker().Reset()
		d.Kick()
		writeJSON(w, http.StatusOK, map[string]any{"destination": d.Name(), "breaker": d.Breaker().Status()})
	}
}

// destinationNamed finds a destination, or answers 404 naming those there
// are.
func (m *Manager) destinationNamed(w http.ResponseWriter, name string) *export.Destination {
	names := []string{}
	for _, d := range m.dests {
		if d.Name() == name {
			return d
		}
		names = append(names, d.Name())
	}
	writeError(w, http.StatusNotFound, "no destination %q (destinations: %s)", name, strings.Join(names, ", "))
	return nil
}
