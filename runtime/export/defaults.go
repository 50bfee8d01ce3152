package export

import (
	"time"

	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
)

// The defaults of this package's components, each applied by its
// component to a zero setting. runtime resolves them all, once, into the
// effective configuration (Manager.Config, /config), so that what the
// running pipeline does and what it says it does cannot differ.
const (
	// DefaultMemoryMaxBytes bounds everything between span.End and the
	// wire (PipelineConfig.MemoryMaxBytes).
	DefaultMemoryMaxBytes = 64 << 20
	// DefaultMaxBatch is the most spans in one request.
	DefaultMaxBatch = 512
	// DefaultBatchTimeout is the longest a finished span waits for its
	// batch.
	DefaultBatchTimeout = 500 * time.Millisecond
	// DefaultMaxInFlight is a destination's concurrent requests.
	DefaultMaxInFlight = 4
	// DefaultPollInterval is how often idle senders look for spooled work.
	DefaultPollInterval = time.Second
	// DefaultAttemptTimeout bounds one POST: with the breaker's five
	// consecutive failures, a destination that accepts connections and
	// never answers is declared down within 30 s even when one batch at a
	// time is sent.
	DefaultAttemptTimeout = 5 * time.Second
	// DefaultSpoolMaxBytes bounds a destination's spool on disk.
	DefaultSpoolMaxBytes = spool.DefaultMaxBytes
)

// DefaultRetryPolicy is the retry policy of a zero RetryPolicy.
var DefaultRetryPolicy = RetryPolicy{
	MaxAttempts:   3,
	Initial:       250 * time.Millisecond,
	Max:           5 * time.Second,
	MaxRetryAfter: 30 * time.Second,
}
