package export

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
)

// Reasons a span is dropped. Every dropped span is counted under one.
const (
	DropShedPlain      = "shed_plain"       // the memory budget was full: a span of a trace with no GenAI span
	DropShedGenAITrace = "shed_genai_trace" // the memory budget was full: a plain span of a GenAI trace
	DropShedGenAI      = "shed_genai"       // the memory budget was full even of GenAI and failed spans
	DropAfterShutdown  = "after_shutdown"   // handed to a destination after it shut down
	DropEncoderStalled = "encoder_stalled"  // a destination's encoder was stuck for 5 s (a hung disk): it alone lost the batch
	DropSpoolFull      = "spool_full"       // deleted with the oldest spool segment past the cap
	DropSpoolError     = "spool_error"      // the spool could not be written (disk full, permissions)
	DropSpoolDamaged   = "spool_damaged"    // lost to damage of the spool's files
	DropDiscarded      = "discarded"        // set-aside spans an operator discarded
	DropNoSpool        = "no_spool"         // undeliverable and no spool configured
	DropRejected       = "rejected"         // the destination rejected the batch itself (4xx); set aside
	DropEncode         = "encode_error"
)

// DestinationStats is a snapshot of one destination's counters. Counts are
// spans unless named otherwise.
type DestinationStats struct {
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	Accepted int64  `json:"accepted"`
	Exported int64  `json:"exported"`
	Retried  int64  `json:"retried_attempts"`
	Spooled  int64  `json:"spooled"`
	Replayed int64  `json:"replayed"`
	// Filtered counts spans of traces kept from the destination on
	// purpose (Langfuse's LLM traces only): not a loss.
	Filtered int64 `json:"filtered"`
	// Held spans wait for their trace to be decided (LLM traces only).
	HeldSpans int   `json:"held_spans"`
	HeldBytes int64 `json:"held_bytes"`
	SetAside  int64 `json:"set_aside"`
	// PossibleDuplicates counts spans delivered again after a request that
	// may have delivered them already: it went out in full and its answer
	// was lost (the destination went down, or a timeout). Delivery is at
	// least once; these are the duplicates that can be known.
	PossibleDuplicates int64 `json:"possible_duplicates"`
	InFlight           int64 `json:"in_flight_requests"`
	Requests           int64 `json:"requests"`
	Failures           int64 `json:"failed_requests"`
	SentBytes          int64 `json:"sent_bytes"`
	// Dropped counts lost spans by reason.
	Dropped       map[string]int64 `json:"dropped"`
	QueueBytes    int64            `json:"queue_bytes"`
	QueueBatches  int              `json:"queue_batches"`
	Spool         *SpoolStats      `json:"spool,omitempty"`
	LastSuccess   time.Time        `json:"last_success,omitzero"`
	LastError     string           `json:"last_error,omitempty"`
	LastErrorTime time.Time        `json:"last_error_time,omitzero"`
	// LastErrorStatus is the HTTP status of the last error (0 when the
	// destination did not answer). 401 and 403 mean the credentials were
	// refused: Credentials names what to check.
	LastErrorStatus int `json:"last_error_status,omitempty"`
	// PausedUntil is set while the destination asked, with Retry-After,
	// not to be sent to before then.
	PausedUntil time.Time      `json:"paused_until,omitzero"`
	Breaker     breaker.Status `json:"breaker"`
	// Settings are the ones the destination runs with.
	Settings DestinationSettings `json:"settings"`
	// ReadBack is set when delivered traces are read back to confirm they
	// appear (Langfuse with LANGFUSE_VERIFY).
	ReadBack *ReadBackStatus `json:"read_back,omitempty"`
}

