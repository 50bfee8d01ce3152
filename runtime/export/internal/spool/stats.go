package spool

import (
	"slices"
	"time"
)

// Stats is a snapshot of a spool. Counts are spans unless named
// otherwise.
type Stats struct {
	Bytes          int64     `json:"bytes"`
	Segments       int       `json:"segments"`
	PendingRecords int       `json:"pending_records"`
	PendingSpans   int64     `json:"pending_spans"`
	OldestPending  time.Time `json:"oldest_pending,omitzero"`
	// SetAside are spans of batches encoded for another destination
	// identity (endpoint or credentials changed), or whose segment header
	// is damaged: kept, counted in PendingSpans, never sent unless asked.
	SetAside []SetAsideStats `json:"set_aside,omitempty"`
	// DroppedSpans counts spans deleted with their segment past the cap.
	DroppedSpans int64 `json:"dropped_spans"`
	// DamagedSpans counts spans lost to disk damage.
	DamagedSpans int64 `json:"damaged_spans"`
	// DamagedStretches counts damaged stretches of segment files whose
	// spans cannot be known (a write torn by a crash, a damaged index).
	DamagedStretches int64 `json:"damaged_stretches"`
	// DiscardedSpans counts set-aside spans an operator discarded.
	DiscardedSpans int64 `json:"discarded_spans"`
	// FoundSpans counts the pending spans found on disk when the spool was
	// opened: left by an earlier process.
	FoundSpans int64 `json:"found_spans"`
	// Directories is the number of spool directories held.
	Directories int `json:"directories"`
}

// SetAsideStats counts the set-aside spans of one destination identity.
type SetAsideStats struct {
	Identity Identity `json:"identity"`
	// Known is false when the segments' headers are damaged: the identity
	// cannot be read.
	Known   bool  `json:"known"`
	Spans   int64 `json:"spans"`
	Records int   `json:"records"`
}

// Stats returns a snapshot.
func (s *diskSpool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Bytes: s.bytes, Segments: len(s.segs), Directories: 1}
	s.addCounts(&st)
	for _, seg := range s.segs {
		recs, spans := seg.pending()
		st.PendingRecords += recs
		st.PendingSpans += spans
		if recs > 0 && (st.OldestPending.IsZero() || seg.recs[0].time < st.OldestPending.UnixNano()) {
			if i := slices.IndexFunc(seg.recs, func(m recMeta) bool { return m.state != recDone }); i >= 0 {
				st.OldestPending = time.Unix(0, seg.recs[i].time)
			}
		}
		if seg.foreign && recs > 0 {
			st.addSetAside(seg.identity, seg.identity.Key != "", recs, spans)
		}
	}
	return st
}

func (s *diskSpool) addCounts(st *Stats) {
	st.DroppedSpans += s.n.dropped
	st.DamagedSpans += s.n.damaged
	st.DamagedStretches += s.n.regions
	st.DiscardedSpans += s.n.discarded
	st.FoundSpans += s.n.found
}

func (st *Stats) addSetAside(id Identity, known bool, records int, spans int64) {
	for i := range st.SetAside {
		if st.SetAside[i].Identity == id {
			st.SetAside[i].Records += records
			st.SetAside[i].Spans += spans
			return
		}
	}
	st.SetAside = append(st.SetAside, SetAsideStats{Identity: id, Known: known, Records: records, Spans: spans})
}
