package diag

import (
	"time"

	"github.com/genaitrace/genaitrace/runtime/export"
)

// scoresView is a destination's scores (genai.Score) as /destinations
// shows them: their own delivery, counted in scores.
type scoresView struct {
	Endpoint string `json:"endpoint"`
	// State is ok, failing (errors since the last success), down (their
	// breaker open) or paused (asked to wait with Retry-After).
	State             string           `json:"state"`
	Accepted          int64            `json:"accepted"`
	Exported          int64            `json:"exported"`
	Spooled           int64            `json:"spooled"`
	Replayed          int64            `json:"replayed"`
	SetAside          int64            `json:"set_aside"`
	Dropped           int64            `json:"dropped"`
	DroppedByReason   map[string]int64 `json:"dropped_by_reason"`
	Requests          int64            `json:"requests"`
	FailedRequests    int64            `json:"failed_requests"`
	QueueBytes        int64            `json:"queue_bytes"`
	SpoolPending      int64            `json:"spool_pending"`
	RequestsPerMinute int              `json:"requests_per_minute"`
	LastError         string           `json:"last_error,omitempty"`
	PausedUntil       *time.Time       `json:"paused_until"`
	Breaker           *breakerView     `json:"breaker"`
}

// viewScores is nil for a destination that takes no scores.
func viewScores(st *export.DestinationStats, now time.Time) *scoresView {
	if st == nil {
		return nil
	}
	v := &scoresView{Endpoint: st.Endpoint, Accepted: st.Accepted, Exported: st.Exported, Spooled: st.Spooled, Replayed: st.Replayed,
		SetAside: st.SetAside, Dropped: st.DroppedTotal(), DroppedByReason: orEmpty(st.Dropped), Requests: st.Requests,
		FailedRequests: st.Failures, QueueBytes: st.QueueBytes, RequestsPerMinute: st.Settings.RequestsPerMinute,
		PausedUntil: timePtr(st.PausedUntil), Breaker: viewBreaker(st.Breaker), State: "ok"}
	if st.Spool != nil {
		v.SpoolPending = st.Spool.PendingSpans
	}
	failing := st.LastError != "" && !st.LastSuccess.After(st.LastErrorTime)
	if failing {
		v.LastError = st.LastError
	}
	switch {
	case v.Breaker.State == "open":
		v.State = "down"
	case st.PausedUntil.After(now):
		v.State = "paused"
	case failing:
		v.State = "failing"
	}
	return v
}

// scoreTotals are the scores of /stats: what genai.Score handed over and
// what became of it, over every destination.
type scoreTotals struct {
	Accepted        int64            `json:"accepted"`
	Dispatched      int64            `json:"dispatched"`
	Pending         int              `json:"pending"`
	Exported        int64            `json:"exported"`
	Spooled         int64            `json:"spooled"`
	Dropped         int64            `json:"dropped"`
	DroppedByReason map[string]int64 `json:"dropped_by_reason"`
}

func viewScoreTotals(hub export.ScoreStats, dests []export.DestinationStats) scoreTotals {
	t := scoreTotals{Accepted: hub.Accepted, Dispatched: hub.Dispatched, Pending: hub.Pending, DroppedByReason: map[string]int64{}}
	add := func(m map[string]int64) {
		for reason, n := range m {
			t.DroppedByReason[reason] += n
			t.Dropped += n
		}
	}
	add(hub.Dropped)
	for _, d := range dests {
		if d.Scores != nil {
			t.Exported += d.Scores.Exported
			t.Spooled += d.Scores.Spooled
			add(d.Scores.Dropped)
		}
	}
	return t
}
