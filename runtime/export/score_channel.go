package export

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export/internal/delivery"
	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// ScoreFormat is how a destination takes evaluations (genai.Score).
type ScoreFormat uint8

const (
	// NoScores: the destination takes none.
	NoScores ScoreFormat = iota
	// LangfuseScores: Langfuse's scores API, POST /api/public/scores, one
	// score per request as JSON (the API takes no batches).
	LangfuseScores
	// EvaluationEvents: the GenAI conventions' gen_ai.evaluation.result
	// events, as OTLP/HTTP log records (/v1/logs) carrying the evaluated
	// span's trace and span IDs.
	EvaluationEvents
)

// ScoreConfig configures a destination's scores: a second backlog of
// their own beside the spans' (memory queue, spool, senders, breaker),
// with its own URL, spool directory and counters, and the destination's
// client (its credentials) and retry policy.
type ScoreConfig struct {
	Format ScoreFormat
	// URL is the full URL scores are posted to (Langfuse's
	// /api/public/scores, an OTLP /v1/logs).
	URL string
	// Identity names the scores' spool: it differs from the spans' (the
	// URL and the name are part of it), so a spooled score is never sent
	// to the traces endpoint, nor a span batch to the scores API.
	Identity SpoolIdentity
	// Breaker is the scores' own: a scores API that refuses or
	// rate-limits does not hold back the spans, nor the other way round.
	Breaker *breaker.Breaker
	// SpoolDir is the scores' directory on disk; empty keeps them in
	// memory only.
	SpoolDir string
	// PerMinute paces the requests to at most this many a minute, after
	// a burst of 3 (a rate limit counted in requests, such as Langfuse
	// Cloud's); 0 does not pace them.
	PerMinute int
	// Environment files Langfuse scores under it, as the spans'
	// langfuse.environment.
	Environment string
	// Resource is the resource evaluation events carry, translated as the
	// destination's spans' is.
	Resource *resource.Resource
	// EndpointFrom names where URL comes from, for the message when
	// nothing takes scores there.
	EndpointFrom string
}

// scoreQueueMaxBytes bounds a destination's memory queue of encoded
// scores (a few thousand): past it they go to the spool. Scores are few
// and small; they do not count in the spans' memory budget, so that
// neither can shed the other.
const scoreQueueMaxBytes = 1 << 20

// scorePaceBurst is how many paced requests may start at once: with
// PerMinute 25 (Langfuse Cloud's default), at most 28 start in any minute,
// under the hobby plan's 30.
const scorePaceBurst = 3

// scoreMaxInFlight bounds a destination's concurrent score requests:
// scores are few, and idle senders cost wake-ups.
const scoreMaxInFlight = 2

// scoreBatchMax is the most evaluation events in one OTLP request.
const scoreBatchMax = 512

// scoreChannel is a destination's scores: encoded in the score hub's
// goroutine (the only caller of take), delivered by a backlog of their own.
type scoreChannel struct {
	cfg     ScoreConfig
	c       delivery.Counters
	backlog *delivery.Backlog
	enc     scoreEncoder
}

// newScoreChannel starts a destination's scores backlog. A spool
// directory that cannot be created leaves the scores in memory only: like
// the spans', they never keep the application from starting.
func newScoreChannel(d *Destination, log *slog.Logger) *scoreChannel {
	cfg := d.cfg.Scores
	ch := &scoreChannel{cfg: cfg, enc: newScoreEncoder(d.cfg.Translator, d.mask, cfg)}
	var set *spool.Set
	if cfg.SpoolDir != "" {
		var err error
		set, err = spool.Open(cfg.SpoolDir, spool.Options{MaxBytes: d.cfg.SpoolMaxBytes, Sync: d.cfg.SpoolSync, Identity: cfg.Identity, Logger: log})
		if err != nil {
			log.Warn("genaitrace: scores spool directory not writable; this destination keeps undelivered scores in memory only", "error", err)
			ch.cfg.SpoolDir = ""
		}
	}
	var pace time.Duration
	if cfg.PerMinute > 0 {
		pace = time.Minute / time.Duration(cfg.PerMinute)
	}
	ch.backlog = delivery.New(delivery.Config{
		Target: delivery.Target{URL: cfg.URL, Client: d.cfg.Client, AttemptTimeout: d.cfg.AttemptTimeout, UserAgent: d.cfg.UserAgent,
			JSON: cfg.Format == LangfuseScores},
		Breaker: cfg.Breaker, Retry: d.cfg.Retry, MaxInFlight: min(d.cfg.MaxInFlight, scoreMaxInFlight), PollInterval: d.cfg.PollInterval,
		QueueMaxBytes: scoreQueueMaxBytes, Spool: set, Durable: d.cfg.Durable && set != nil,
		Credentials: d.cfg.Credentials, EndpointFrom: cfg.EndpointFrom, Items: "scores", Pace: pace, PaceBurst: scorePaceBurst, Logger: log,
	}, &ch.c)
	return ch
}

// take encodes scores and hands them to the backlog.
func (ch *scoreChannel) take(batch []scores.Score) {
	ch.c.Accepted.Add(int64(len(batch)))
	for _, b := range ch.enc.encode(batch) {
		ch.backlog.Expect()
		ch.backlog.Add(b)
	}
}

func (ch *scoreChannel) flush(ctx context.Context) error { return ch.backlog.Flush(ctx) }

func (ch *scoreChannel) shutdown(ctx context.Context) { ch.backlog.Shutdown(ctx) }

// stats snapshots the scores' counters, in scores.
func (ch *scoreChannel) stats(d *Destination) DestinationStats {
	return backlogStats(d, ch.cfg.URL, &ch.c, ch.backlog, ch.cfg.Breaker,
		DestinationSettings{QueueMaxBytes: scoreQueueMaxBytes, EndpointFrom: ch.cfg.EndpointFrom, RequestsPerMinute: ch.cfg.PerMinute},
		ch.cfg.SpoolDir, min(d.cfg.MaxInFlight, scoreMaxInFlight))
}
