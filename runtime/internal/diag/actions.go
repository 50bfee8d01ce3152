package diag

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
)

// flush exports what was ended so far and reports each destination's
// counts before and after.
func (h *handler) flush(w http.ResponseWriter, r *http.Request) {
	before := map[string]int64{}
	for _, d := range h.src.Status().Destinations {
		before[d.Name] = d.Exported
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	err := h.src.Flush(ctx)
	type flushed struct {
		Name              string `json:"name"`
		ExportedBefore    int64  `json:"exported_before"`
		ExportedAfter     int64  `json:"exported_after"`
		QueueBatches      int    `json:"queue_batches"`
		SpoolPendingSpans int64  `json:"spool_pending_spans"`
	}
	out := []flushed{}
	for _, st := range h.src.Status().Destinations {
		f := flushed{Name: st.Name, ExportedBefore: before[st.Name], ExportedAfter: st.Exported, QueueBatches: st.QueueBatches}
		if st.Spool != nil {
			f.SpoolPendingSpans = st.Spool.PendingSpans
		}
		out = append(out, f)
	}
	resp := map[string]any{"flushed": err == nil, "destinations": out}
	if err != nil {
		resp["message"] = err.Error()
	}
	writeJSON(w, http.StatusOK, resp)
}

// known answers 404 naming the destinations when name is not one.
func (h *handler) known(w http.ResponseWriter, name string) bool {
	names := []string{}
	for _, d := range h.src.Status().Destinations {
		names = append(names, d.Name)
	}
	if slices.Contains(names, name) {
		return true
	}
	writeError(w, http.StatusNotFound, "no destination %q (destinations: %s)", name, strings.Join(names, ", "))
	return false
}

func (h *handler) reset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("destination")
	if !h.known(w, name) {
		return
	}
	st, err := h.src.ResetBreaker(name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "breaker": viewBreaker(st)})
}

// setAside replays or discards a destination's set-aside batches
// (spooled for another endpoint or other credentials).
func (h *handler) setAside(w http.ResponseWriter, r *http.Request) {
	name, action := r.PathValue("destination"), r.PathValue("action")
	if !h.known(w, name) {
		return
	}
	if action != "replay" && action != "discard" {
		writeError(w, http.StatusNotFound, "no action %q; use replay or discard", action)
		return
	}
	n, err := h.src.SetAside(name, action == "replay")
	if err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	key := map[string]string{"replay": "replaying_spans", "discard": "discarded_spans"}[action]
	writeJSON(w, http.StatusOK, map[string]any{"name": name, key: n})
}
