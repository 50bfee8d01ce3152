package export

import (
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/internal/hooks"
)

// DestinationConfig configures one OTLP destination.
type DestinationConfig struct {
	Name string
	// URL is the full traces URL. It holds no credential: Client's
	// transport adds them to each request.
	URL         string
	Client      *http.Client
	UserAgent   string
	Compression Compression
	Translator  Translator
	// Conventions chooses the GenAI conventions' release whose names the
	// destination gets.
	Conventions Conventions
	// Mask, when set, rewrites every prompt and completion of the
	// translation, and the attributes of MaskKeys, before they are encoded.
	// It must be safe for concurrent use.
	Mask     func(key attribute.Key, value string) string
	MaskKeys []attribute.Key
	Breaker  *breaker.Breaker
	// Identity names the destination in its spool: a batch is replayed
	// only to the destination it was encoded for.
	Identity SpoolIdentity
	// Settings are the delivery's, every one given (runtime resolves the
	// defaults once, for every component); SpoolSync fsyncs every append
	// to the spool.
	Settings  DestinationSettings
	SpoolSync bool
	// OnlyGenAITraces keeps the traces that contain no GenAI span from the
	// destination and sends the others whole.
	OnlyGenAITraces bool
	Logger          *slog.Logger
	runtimeWiring
}

// runtimeWiring is what package runtime wires into its destinations
// beyond this package's API, in types of runtime/internal packages that
// no user can import: embedded in DestinationConfig, its fields are
// runtime's to set, and not part of the API.
type runtimeWiring struct {
	// OnDelivered, optional, is told of one trace of every batch delivered
	// (its ID and a span's start time), for a check that delivered traces
	// appear at the destination. It must not block.
	OnDelivered func(trace.TraceID, time.Time)
	// OnOutcome, optional, is told what became of the traces of each batch
	// at this destination: delivered, spooled, set aside, or dropped with a
	// reason. It must not block.
	OnOutcome func(traces []trace.TraceID, o hooks.Outcome, reason string)
	// StoredCheck, optional, is asked which spans of a batch the
	// destination already holds before a batch that a request may have
	// delivered (written in full, its answer lost) is sent again; those
	// are not sent again (DestinationStats.Deduplicated).
	StoredCheck *hooks.StoredCheck
	// Scores, when its Format is set, delivers evaluations (genai.Score)
	// to the destination too.
	Scores scoreConfig
}

// Compression is how a destination's requests are encoded on the wire.
type Compression uint8

const (
	Gzip          Compression = iota // gzip's best speed: for a destination across a network
	NoCompression                    // as encoded: for one on the same machine (a host agent), where gzip saves nothing
)

// String is the compression's name in OTEL_EXPORTER_OTLP_COMPRESSION's
// words: gzip or none.
func (c Compression) String() string {
	if c == NoCompression {
		return "none"
	}
	return "gzip"
}
