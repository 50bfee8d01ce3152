package runtime

import (
	"io"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// config is the effective configuration: the environment, then the options.
// Printing it with any fmt verb, JSON or slog never shows a secret.
type config struct {
	ServiceName        string
	ServiceVersion     string
	Environment        string
	ResourceAttributes []attribute.KeyValue
	// SampleRate is the share of plain traces kept, in [0,1]: those with
	// nothing SampleKeep names.
	SampleRate float64
	// SampleKeep names the traces kept whole whatever SampleRate says.
	SampleKeep []SampleKeep
	// ContentSampleRate is the share of traces whose content is sent.
	ContentSampleRate float64
	// Conventions chooses the GenAI conventions' release whose names the
	// destinations get: v1.41 unless OTEL_SEMCONV_STABILITY_OPT_IN has
	// gen_ai_latest_experimental.
	Conventions export.Conventions

	Instana  instanaConfig
	Langfuse langfuseConfig
	OTLP     otlpConfig
	// Scores says which destinations take genai.Score's evaluations.
	Scores scoresConfig
	// Console prints each finished trace as a tree. ConsoleAuto turns it on
	// when no other destination is enabled.
	Console       ConsoleMode
	ConsoleWriter io.Writer `json:"-"`

	// CaptureContent switches recording of prompts and completions in the
	// generated wrappers. Unset, it is on when a destination that wants
	// content is enabled: Langfuse (always), Instana or the generic
	// destination when their content setting is on. Each destination then
	// gets content only if it wants it.
	CaptureContent *bool
	// Mask rewrites content and the attributes of MaskKeys before they
	// leave the process, per destination (WithMask); MaskSecrets masks
	// API-key and bearer-token shapes in them (TELEMETRY_MASK_SECRETS).
	Mask        Mask `json:"-"`
	MaskKeys    []attribute.Key
	MaskSecrets bool

	Spool spoolConfig
	// Durability chooses when batches are written to disk: only when they
	// cannot be sent (DurabilityMemory, the default), or every batch before
	// it is sent (DurabilityDisk).
	Durability  Durability
	Export      exportConfig
	Diagnostics diagnosticsConfig
	Metrics     metricsConfig
	Breaker     breakerConfig
	Prices      map[string]pricing.Price
	SetGlobal   bool
	Logger      *slog.Logger `json:"-"`
	// unknownNames are names options were given that name no destination:
	// Configure refuses them, as it refuses an unknown value of a variable.
	unknownNames []unknownName
}

// unknownName is an option's argument that names no destination.
type unknownName struct{ option, name string }

// TLSConfig is a destination's TLS verification. Verification is on unless
// InsecureSkipVerify is set.
type TLSConfig struct {
	InsecureSkipVerify bool
	// CABundle is a PEM file of CA certificates trusted besides the
	// system's.
	CABundle string
}

// instanaConfig configures the Instana destination: the host agent
// (http://host:4318) or the agentless otlp-acceptor.
type instanaConfig struct {
	Enabled  bool
	Endpoint string
	APIKey   secret
	// Host is sent as x-instana-host and used as host.id; agentless
	// ingestion needs a host identity.
	Host string
	TLS  TLSConfig
	// Content sends prompts and completions to Instana too (when the
	// wrappers record them). Off by default.
	Content bool
	// TokenNames chooses the names of the token counts: the
	// conventions' (the default), OpenLLMetry's legacy ones, or both.
	TokenNames export.InstanaTokenNames
	// query is Endpoint's query, which may carry a key: kept apart from
	// it once resolved (see Config.resolve).
	query secret
	// endpointFrom names what set Endpoint (the variable or the option),
	// for messages.
	endpointFrom string
	// Compression is "gzip" or "none" (INSTANA_COMPRESSION); unset, none
	// for an endpoint on this machine, gzip otherwise.
	Compression string
}

// langfuseConfig configures the Langfuse destination.
type langfuseConfig struct {
	Enabled   bool
	Endpoint  string
	PublicKey string
	SecretKey secret
	TLS       TLSConfig
	// Cost chooses who prices calls; Langfuse's own table by default.
	Cost export.LangfuseCost
	// Export chooses which traces Langfuse gets: those with GenAI work
	// (LangfuseExportLLM, the default) or all of them.
	Export LangfuseExport
	// Verify reads an exported trace back through Langfuse's public API
	// now and then, to confirm traces appear (LANGFUSE_VERIFY).
	Verify bool
	// ScoresPerMinute paces the requests to its scores API (one score
	// each); 0 does not pace them (LANGFUSE_SCORES_PER_MINUTE; resolved
	// from the endpoint unless scoresPaceSet).
	ScoresPerMinute int
	scoresPaceSet   bool
	// KeepRemoteParent sends a local root whose parent is remote with
	// that parent: the callers export to the same Langfuse project
	// (LANGFUSE_KEEP_REMOTE_PARENT).
	KeepRemoteParent bool
	// ReplayChecks is how many requests a minute may ask Langfuse which
	// spans of a batch that may have reached it it stores, before the
	// batch is sent again (LANGFUSE_REPLAY_CHECKS_PER_MINUTE); 0 asks
	// nothing. replayChecksSet tells 0 from unset (the default).
	ReplayChecks    int
	replayChecksSet bool
	// endpointFrom names the variable Endpoint came from, for errors.
	endpointFrom string
	query        secret
	// Compression is "gzip" or "none" (LANGFUSE_COMPRESSION); unset, as
	// for Instana.
	Compression string
}

// LangfuseExport chooses which traces reach Langfuse.
type LangfuseExport int

const (
	// LangfuseExportLLM sends the traces that contain a GenAI span (a
	// model call, an embedding, a tool or an agent), whole, and no other:
	// Langfuse bills every observation and lists every trace, and its own
	// SDKs keep only LLM work by default.
	LangfuseExportLLM LangfuseExport = iota
	// LangfuseExportAll sends every trace.
	LangfuseExportAll
)

// String returns "llm" or "all".
func (e LangfuseExport) String() string {
	if e == LangfuseExportAll {
		return "all"
	}
	return "llm"
}

// otlpConfig configures the generic OTLP/HTTP destination (a Collector
// gateway), from the standard OTEL_EXPORTER_OTLP_* variables.
type otlpConfig struct {
	Enabled bool
	// Endpoint is the full traces URL.
	Endpoint string
	// MetricsEndpoint is the full metrics URL (default: Endpoint with
	// /v1/metrics in place of /v1/traces).
	MetricsEndpoint string
	// LogsEndpoint is the full logs URL, where evaluation events go
	// (default: Endpoint with /v1/logs in place of /v1/traces).
	LogsEndpoint string
	logsQuery    secret
	Headers      map[string]secret
	TLS          TLSConfig
	// Content sends prompts and completions to this destination too (when
	// the wrappers record them). Off by default.
	Content bool
	// endpointFrom names the variable Endpoint came from, for errors.
	endpointFrom string
	// query and metricsQuery are the endpoints' queries, kept apart.
	query, metricsQuery secret
	// Compression is "gzip" or "none" (OTEL_EXPORTER_OTLP_TRACES_COMPRESSION,
	// OTEL_EXPORTER_OTLP_COMPRESSION); unset, as for Instana.
	Compression string
}

// ConsoleMode chooses when the console destination runs.
type ConsoleMode int

// Console modes.
const (
	ConsoleAuto ConsoleMode = iota
	ConsoleOn
	ConsoleOff
)

// spoolConfig configures the disk spool shared by the destinations (each
// gets its own subdirectory).
type spoolConfig struct {
	Disabled bool
	// Dir defaults to <user cache dir>/genaitrace/<service name>.
	Dir      string
	MaxBytes int64
	Sync     bool
}

// Durability chooses what a process killed without warning (kill -9, OOM
// kill, a machine crash) can lose.
type Durability int

const (
	// DurabilityMemory writes a batch to disk only when it cannot be sent:
	// the destination is down, or memory is full. A process killed without
	// a shutdown loses the batches waiting in memory, up to about a second
	// of spans.
	DurabilityMemory Durability = iota
	// DurabilityDisk writes every batch to the spool before sending it and
	// removes it once acknowledged: a process killed at any moment loses
	// only the spans not yet encoded (one batch window, 500 ms by default).
	// It costs a disk write per batch (see docs/benchmarks.md).
	DurabilityDisk
)

// String returns "memory" or "disk".
func (d Durability) String() string {
	if d == DurabilityDisk {
		return "disk"
	}
	return "memory"
}

// MarshalText renders the durability as its name.
func (d Durability) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// exportConfig tunes the export pipeline.
type exportConfig struct {
	// MemoryMaxBytes bounds, in bytes, everything between span.End and the
	// wire (TELEMETRY_MEMORY_MAX_BYTES, default 64 MiB); the diagnostics
	// store has its own bound.
	MemoryMaxBytes int64
	// QueueMaxBytes bounds each destination's memory queue, within the
	// memory budget (default a quarter of it).
	QueueMaxBytes  int64
	MaxInFlight    int
	BatchTimeout   time.Duration
	MaxBatch       int
	AttemptTimeout time.Duration
	PollInterval   time.Duration
	Retry          export.RetryPolicy
}

// breakerConfig configures every destination's circuit breaker.
type breakerConfig struct {
	FailureThreshold uint32
	OpenTimeout      time.Duration
	MaxOpenTimeout   time.Duration
}

// diagnosticsConfig configures the diagnostics handler.
type diagnosticsConfig struct {
	// Token, when set, protects every diagnostics endpoint (bearer token).
	Token secret
	// Content shows prompts and completions on the diagnostics page. Off by
	// default: the store then never holds them.
	Content bool
	// MaxBytes bounds the store of recent traces (default 4 MiB: a few
	// thousand spans; Go's collector multiplies what is live several times
	// over in the heap of a busy process).
	MaxBytes int64
}
