package export

import (
	"log/slog"

	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export/internal/scoring"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// scoreConfig configures a destination's scores: a second backlog of
// their own beside the spans' (memory queue, spool, senders, breaker),
// with its own URL, spool directory and counters, and the destination's
// client (its credentials) and retry policy. Package runtime sets it
// (runtimeWiring).
type scoreConfig struct {
	Format scores.Format
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

// ScoreStats counts the evaluations genai.Score handed over: Accepted =
// Dispatched + Pending. Dropped counts, by reason, those no destination
// saw: no_runtime, invalid and no_trace (for the whole process),
// no_destination and queue_full (the hand-off was full). What became of
// them at each destination is in its DestinationStats.Scores.
type ScoreStats struct {
	Accepted   int64            `json:"accepted"`
	Dispatched int64            `json:"dispatched"`
	Pending    int              `json:"pending"`
	Dropped    map[string]int64 `json:"dropped"`
}

// pipelineWiring is what package runtime wires into its pipeline beyond
// this package's API: embedded in PipelineConfig, its fields are
// runtime's to set.
type pipelineWiring struct {
	// Scores makes the pipeline the process's taker of genai.Score (the
	// most recent pipeline with it set is): it hands each score to the
	// consumers that take scores.
	Scores bool
}

// scoreTaker is a consumer that may take scores: a destination, whose
// scores channel is nil when it takes none.
type scoreTaker interface {
	scoreChannel() *scoring.Channel
}

// newScoreHub starts the hand-off to the consumers that take scores and
// installs it as the process's sink for genai.Score.
func newScoreHub(log *slog.Logger, consumers []Consumer) *scoring.Hub {
	var channels []*scoring.Channel
	for _, c := range consumers {
		if t, ok := c.(scoreTaker); ok && t.scoreChannel() != nil {
			channels = append(channels, t.scoreChannel())
		}
	}
	return scoring.NewHub(log, channels)
}

// newScoreChannel starts d's scores backlog.
func newScoreChannel(d *Destination) *scoring.Channel {
	cfg := d.cfg.Scores
	sc := scoring.Config{Langfuse: cfg.Format == scores.LangfuseAPI, URL: cfg.URL, Identity: cfg.Identity, SpoolDir: cfg.SpoolDir,
		Breaker: cfg.Breaker, PerMinute: cfg.PerMinute, EndpointFrom: cfg.EndpointFrom,
		Content: takesContent(d.cfg.Translator), Mask: d.mask, Environment: cfg.Environment,
		Spans: d.delivery, SpoolMaxBytes: d.cfg.Settings.SpoolMaxBytes, SpoolSync: d.cfg.SpoolSync, Durable: d.cfg.Settings.Durable,
		Logger: d.log.With("channel", "scores")}
	if cfg.Format == scores.EvaluationEvents && cfg.Resource != nil {
		sc.Resource, sc.SchemaURL = d.cfg.Translator.Resource(cfg.Resource), cfg.Resource.SchemaURL()
	}
	return scoring.NewChannel(sc)
}
