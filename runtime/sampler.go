package runtime

import (
	"fmt"
	"strings"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/export"
)

// recordAll is genaitrace's sampler for the SDK: every span is recorded,
// so that every model call is counted and a trace can be kept for what it
// turns out to hold. Its sampled flag, which the propagator passes
// downstream, says whether the trace is in the share of plain traces kept:
// a trace started here by the ratio of its ID (the rule of the SDK's
// TraceIDRatioBased, so processes that use either agree); a span with a
// parent as its parent says, the caller upstream included. The pipeline's
// sampler then keeps whole every trace with something of value (a GenAI
// span, an error, a slow root) and the sampled-in share of the others.
type recordAll struct {
	ratio sdktrace.Sampler
}

func newRecordAll(rate float64) recordAll { return recordAll{ratio: sdktrace.TraceIDRatioBased(rate)} }

// ShouldSample records every span; the sampled flag is the parent's, or
// the ratio's for a root.
func (s recordAll) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	parent := trace.SpanContextFromContext(p.ParentContext)
	sampled := parent.IsSampled()
	if !parent.IsValid() {
		sampled = s.ratio.ShouldSample(p).Decision == sdktrace.RecordAndSample
	}
	d := sdktrace.RecordOnly
	if sampled {
		d = sdktrace.RecordAndSample
	}
	return sdktrace.SamplingResult{Decision: d, Tracestate: parent.TraceState()}
}

// Description names the sampler as the SDK's do.
func (s recordAll) Description() string {
	return fmt.Sprintf("genaitrace.RecordAll{sampled: ParentBased(%s)}", s.ratio.Description())
}

// SampleKeep is a kind of trace kept whole whatever the sample rate (see
// WithSampleKeep).
type SampleKeep struct {
	kind string
	slow time.Duration
}

// The kinds of traces WithSampleKeep can keep whole.
var (
	// KeepGenAI keeps every trace with a GenAI span: a model call, an
	// embedding, a tool or an agent, whatever instrumentation made it.
	KeepGenAI = SampleKeep{kind: "genai"}
	// KeepErrors keeps every trace with a failed span.
	KeepErrors = SampleKeep{kind: "error"}
)

// KeepSlowerThan keeps every trace whose local root lasted longer than d.
func KeepSlowerThan(d time.Duration) SampleKeep { return SampleKeep{kind: "slow", slow: d} }

// String is the rule as TELEMETRY_SAMPLE_KEEP writes it.
func (k SampleKeep) String() string {
	if k.kind == "slow" {
		return "slow>" + k.slow.String()
	}
	return k.kind
}

// defaultSampleKeep is what TELEMETRY_SAMPLE_KEEP says when unset.
var defaultSampleKeep = []SampleKeep{KeepGenAI, KeepErrors}

// parseSampleKeep reads TELEMETRY_SAMPLE_KEEP: a comma list of genai,
// error and slow>DURATION.
func parseSampleKeep(v string) ([]SampleKeep, error) {
	var out []SampleKeep
	for _, item := range strings.Split(v, ",") {
		item = strings.ToLower(strings.TrimSpace(item))
		switch {
		case item == "genai":
			out = append(out, KeepGenAI)
		case item == "error" || item == "errors":
			out = append(out, KeepErrors)
		case strings.HasPrefix(item, "slow>"):
			d, err := time.ParseDuration(strings.TrimPrefix(item, "slow>"))
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("%q: the duration is not a positive Go duration such as 2s", item)
			}
			out = append(out, KeepSlowerThan(d))
		case item == "" || item == "none":
		default:
			return nil, fmt.Errorf("%q is not a kind of trace to keep", item)
		}
	}
	return out, nil
}

// sampling is the pipeline's form of the rules.
func sampling(keep []SampleKeep) export.Sampling {
	var s export.Sampling
	for _, k := range keep {
		switch k.kind {
		case "genai":
			s.KeepGenAI = true
		case "error":
			s.KeepErrors = true
		case "slow":
			s.KeepSlowerThan = k.slow
		}
	}
	return s
}
