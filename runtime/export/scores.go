package export

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// Reasons a score is dropped. Those before any destination saw it are
// counted in PipelineStats.Scores; a destination's in its own Scores
// stats, with the delivery reasons spans have (no_spool, spool_full, ...).
const (
	DropScoreNoRuntime     = scores.DropNoRuntime // genai.Score with no runtime configured (or after it shut down)
	DropScoreInvalid       = scores.DropInvalid   // no name, or a value that is not a number, a bool or a string
	DropScoreNoTrace       = scores.DropNoTrace   // no span in the context and no trace given
	DropScoreNoDestination = "no_destination"     // no destination takes scores (the console alone)
	DropScoreQueueFull     = "queue_full"         // the hand-off to the destinations was full
)

// scoreInboxMaxBytes bounds the scores waiting to be handed to the
// destinations (about 5,000 of them): the hand-off takes them within a
// moment, unless its goroutine is starved.
const scoreInboxMaxBytes = 1 << 20

// ScoreStats counts the evaluations genai.Score handed over:
// Accepted = Dispatched + Pending; Dropped counts those given up before
// any destination saw them, by reason (no_runtime and the caller's mistakes,
// invalid and no_trace, count for the whole process). What became of
// them at each destination is in its DestinationStats.Scores.
type ScoreStats struct {
	Accepted   int64            `json:"accepted"`
	Dispatched int64            `json:"dispatched"`
	Pending    int              `json:"pending"`
	Dropped    map[string]int64 `json:"dropped"`
}

// scoreTaker is a consumer that takes scores: a destination with a
// scores channel.
type scoreTaker interface {
	takesScores() bool
	takeScores([]scores.Score)
}

// scoreHub takes scores from genai.Score on the caller's goroutine
// (appending them, bounded in bytes) and hands them to the destinations
// that take them from a goroutine of its own, where they are encoded and
// queued or spooled: the caller never waits on the disk.
type scoreHub struct {
	log    *slog.Logger
	takers []scoreTaker

	mu      sync.Mutex
	pending []scores.Score
	bytes   int64
	closed  bool
	warned  map[string]bool
	dropped map[string]int64
	// warnings wait for the hub's goroutine: the caller's never writes a
	// log line.
	warnings []string

	// handing is held while a batch is handed to the takers: Flush waits
	// for the batch in hand too.
	handing    sync.Mutex
	accepted   atomic.Int64
	dispatched atomic.Int64
	wake       chan struct{}
	stop       chan struct{}
	done       chan struct{}
	stopOnce   sync.Once
	uninstall  func()
}

// newScoreHub starts the hand-off to the consumers that take scores and
// installs it as the process's sink for genai.Score.
func newScoreHub(log *slog.Logger, consumers []Consumer) *scoreHub {
	h := &scoreHub{log: log, warned: map[string]bool{}, dropped: map[string]int64{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	for _, c := range consumers {
		if t, ok := c.(scoreTaker); ok && t.takesScores() {
			h.takers = append(h.takers, t)
		}
	}
	go h.run()
	h.uninstall = scores.Install(h)
	return h
}

// Take queues one score for the destinations. It runs on the caller's
// goroutine: an append under a lock, nothing more.
func (h *scoreHub) Take(sc scores.Score) {
	size := sc.Size()
	h.mu.Lock()
	switch {
	case h.closed:
		h.dropLocked(DropScoreNoRuntime)
	case len(h.takers) == 0:
		h.dropLocked(DropScoreNoDestination)
		h.warnLocked(DropScoreNoDestination, "genaitrace: no destination takes scores (Langfuse, Instana or the OTLP destination, see TELEMETRY_SCORES); genai.Score records nothing")
	case h.bytes+size > scoreInboxMaxBytes:
		h.dropLocked(DropScoreQueueFull)
		h.warnLocked(DropScoreQueueFull, "genaitrace: scores arrive faster than they can be handed to the destinations; the newest are dropped and counted (queue_full)")
	default:
		h.pending = append(h.pending, sc)
		h.bytes += size
		h.accepted.Add(1)
	}
	h.mu.Unlock()
	h.signal()
}

// Dropped explains, once per reason, a score genai.Score dropped.
func (h *scoreHub) Dropped(reason, why string) {
	h.mu.Lock()
	h.warnLocked(reason, "genaitrace: "+why)
	h.mu.Unlock()
	h.signal()
}

func (h *scoreHub) signal() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// dropLocked counts a score accepted and then dropped here.
func (h *scoreHub) dropLocked(reason string) { h.dropped[reason]++ }

func (h *scoreHub) warnLocked(reason, msg string) {
	if !h.warned[reason] {
		h.warned[reason] = true
		h.warnings = append(h.warnings, msg)
	}
}

func (h *scoreHub) run() {
	defer close(h.done)
	for {
		select {
		case <-h.wake:
			h.handOut()
		case <-h.stop:
			return
		}
	}
}

// handOut gives every taker the scores pending.
func (h *scoreHub) handOut() {
	h.handing.Lock()
	defer h.handing.Unlock()
	h.mu.Lock()
	batch, warnings := h.pending, h.warnings
	h.pending, h.bytes, h.warnings = nil, 0, nil
	h.mu.Unlock()
	for _, w := range warnings {
		h.log.Warn(w)
	}
	if len(batch) == 0 {
		return
	}
	for _, t := range h.takers {
		t.takeScores(batch)
	}
	h.dispatched.Add(int64(len(batch)))
}

// flush hands out what is pending now and waits for a hand-out under
// way: the destinations' Flush then covers every score taken so far.
func (h *scoreHub) flush() { h.handOut() }

// shutdown stops taking scores (later ones are dropped as no_runtime)
// and hands out the last ones; the destinations' Shutdown follows.
func (h *scoreHub) shutdown() {
	h.stopOnce.Do(func() {
		h.uninstall()
		h.mu.Lock()
		h.closed = true
		h.mu.Unlock()
		close(h.stop)
	})
	<-h.done
	h.handOut()
}

// stats snapshots the hub's counters, with the drops genai.Score made
// before handing a score over (for the whole process).
func (h *scoreHub) stats() ScoreStats {
	st := ScoreStats{Accepted: h.accepted.Load(), Dispatched: h.dispatched.Load(), Dropped: scores.Dropped()}
	h.mu.Lock()
	st.Pending = len(h.pending)
	for k, v := range h.dropped {
		st.Dropped[k] += v
	}
	h.mu.Unlock()
	return st
}
