package export

import (
	"time"

	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
)

// The defaults runtime resolves, once, into the effective configuration
// (Manager.Config, /config); NewPipeline applies its own to zero settings.
const (
	// DefaultMemoryMaxBytes bounds what waits between span.End and the wire.
	DefaultMemoryMaxBytes = 64 << 20
	// DefaultMaxBatch is the most spans in one request.
	DefaultMaxBatch = 512
	// DefaultBatchTimeout is the longest a span waits for its batch.
	DefaultBatchTimeout = 500 * time.Millisecond
	// DefaultMaxInFlight is a destination's concurrent requests.
	DefaultMaxInFlight = 4
	// DefaultPollInterval is how often idle senders look for spooled work.
	DefaultPollInterval = time.Second
	// DefaultAttemptTimeout bounds one POST: with the breaker's five
	// failures, a destination that never answers is down within 30 s.
	DefaultAttemptTimeout = 5 * time.Second
	// DefaultSpoolMaxBytes bounds a destination's spool on disk.
	DefaultSpoolMaxBytes = spool.DefaultMaxBytes
)

// DefaultRetryPolicy is the retry policy runtime resolves a zero one to.
var DefaultRetryPolicy = RetryPolicy{
	MaxAttempts:   3,
	Initial:       250 * time.Millisecond,
	Max:           5 * time.Second,
	MaxRetryAfter: 30 * time.Second,
}
