// Package scoring delivers evaluations (genai.Score): the hub that takes
// them from the caller and hands them to every destination that takes
// scores, and each destination's channel, which encodes them (Langfuse's
// scores API JSON, or the conventions' gen_ai.evaluation.result as OTLP
// log records) into a delivery backlog of their own. It imports nothing
// of runtime/export.
package scoring

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// Reasons the hub drops a score, beside those genai.Score counts before
// (scores.DropNoRuntime, DropInvalid, DropNoTrace).
const (
	DropNoDestination = "no_destination" // no destination takes scores (the console alone)
	DropQueueFull     = "queue_full"     // the hand-off to the destinations was full
)

// inboxMaxBytes bounds the scores waiting to be handed to the
// destinations (about 5,000 of them): the hand-off takes them within a
// moment, unless its goroutine is starved.
const inboxMaxBytes = 1 << 20

// Stats counts the scores the hub took: Accepted = Dispatched + Pending;
// Dropped counts those given up before any destination saw them, by
// reason, with the process's drops by genai.Score.
type Stats struct {
	Accepted   int64
	Dispatched int64
	Pending    int
	Dropped    map[string]int64
}

// Hub takes scores from genai.Score on the caller's goroutine (appending
// them, bounded in bytes) and hands them to the channels from a goroutine
// of its own, where they are encoded and queued or spooled: the caller
// never waits on the disk.
type Hub struct {
	log      *slog.Logger
	channels []*Channel

	mu      sync.Mutex
	pending []scores.Score
	bytes   int64
	closed  bool
	warned  map[string]bool
	dropped map[string]int64
	// warnings wait for the hub's goroutine: the caller's never writes a
	// log line.
	warnings []string

	// handing is held while a batch is handed to the channels: Flush
	// waits for the batch in hand too.
	handing    sync.Mutex
	accepted   atomic.Int64
	dispatched atomic.Int64
	wake       chan struct{}
	stop       chan struct{}
	done       chan struct{}
	stopOnce   sync.Once
	uninstall  func()
}

// NewHub starts the hand-off to channels and installs it as the
// process's sink for genai.Score.
func NewHub(log *slog.Logger, channels []*Channel) *Hub {
	h := &Hub{log: log, channels: channels, warned: map[string]bool{}, dropped: map[string]int64{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go h.run()
	h.uninstall = scores.Install(h)
	return h
}

// Take queues one score for the destinations. It runs on the caller's
// goroutine: an append under a lock, nothing more.
func (h *Hub) Take(sc scores.Score) {
	size := sc.Size()
	h.mu.Lock()
	switch {
	case h.closed:
		h.dropLocked(scores.DropNoRuntime)
	case len(h.channels) == 0:
		h.dropLocked(DropNoDestination)
		h.warnLocked(DropNoDestination, "genaitrace: no destination takes scores (Langfuse, Instana or the OTLP destination, see TELEMETRY_SCORES); genai.Score records nothing")
	case h.bytes+size > inboxMaxBytes:
		h.dropLocked(DropQueueFull)
		h.warnLocked(DropQueueFull, "genaitrace: scores arrive faster than they can be handed to the destinations; the newest are dropped and counted (queue_full)")
	default:
		h.pending = append(h.pending, sc)
		h.bytes += size
		h.accepted.Add(1)
	}
	h.mu.Unlock()
	h.signal()
}

// Dropped explains, once per reason, a score genai.Score dropped.
func (h *Hub) Dropped(reason, why string) {
	h.mu.Lock()
	h.warnLocked(reason, "genaitrace: "+why)
	h.mu.Unlock()
	h.signal()
}

func (h *Hub) signal() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// dropLocked counts a score accepted and then dropped here.
func (h *Hub) dropLocked(reason string) { h.dropped[reason]++ }

func (h *Hub) warnLocked(reason, msg string) {
	if !h.warned[reason] {
		h.warned[reason] = true
		h.warnings = append(h.warnings, msg)
	}
}

func (h *Hub) run() {
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

// handOut gives every channel the scores pending.
func (h *Hub) handOut() {
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
	for _, ch := range h.channels {
		ch.Take(batch)
	}
	h.dispatched.Add(int64(len(batch)))
}

// Flush hands out what is pending now and waits for a hand-out under
// way: the channels' Flush then covers every score taken so far.
func (h *Hub) Flush() { h.handOut() }

// Shutdown stops taking scores (later ones are dropped as no_runtime)
// and hands out the last ones; the channels' Shutdown follows.
func (h *Hub) Shutdown() {
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

// Stats snapshots the hub's counters, with the drops genai.Score made
// before handing a score over (for the whole process).
func (h *Hub) Stats() Stats {
	st := Stats{Accepted: h.accepted.Load(), Dispatched: h.dispatched.Load(), Dropped: scores.Dropped()}
	h.mu.Lock()
	st.Pending = len(h.pending)
	for k, v := range h.dropped {
		st.Dropped[k] += v
	}
	h.mu.Unlock()
	return st
}
