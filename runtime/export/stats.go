package export

import (
	"encoding/json"
	"time"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export/internal/delivery"
	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
	"github.com/genaitrace/genaitrace/runtime/internal/redact"
	"github.com/genaitrace/genaitrace/runtime/internal/units"
)

// Reasons a span is dropped. Every dropped span is counted under one.
const (
	DropShedPlain      = "shed_plain"                // the memory budget was full: a span of a trace with no GenAI span
	DropShedGenAITrace = "shed_genai_trace"          // the memory budget was full: a plain span of a GenAI trace
	DropShedGenAI      = "shed_genai"                // the memory budget was full even of GenAI and failed spans
	DropAfterShutdown  = delivery.DropAfterShutdown  // handed to a destination after it shut down
	DropEncoderStalled = delivery.DropEncoderStalled // a destination's encoder was stuck for 5 s (a hung disk): it alone lost the batch
	DropSpoolFull      = delivery.DropSpoolFull      // past the spool's cap: deleted with the oldest segment, or a span larger than the whole spool
	DropSpoolError     = delivery.DropSpoolError     // the spool could not be written (disk full, permissions)
	DropSpoolDamaged   = "spool_damaged"             // lost to damage of the spool's files
	DropDiscarded      = "discarded"                 // set-aside spans an operator discarded
	DropNoSpool        = delivery.DropNoSpool        // undeliverable and no spool configured
	DropRejected       = delivery.DropRejected       // the destination rejected the batch itself (4xx); set aside
	DropInternalError  = "internal_error"            // a defect of genaitrace lost them (it logs an error: please report it)
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
	SetAside int64 `json:"set_aside"`
	// PossibleDuplicates counts spans delivered again after a request that
	// may have delivered them already (it went out in full and its answer
	// was lost): delivery is at least once, and this bounds its duplicates
	// from above. Deduplicated counts those not sent again because the
	// destination, asked (ReplayCheck), showed it held them.
	PossibleDuplicates int64 `json:"possible_duplicates"`
	Deduplicated       int64 `json:"deduplicated"`
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
	// LastErrorStatus is the last error's HTTP status (0: no answer); on
	// 401 and 403, Settings.Credentials names what to check.
	LastErrorStatus int `json:"last_error_status,omitempty"`
	// PausedUntil is set while a Retry-After pauses the destination.
	PausedUntil time.Time           `json:"paused_until,omitzero"`
	Breaker     breaker.Status      `json:"breaker"`
	Settings    DestinationSettings `json:"settings"`
	// ReadBack is set when delivered traces are read back (Langfuse with
	// LANGFUSE_VERIFY); Scores when the destination takes evaluations
	// (their delivery's own counters, in scores); ReplayCheck when it is
	// asked which spans it holds before a batch is sent again.
	ReadBack    *ReadBackStatus    `json:"read_back,omitempty"`
	Scores      *DestinationStats  `json:"scores,omitempty"`
	ReplayCheck *ReplayCheckStatus `json:"replay_check,omitempty"`
}

// ReplayCheckStatus counts the questions put to a destination about which
// spans of a batch that may have reached it it holds.
type ReplayCheckStatus struct {
	// Checks counts the requests made; Failed those that got no usable
	// answer (no answer, an error, a rate limit of the destination's).
	Checks int64 `json:"checks"`
	Failed int64 `json:"failed_checks"`
	// Asked counts the spans asked about, Found those the destination held,
	// Unasked those sent again unasked (a failed check, the budget spent).
	Asked   int64 `json:"asked_spans"`
	Found   int64 `json:"found_spans"`
	Unasked int64 `json:"unasked_spans"`
	// PerMinute is the budget of checks a minute; Grace how long after the
	// uncertain request the destination is asked.
	PerMinute int           `json:"checks_per_minute"`
	Grace     time.Duration `json:"-"`
	LastCheck time.Time     `json:"last_check,omitzero"`
	LastError string        `json:"last_error,omitempty"`
}

