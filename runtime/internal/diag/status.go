package diag

import (
	"fmt"
	"net/http"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export"
)

// destinationView is one destination as /destinations and the page show
// it: what state it is in, in words, and its counters with their units.
type destinationView struct {
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	Kind     string `json:"kind"` // otlp or console
	// State is ok, recovered (an earlier error, then a success), failing
	// (errors since the last success), probing (half-open), down (breaker
	// open), paused (asked to wait with Retry-After) or refused (the
	// credentials were refused: HTTP 401 or 403).
	State              string           `json:"state"`
	Detail             string           `json:"detail,omitempty"`
	Accepted           int64            `json:"accepted"`
	Exported           int64            `json:"exported"`
	Filtered           int64            `json:"filtered"`
	Spooled            int64            `json:"spooled"`
	Replayed           int64            `json:"replayed"`
	SetAside           int64            `json:"set_aside"`
	PossibleDuplicates int64            `json:"possible_duplicates"`
	Deduplicated       int64            `json:"deduplicated"`
	Dropped            int64            `json:"dropped"`
	DroppedByReason    map[string]int64 `json:"dropped_by_reason"`
	Requests           int64            `json:"requests"`
	FailedRequests     int64            `json:"failed_requests"`
	InFlightRequests   int64            `json:"in_flight_requests"`
	SentBytes          int64            `json:"sent_bytes"`
	QueueBytes         int64            `json:"queue_bytes"`
	QueueMaxBytes      int64            `json:"queue_max_bytes"`
	QueueBatches       int              `json:"queue_batches"`
	SpoolBytes         int64            `json:"spool_bytes"`
	SpoolPendingSpans  int64            `json:"spool_pending_spans"`
	LastSuccess        *time.Time       `json:"last_success"`
	LastError          *lastErrorView   `json:"last_error"`
	PausedUntil        *time.Time       `json:"paused_until"`
	Breaker            *breakerView     `json:"breaker"`
	ReadBack           *readBackView    `json:"read_back,omitempty"`
	// Scores is set for a destination that takes evaluations
	// (genai.Score): their own delivery's counters.
	Scores *scoresView `json:"scores,omitempty"`
	// ReplayCheck counts the questions about stored spans put to the
	// destination before replays (Langfuse).
	ReplayCheck *export.ReplayCheckStatus `json:"replay_check,omitempty"`
	// Filter says which spans the destination does not take (Filtered
	// counts them) and the setting that says so.
	Filter string `json:"filter,omitempty"`
	// SpoolEnabled is false when undelivered spans are kept in memory only
	// (the spool is off, or its directory could not be written).
	SpoolEnabled bool `json:"spool_enabled"`
	// SetAsideSpans wait in the spool for an operator: encoded for another
	// endpoint or other credentials, or rejected by the destination.
	// SetAsideActions are the requests that replay them here or discard
	// them.
	SetAsideSpans   int64             `json:"set_aside_spans"`
	SetAsideActions map[string]string `json:"set_aside_actions,omitempty"`
	// credentials and endpointFrom name the variables to check.
	credentials, endpointFrom string
}

// lastErrorView is a destination's last error, dated; Cleared is set once
// a success came after it.
type lastErrorView struct {
	Message string    `json:"message"`
	Time    time.Time `json:"time"`
	// HTTPStatus is 0 when the destination did not answer.
	HTTPStatus int  `json:"http_status"`
	Cleared    bool `json:"cleared"`
	// Refused is set for 401 and 403: the credentials, not the
	// destination, are the problem. Hint says what to check, naming the
	// variable: the credentials' for 401 and 403, the URL's (and the URL
	// posted) for 404 and when the destination does not answer.
	Refused bool   `json:"refused"`
	Hint    string `json:"hint,omitempty"`
}