// ReadBackStatus says whether traces delivered to a destination appear
// there, as read back through its API.
type ReadBackStatus struct {
	// LastConfirmed is when a delivered trace was last found, and
	// ConfirmedTrace which.
	LastConfirmed  time.Time `json:"last_confirmed,omitzero"`
	ConfirmedTrace string    `json:"confirmed_trace,omitempty"`
	// Missing is set when a trace delivered long enough ago is not found:
	// the destination answers 200 but does not show what it was sent
	// (wrong project keys, a filter, an ingestion problem on its side).
	Missing      bool      `json:"missing"`
	MissingTrace string    `json:"missing_trace,omitempty"`
	MissingSince time.Time `json:"missing_since,omitzero"`
	Checks       int64     `json:"checks"`
	LastCheck    time.Time `json:"last_check,omitzero"`
	// LastError is the last check that could not be made (the read API
	// refused the keys, or did not answer).
	LastError string `json:"last_error,omitempty"`
}

// DestinationSettings are a running destination's settings, defaults
// applied.
type DestinationSettings struct {
	QueueMaxBytes  int64         `json:"queue_max_bytes"`
	MaxInFlight    int           `json:"max_in_flight"`
	AttemptTimeout time.Duration `json:"attempt_timeout_ns"`
	PollInterval   time.Duration `json:"poll_interval_ns"`
	Retry          RetryPolicy   `json:"retry"`
	// SpoolDir is empty when the destination keeps undelivered spans in
	// memory only.
	SpoolDir string `json:"spool_dir,omitempty"`
	// Credentials names where the destination's credentials come from
	// (variables or options), for a refusal's message.
	Credentials   string `json:"credentials,omitempty"`
	SpoolMaxBytes int64  `json:"spool_max_bytes,omitempty"`
	Durable       bool   `json:"durable"`
}

func (s *DestinationStats) addDropped(reason string, n int64) {
	if n > 0 {
		s.Dropped[reason] += n
	}
}

// DroppedTotal sums Dropped.
func (s DestinationStats) DroppedTotal() int64 {
	var n int64
	for _, v := range s.Dropped {
		n += v
	}
	return n
}

// counters are a destination's live counters.
type counters struct {
	accepted, exported, retried, spooled, replayed, setAside atomic.Int64
	filtered                                                 atomic.Int64
	possibleDups                                             atomic.Int64
	inFlight, requests, failures, sentBytes                  atomic.Int64
	lastSuccess, lastErrorTime                               atomic.Int64
	lastStatus                                               atomic.Int64 // HTTP status of the last error, 0 without one

	mu        sync.Mutex
	dropped   map[string]int64
	lastError string
}

func (c *counters) drop(reason string, spans int) {
	if spans <= 0 {
		return
	}
	c.mu.Lock()
	if c.dropped == nil {
		c.dropped = map[string]int64{}
	}
	c.dropped[reason] += int64(spans)
	c.mu.Unlock()
}

func (c *counters) setError(msg string) {
	c.mu.Lock()
	c.lastError = msg
	c.mu.Unlock()
	c.lastErrorTime.Store(time.Now().UnixNano())
}

func (c *counters) snapshot(st *DestinationStats) {
	st.Accepted = c.accepted.Load()
	st.Exported = c.exported.Load()
	st.Retried = c.retried.Load()
	st.Spooled = c.spooled.Load()
	st.Replayed = c.replayed.Load()
	st.Filtered = c.filtered.Load()
	st.SetAside = c.setAside.Load()
	st.PossibleDuplicates = c.possibleDups.Load()
	st.InFlight = c.inFlight.Load()
	st.Requests = c.requests.Load()
	st.Failures = c.failures.Load()
	st.SentBytes = c.sentBytes.Load()
	st.LastSuccess = unixTime(c.lastSuccess.Load())
	st.LastErrorTime = unixTime(c.lastErrorTime.Load())
	c.mu.Lock()
	st.LastError = c.lastError
	st.LastErrorStatus = int(c.lastStatus.Load())
	st.Dropped = make(map[string]int64, len(c.dropped)+1)
	for k, v := range c.dropped {
		st.Dropped[k] = v
	}
	c.mu.Unlock()
}

func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// SpoolStats is a snapshot of a destination's spool: its bytes, pending
// and set-aside spans, and what was lost to its cap or to damage.
type SpoolStats = spool.Stats

// SetAsideStats counts the set-aside spans of one destination identity.
type SetAsideStats = spool.SetAsideStats

// SpoolIdentity names the destination spooled batches were encoded for.
type SpoolIdentity = spool.Identity