// MarshalJSON writes the status with the grace period in milliseconds
// (grace_ms).
func (s ReplayCheckStatus) MarshalJSON() ([]byte, error) {
	type plain ReplayCheckStatus
	return json.Marshal(struct {
		plain
		GraceMS float64 `json:"grace_ms"`
	}{plain(s), units.MS(s.Grace)})
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

// DestinationSettings are a destination's delivery settings: those its
// DestinationConfig gives, and those its stats show it runs with.
type DestinationSettings struct {
	// QueueMaxBytes bounds the memory queue of encoded batches;
	// MaxInFlight the requests at a time when there is a backlog;
	// AttemptTimeout one POST; PollInterval how often idle senders look
	// for spooled work and due probes.
	QueueMaxBytes  int64         `json:"queue_max_bytes"`
	MaxInFlight    int           `json:"max_in_flight"`
	AttemptTimeout time.Duration `json:"-"`
	PollInterval   time.Duration `json:"-"`
	Retry          RetryPolicy   `json:"retry"`
	// SpoolDir is the destination's directory on disk, for what cannot be
	// sent now; empty keeps data in memory only, and what does not fit is
	// dropped (no_spool).
	SpoolDir string `json:"spool_dir,omitempty"`
	// Credentials names where the destination's credentials come from
	// (variables or options), for the message when it refuses a request
	// (401, 403); EndpointFrom where its URL comes from and how it is
	// built, for the message when nothing takes traces there (404) or it
	// cannot be reached.
	Credentials  string `json:"credentials,omitempty"`
	EndpointFrom string `json:"endpoint_from,omitempty"`
	// SpoolMaxBytes caps the spool on disk. Durable writes every batch to
	// the spool before it is sent, so that a process killed at any moment
	// loses only what was not yet encoded.
	SpoolMaxBytes int64 `json:"spool_max_bytes,omitempty"`
	Durable       bool  `json:"durable"`
	// RequestsPerMinute is set when requests are paced (Langfuse's scores
	// API, one score per request).
	RequestsPerMinute int `json:"requests_per_minute,omitempty"`
}

// MarshalJSON writes the settings with durations in milliseconds
// (attempt_timeout_ms, poll_interval_ms).
func (s DestinationSettings) MarshalJSON() ([]byte, error) {
	type plain DestinationSettings
	return json.Marshal(struct {
		plain
		AttemptTimeoutMS float64 `json:"attempt_timeout_ms"`
		PollIntervalMS   float64 `json:"poll_interval_ms"`
	}{plain(s), units.MS(s.AttemptTimeout), units.MS(s.PollInterval)})
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

// snapshot reads a destination's live counters into st.
func snapshot(c *delivery.Counters, st *DestinationStats) {
	st.Accepted = c.Accepted.Load()
	st.Exported = c.Exported.Load()
	st.Retried = c.Retried.Load()
	st.Spooled = c.Spooled.Load()
	st.Replayed = c.Replayed.Load()
	st.Filtered = c.Filtered.Load()
	st.SetAside = c.SetAside.Load()
	st.PossibleDuplicates = c.PossibleDuplicates.Load()
	st.Deduplicated = c.Deduplicated.Load()
	st.InFlight = c.InFlight.Load()
	st.Requests = c.Requests.Load()
	st.Failures = c.Failures.Load()
	st.SentBytes = c.SentBytes.Load()
	st.LastSuccess = unixTime(c.LastSuccess.Load())
	st.LastErrorTime = unixTime(c.LastErrorTime.Load())
	st.LastError = c.LastError()
	st.LastErrorStatus = int(c.LastStatus.Load())
	st.Dropped = c.Dropped()
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

// Stats returns a snapshot of the destination's counters.
func (d *Destination) Stats() DestinationStats {
	st := backlogStats(d.cfg.Name, d.backlog, &d.c, &d.delivery, d.cfg.Settings.SpoolDir, 0)
	if ch := d.scores; ch != nil {
		sc := backlogStats(d.cfg.Name, ch.Backlog, &ch.Counters, &ch.Delivery, ch.SpoolDir, ch.PerMinute)
		st.Scores = &sc
	}
	return st
}

// backlogStats snapshots one backlog of a destination (the spans' or the
// scores'), made with cfg, spooling in spoolDir, paced perMinute.
func backlogStats(name string, bl *delivery.Backlog, c *delivery.Counters, cfg *delivery.Config, spoolDir string, perMinute int) DestinationStats {
	st := DestinationStats{Name: name, Endpoint: redact.URL(cfg.Target.URL), PausedUntil: bl.PausedUntil()}
	snapshot(c, &st)
	st.QueueBytes, st.QueueBatches = bl.Queue()
	set := bl.Spool()
	if set != nil {
		ss := set.Stats()
		st.Spool = &ss
		st.addDropped(DropSpoolFull, ss.DroppedSpans)
		st.addDropped(DropSpoolDamaged, ss.DamagedSpans)
		st.addDropped(DropDiscarded, ss.DiscardedSpans)
	}
	st.Breaker = cfg.Breaker.Status()
	st.Settings = DestinationSettings{QueueMaxBytes: cfg.QueueMaxBytes, MaxInFlight: cfg.MaxInFlight, AttemptTimeout: cfg.Target.AttemptTimeout,
		PollInterval: cfg.PollInterval, Retry: cfg.Retry, Credentials: cfg.Credentials, EndpointFrom: cfg.EndpointFrom, Durable: cfg.Durable,
		RequestsPerMinute: perMinute}
	if set != nil {
		st.Settings.SpoolDir, st.Settings.SpoolMaxBytes = spoolDir, set.MaxBytes()
	}
	return st
}

// RetryPolicy bounds the in-place retries of one batch before it is kept
// for later (spooled): MaxAttempts per batch, the first included (default
// 3); Initial and Max bound the jittered exponential backoff between
// attempts (250 ms, 5 s); MaxRetryAfter is the longest Retry-After a batch
// waits for in place (30 s), past which it is spooled. The whole
// destination pauses for the Retry-After either way.
type RetryPolicy = delivery.RetryPolicy