type breakerView struct {
	State               string     `json:"state"`
	ConsecutiveFailures uint32     `json:"consecutive_failures"`
	TotalFailures       uint64     `json:"total_failures"`
	TotalSuccesses      uint64     `json:"total_successes"`
	Opens               int32      `json:"opens"`
	BackoffMS           float64    `json:"backoff_ms"`
	NextProbe           *time.Time `json:"next_probe"`
	Since               time.Time  `json:"since"`
	FailureThreshold    uint32     `json:"failure_threshold"`
	OpenTimeoutMS       float64    `json:"open_timeout_ms"`
	MaxOpenTimeoutMS    float64    `json:"max_open_timeout_ms"`
}

type readBackView struct {
	LastConfirmed  *time.Time `json:"last_confirmed"`
	ConfirmedTrace string     `json:"confirmed_trace,omitempty"`
	Missing        bool       `json:"missing"`
	MissingTrace   string     `json:"missing_trace,omitempty"`
	MissingSince   *time.Time `json:"missing_since"`
	Checks         int64      `json:"checks"`
	LastCheck      *time.Time `json:"last_check"`
	Error          string     `json:"error,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func viewBreaker(b breaker.Status) *breakerView {
	return &breakerView{State: b.State.String(), ConsecutiveFailures: b.ConsecutiveFailures, TotalFailures: b.TotalFailures,
		TotalSuccesses: b.TotalSuccesses, Opens: b.Opens, BackoffMS: ms(b.Backoff), NextProbe: timePtr(b.NextProbe), Since: b.Since,
		FailureThreshold: b.FailureThreshold, OpenTimeoutMS: ms(b.OpenTimeout), MaxOpenTimeoutMS: ms(b.MaxOpenTimeout)}
}

func viewDestination(st export.DestinationStats, now time.Time) destinationView {
	v := destinationView{Name: st.Name, Endpoint: st.Endpoint, Kind: "otlp", Accepted: st.Accepted, Exported: st.Exported,
		Filtered: st.Filtered, Spooled: st.Spooled, Replayed: st.Replayed, SetAside: st.SetAside,
		PossibleDuplicates: st.PossibleDuplicates, Deduplicated: st.Deduplicated, Dropped: st.DroppedTotal(), DroppedByReason: orEmpty(st.Dropped),
		Requests: st.Requests, FailedRequests: st.Failures, InFlightRequests: st.InFlight, SentBytes: st.SentBytes,
		QueueBytes: st.QueueBytes, QueueMaxBytes: st.Settings.QueueMaxBytes, QueueBatches: st.QueueBatches,
		LastSuccess: timePtr(st.LastSuccess), PausedUntil: timePtr(st.PausedUntil), Breaker: viewBreaker(st.Breaker),
		credentials: orText(st.Settings.Credentials, "its credentials"), endpointFrom: orText(st.Settings.EndpointFrom, "its URL")}
	if st.Spool != nil {
		v.SpoolBytes, v.SpoolPendingSpans, v.SpoolEnabled = st.Spool.Bytes, st.Spool.PendingSpans, true
		for _, a := range st.Spool.SetAside {
			v.SetAsideSpans += a.Spans
		}
		if v.SetAsideSpans > 0 {
			v.SetAsideActions = map[string]string{"replay": "POST spool/" + st.Name + "/set_aside/replay",
				"discard": "POST spool/" + st.Name + "/set_aside/discard"}
		}
	}
	if st.LastError != "" {
		refused := st.LastErrorStatus == http.StatusUnauthorized || st.LastErrorStatus == http.StatusForbidden
		v.LastError = &lastErrorView{Message: st.LastError, Time: st.LastErrorTime, HTTPStatus: st.LastErrorStatus,
			Cleared: st.LastSuccess.After(st.LastErrorTime), Refused: refused, Hint: errorHint(st)}
	}
	if rb := st.ReadBack; rb != nil {
		v.ReadBack = &readBackView{LastConfirmed: timePtr(rb.LastConfirmed), ConfirmedTrace: rb.ConfirmedTrace, Missing: rb.Missing,
			MissingTrace: rb.MissingTrace, MissingSince: timePtr(rb.MissingSince), Checks: rb.Checks, LastCheck: timePtr(rb.LastCheck), Error: rb.LastError}
	}
	v.Scores = viewScores(st.Scores, now)
	v.ReplayCheck = st.ReplayCheck
	v.State, v.Detail = destinationState(v, now)
	return v
}

// errorHint says what to check after the destination's last error,
// naming the variable that sets it.
func errorHint(st export.DestinationStats) string {
	s := st.Settings
	switch code := st.LastErrorStatus; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Sprintf("the destination refused the request (HTTP %d); check %s", code, orText(s.Credentials, "its credentials"))
	case code == http.StatusNotFound:
		return "nothing takes traces at " + st.Endpoint + " (HTTP 404); check " + orText(s.EndpointFrom, "its URL")
	case code == http.StatusTooManyRequests:
		return "the destination limits the rate (HTTP 429); if it persists, lower " + envSampleRate + " or raise its limit"
	case code == 0:
		return "no answer from " + st.Endpoint + "; check that it runs and " + orText(s.EndpointFrom, "its URL")
	case code >= 500:
		return fmt.Sprintf("the destination fails on its side (HTTP %d) at %s, set by %s", code, st.Endpoint, orText(s.EndpointFrom, "its URL"))
	}
	return fmt.Sprintf("the destination rejects the requests (HTTP %d) at %s, set by %s", st.LastErrorStatus, st.Endpoint, orText(s.EndpointFrom, "its URL"))
}

// envSampleRate is the sampling variable, for the advice on rate limits.
const envSampleRate = "TELEMETRY_SAMPLE_RATE"

// destinationState says in a word, and a sentence, how a destination is;
// every state but ok and recovered names what to check. Times are RFC
// 3339, as everywhere in the JSON (the page shows them in its own format).
// The error's text is not repeated: it is last_error's.
func destinationState(v destinationView, now time.Time) (string, string) {
	e := v.LastError
	hint := ""
	if e != nil && !e.Cleared {
		hint = "; " + e.Hint
	}
	switch {
	case e != nil && e.Refused && !e.Cleared:
		return "refused", fmt.Sprintf("since %s: %s; %s once it accepts them", stamp(e.Time), e.Hint, kept(v))
	case v.Breaker.State == "open":
		d := "circuit breaker open since " + stamp(v.Breaker.Since)
		if v.Breaker.NextProbe != nil {
			d += ", next probe at " + stamp(*v.Breaker.NextProbe)
		}
		return "down", d + hint + "; " + kept(v) + " when it answers"
	case v.Breaker.State == "half-open":
		return "probing", "one request is testing whether the destination is back" + hint
	case v.PausedUntil != nil && v.PausedUntil.After(now):
		return "paused", "it asked to wait (Retry-After) until " + stamp(*v.PausedUntil) +
			"; spans wait and are sent then; if it persists, lower " + envSampleRate + " or raise its rate limit"
	case v.ReadBack != nil && v.ReadBack.Missing:
		return "missing", "traces it accepted do not appear in it (trace " + v.ReadBack.MissingTrace + "); check that the keys (" +
			v.credentials + ") belong to the project you look at, and the region of " + v.endpointFrom
	case e != nil && !e.Cleared:
		return "failing", "requests fail since the last success" + hint + "; they are retried, and " + kept(v) + " when it answers"
	case e != nil:
		return "recovered", "last error at " + stamp(e.Time) + ", sent successfully since"
	}
	return "ok", ""
}

// kept says what becomes of undelivered spans, as it is: to the spool, or
// in memory only.
func kept(v destinationView) string {
	if v.SpoolEnabled {
		return "spans go to the spool and are sent"
	}
	return "spans wait in memory only, as many as its queue holds (TELEMETRY_QUEUE_MAX_BYTES; the rest are dropped and counted as no_spool, since the spool is off or its directory not writable: TELEMETRY_SPOOL, TELEMETRY_SPOOL_DIR), and are sent"
}

// stamp writes a time as the JSON does: RFC 3339, UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func orEmpty(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// destinationViews are every destination, the console last.
func (h *handler) destinationViews(st Status) []destinationView {
	now := time.Now()
	out := make([]destinationView, 0, len(st.Destinations)+1)
	for _, d := range st.Destinations {
		v := viewDestination(d, now)
		if setting, ok := st.GenAIOnly[d.Name]; ok {
			v.Filter = "spans of traces without a GenAI span (" + setting + "; all sends every trace)"
		}
		out = append(out, v)
	}
	if c := st.Console; c != nil {
		out = append(out, destinationView{Name: "console", Endpoint: "stderr", Kind: "console", State: "ok",
			Detail: fmt.Sprintf("%d traces printed", c.Traces), Accepted: c.Spans, Exported: c.Spans,
			DroppedByReason: map[string]int64{}})
	}
	return out
}

func (h *handler) destinations(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"destinations": h.destinationViews(h.src.Status())})
}

func (h *handler) breakers(w http.ResponseWriter, _ *http.Request) {
	out := []map[string]any{}
	for _, d := range h.src.Status().Destinations {
		out = append(out, map[string]any{"name": d.Name, "breaker": viewBreaker(d.Breaker)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"breakers": out})
}

// healthView is one destination's line of /health.
type healthView struct {
	Name    string `json:"name"`
	Healthy bool   `json:"healthy"`
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	// LastConfirmed is when a delivered trace was last read back (Langfuse
	// with LANGFUSE_VERIFY).
	LastConfirmed *time.Time `json:"last_confirmed,omitempty"`
	// Notice says what waits for an operator without making the
	// destination unhealthy: set-aside spans, and how to replay or discard
	// them.
	Notice string `json:"notice,omitempty"`
}

// health is healthy while every destination's breaker is closed, its
// credentials accepted and (when read back) its traces visible.
func (h *handler) health(w http.ResponseWriter, r *http.Request) {
	mode := r.URL.Query().Get("mode")
	if mode != "" && mode != "strict" && mode != "lenient" {
		writeError(w, http.StatusBadRequest, "mode=%q: want strict (503 when a destination is unhealthy) or lenient (always 200)", mode)
		return
	}
	all := true
	out := []healthView{}
	for _, d := range h.destinationViews(h.src.Status()) {
		hv := healthView{Name: d.Name, State: d.State, Healthy: true}
		switch d.State {
		case "down", "probing", "refused", "missing":
			hv.Healthy, hv.Reason, all = false, d.Detail, false
			if d.LastError != nil && d.State != "refused" {
				hv.Reason += "; last error: " + d.LastError.Message
			}
		}
		if d.ReadBack != nil {
			hv.LastConfirmed = d.ReadBack.LastConfirmed
		}
		if d.SetAsideSpans > 0 {
			hv.Notice = fmt.Sprintf("%d spans set aside in the spool (encoded for another endpoint or other credentials, or rejected): replay them here with %s, or discard them with %s",
				d.SetAsideSpans, d.SetAsideActions["replay"], d.SetAsideActions["discard"])
		}
		out = append(out, hv)
	}
	status, code := "ok", http.StatusOK
	if !all {
		status = "unhealthy"
		if mode != "lenient" {
			code = http.StatusServiceUnavailable
		}
	}
	writeJSON(w, code, map[string]any{"status": status, "mode": orText(mode, "strict"), "destinations": out})
}

func (h *handler) config(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, h.src.Status().Config)
}

func (h *handler) stats(w http.ResponseWriter, _ *http.Request) {
	st := h.src.Status()
	p := st.Pipeline
	type destinationTotals struct {
		Name              string  `json:"name"`
		Exported          int64   `json:"exported"`
		ExportedPerSecond float64 `json:"exported_per_second"`
		Filtered          int64   `json:"filtered"`
		Spooled           int64   `json:"spooled"`
		Replayed          int64   `json:"replayed"`
		Dropped           int64   `json:"dropped"`
		QueueBytes        int64   `json:"queue_bytes"`
		SpoolBytes        int64   `json:"spool_bytes"`
		SpoolPendingSpans int64   `json:"spool_pending_spans"`
	}
	dests := []destinationTotals{}
	totals := map[string]int64{"exported": 0, "filtered": 0, "spooled": 0, "replayed": 0, "dropped": 0, "queue_bytes": 0, "spool_bytes": 0}
	dropped := map[string]int64{}
	for reason, n := range p.Shed {
		dropped[reason] += n
		totals["dropped"] += n
	}
	for _, d := range st.Destinations {
		t := destinationTotals{Name: d.Name, Exported: d.Exported, ExportedPerSecond: st.ExportedPerSecond[d.Name], Filtered: d.Filtered,
			Spooled: d.Spooled, Replayed: d.Replayed, Dropped: d.DroppedTotal(), QueueBytes: d.QueueBytes}
		if d.Spool != nil {
			t.SpoolBytes, t.SpoolPendingSpans = d.Spool.Bytes, d.Spool.PendingSpans
		}
		dests = append(dests, t)
		totals["exported"] += t.Exported
		totals["filtered"] += t.Filtered
		totals["spooled"] += t.Spooled
		totals["replayed"] += t.Replayed
		totals["queue_bytes"] += t.QueueBytes
		totals["spool_bytes"] += t.SpoolBytes
		for reason, n := range d.Dropped {
			dropped[reason] += n
			totals["dropped"] += n
		}
	}
	metrics := st.Metrics
	if metrics == nil {
		metrics = []export.MetricExportStats{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"uptime_ms":           ms(time.Since(st.Started)),
		"accepted":            p.Accepted,
		"accepted_per_second": st.AcceptedPerSecond,
		"rate_window_ms":      60000,
		"pending":             p.Pending,
		"memory": map[string]any{"bytes": p.MemoryBytes, "live_max_bytes": p.LiveMaxBytes, "max_bytes": p.MemoryMaxBytes,
			"pending_bytes": p.PendingBytes},
		"totals":                totals,
		"dropped_by_reason":     dropped,
		"normalized_by_dialect": p.Dialects,
		"destinations":          dests,
		"scores":                viewScoreTotals(p.Scores, st.Destinations),
		"diagnostics_store":     h.store.stats(),
		"content_shown":         h.store.content,
		"metrics":               metrics,
	})
}

func (h *handler) spool(w http.ResponseWriter, _ *http.Request) {
	type spoolView struct {
		Name             string                 `json:"name"`
		Enabled          bool                   `json:"enabled"`
		Directories      int                    `json:"directories"`
		Segments         int                    `json:"segments"`
		Bytes            int64                  `json:"bytes"`
		PendingRecords   int                    `json:"pending_records"`
		PendingSpans     int64                  `json:"pending_spans"`
		OldestPendingMS  float64                `json:"oldest_pending_age_ms"`
		SetAside         []export.SetAsideStats `json:"set_aside"`
		FoundSpans       int64                  `json:"found_spans"`
		DroppedSpans     int64                  `json:"dropped_spans"`
		DamagedSpans     int64                  `json:"damaged_spans"`
		DamagedStretches int64                  `json:"damaged_stretches"`
		DiscardedSpans   int64                  `json:"discarded_spans"`
	}
	out := []spoolView{}
	for _, st := range h.src.Status().Destinations {
		v := spoolView{Name: st.Name, SetAside: []export.SetAsideStats{}}
		if s := st.Spool; s != nil {
			v.Enabled, v.Directories, v.Segments, v.Bytes = true, s.Directories, s.Segments, s.Bytes
			v.PendingRecords, v.PendingSpans, v.FoundSpans = s.PendingRecords, s.PendingSpans, s.FoundSpans
			v.DroppedSpans, v.DamagedSpans, v.DamagedStretches, v.DiscardedSpans = s.DroppedSpans, s.DamagedSpans, s.DamagedStretches, s.DiscardedSpans
			if s.SetAside != nil {
				v.SetAside = s.SetAside
			}
			if !s.OldestPending.IsZero() {
				v.OldestPendingMS = ms(time.Since(s.OldestPending))
			}
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"spools": out})
}

func (h *handler) version(w http.ResponseWriter, _ *http.Request) {
	deps := map[string]string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if strings.HasPrefix(d.Path, "go.opentelemetry.io/otel") || strings.HasPrefix(d.Path, "github.com/genaitrace/") {
				deps[d.Path] = d.Version
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"genaitrace": h.src.Status().Version, "go": goruntime.Version(), "modules": deps})
}
