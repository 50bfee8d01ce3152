package scoring

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export/internal/delivery"
	"github.com/genaitrace/genaitrace/runtime/export/internal/mask"
	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// Config configures a destination's scores: where they go and how they
// are written; the rest of their delivery is the spans'.
type Config struct {
	// Langfuse writes each score as the body of Langfuse's scores API,
	// one a request; otherwise scores are OTLP log records.
	Langfuse bool
	URL      string
	// Identity and SpoolDir are the scores' spool's, apart from the
	// spans': a spooled score is never sent to a traces endpoint.
	Identity spool.Identity
	SpoolDir string
	// Breaker is the scores' own.
	Breaker *breaker.Breaker
	// PerMinute paces the requests (0: unpaced).
	PerMinute    int
	EndpointFrom string
	// Content sends comments, through Mask; Environment files Langfuse
	// scores under it.
	Content     bool
	Mask        *mask.Masker
	Environment string
	// Resource and SchemaURL are the log records' resource, translated as
	// the destination's spans' is.
	Resource  []attribute.KeyValue
	SchemaURL string
	// Spans is the destination's delivery, whose client, attempt
	// timeout, user agent, retry policy, poll interval and credentials
	// the scores share; SpoolMaxBytes, SpoolSync and Durable are its
	// spool's settings.
	Spans         delivery.Config
	SpoolMaxBytes int64
	SpoolSync     bool
	Durable       bool
	Logger        *slog.Logger
}

// QueueMaxBytes bounds a destination's memory queue of encoded scores (a
// few thousand): past it they go to the spool. Scores are few and small;
// they do not count in the spans' memory budget, so that neither can shed
// the other.
const QueueMaxBytes = 1 << 20

// paceBurst is how many paced requests may start at once: with PerMinute
// 25 (Langfuse Cloud's default), at most 28 start in any minute, under the
// hobby plan's 30.
const paceBurst = 3

// maxInFlight bounds a destination's concurrent score requests: scores
// are few, and idle senders cost wake-ups.
const maxInFlight = 2

// batchMax is the most evaluation events in one OTLP request.
const batchMax = 512

// Channel is a destination's scores: encoded in the hub's goroutine (the
// only caller of Take), delivered by a backlog of their own.
type Channel struct {
	// Backlog delivers the scores, counted in Counters; Delivery is what
	// it was made with, SpoolDir its directory ("" in memory only) and
	// PerMinute its pace: for the destination's stats.
	Backlog   *delivery.Backlog
	Counters  delivery.Counters
	Delivery  delivery.Config
	SpoolDir  string
	PerMinute int
	enc       encoder
}

// NewChannel starts a destination's scores backlog. A spool directory
// that cannot be created leaves the scores in memory only: like the
// spans', they never keep the application from starting.
func NewChannel(cfg Config) *Channel {
	ch := &Channel{SpoolDir: cfg.SpoolDir, PerMinute: cfg.PerMinute, enc: newEncoder(cfg)}
	log := cfg.Logger
	var set *spool.Set
	if cfg.SpoolDir != "" {
		var err error
		set, err = spool.Open(cfg.SpoolDir, spool.Options{MaxBytes: cfg.SpoolMaxBytes, Sync: cfg.SpoolSync, Identity: cfg.Identity, Logger: log})
		if err != nil {
			log.Warn("genaitrace: scores spool directory not writable; this destination keeps undelivered scores in memory only", "error", err)
			ch.SpoolDir = ""
		}
	}
	var pace time.Duration
	if cfg.PerMinute > 0 {
		pace = time.Minute / time.Duration(cfg.PerMinute)
	}
	sp := cfg.Spans
	ch.Delivery = delivery.Config{
		Target: delivery.Target{URL: cfg.URL, Client: sp.Target.Client, AttemptTimeout: sp.Target.AttemptTimeout, UserAgent: sp.Target.UserAgent,
			JSON: cfg.Langfuse},
		Breaker: cfg.Breaker, Retry: sp.Retry, MaxInFlight: min(sp.MaxInFlight, maxInFlight), PollInterval: sp.PollInterval,
		QueueMaxBytes: QueueMaxBytes, Spool: set, Durable: cfg.Durable && set != nil,
		Credentials: sp.Credentials, EndpointFrom: cfg.EndpointFrom, Items: "scores", Pace: pace, PaceBurst: paceBurst, Logger: log,
	}
	ch.Backlog = delivery.New(ch.Delivery, &ch.Counters)
	return ch
}

// Take encodes scores and hands them to the backlog.
func (ch *Channel) Take(batch []scores.Score) {
	ch.Counters.Accepted.Add(int64(len(batch)))
	for _, b := range ch.enc.encode(batch) {
		ch.Backlog.Expect()
		ch.Backlog.Add(b)
	}
}

// Kick wakes the senders.
func (ch *Channel) Kick() { ch.Backlog.Kick() }

// Flush waits until every score taken has left memory, or ctx ends.
func (ch *Channel) Flush(ctx context.Context) error { return ch.Backlog.Flush(ctx) }

// Shutdown sends or spools what is left by ctx's deadline.
func (ch *Channel) Shutdown(ctx context.Context) { ch.Backlog.Shutdown(ctx) }
