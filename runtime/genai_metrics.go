package runtime

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// Bucket boundaries of the GenAI client metrics (semconv v1.41; the same
// in semantic-conventions-genai v0.1.0's docs/gen-ai/client-inference.md
// and model/gen-ai/token-metrics.yaml).
var (
	tokenBuckets    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
	durationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
)

// genaiMetrics records the GenAI client metrics of one release of the
// conventions, never both (a backend summing the two families would count
// every token twice), from finished model-call spans, in the pipeline's
// goroutine: the wrappers pay nothing for them. Attribute sets are built
// once per combination of operation, provider, models and error type, not
// per span.
type genaiMetrics struct {
	family metricFamily
	latest bool
	mu     sync.Mutex // Account runs on callers' goroutines too
	sets   map[metricKey]*metricSets
}

// metricFamily records one model call in one release's instruments.
type metricFamily interface {
	record(ctx context.Context, f *export.Facts, seconds float64, sets *metricSets)
}

type metricKey struct{ op, provider, reqModel, respModel, errType string }

// metricSets are a call's attribute sets: duration is the durations' (and
// v0.1.0's token histograms'), with error.type; input and output are
// v1.41's token usage's, by gen_ai.token.type; usage is v0.1.0's usage
// counters', with gen_ai.token.modality.
type metricSets struct {
	duration, input, output, usage attribute.Set
}

func newGenAIMetrics(meter metric.Meter, conv export.Conventions) (*genaiMetrics, error) {
	g := &genaiMetrics{latest: conv == export.ConventionsLatest, sets: map[metricKey]*metricSets{}}
	var err error
	if g.latest {
		g.family, err = newLatestMetrics(meter)
	} else {
		g.family, err = newV141Metrics(meter)
	}
	return g, err
}

func (g *genaiMetrics) Name() string                   { return "genai-metrics" }
func (g *genaiMetrics) Flush(context.Context) error    { return nil }
func (g *genaiMetrics) Shutdown(context.Context) error { return nil }

// Consume records the metrics of the batch's model calls.
func (g *genaiMetrics) Consume(spans []*export.Span) {
	for _, sp := range spans {
		g.Account(sp.Facts, sp.StartTime(), sp.EndTime())
	}
}

// Account records one model call: the pipeline's spans through Consume,
// and the calls of spans shed for memory, from the callers' goroutines.
func (g *genaiMetrics) Account(f *export.Facts, start, end time.Time) {
	if f == nil || !f.IsModelCall() {
		return
	}
	k := metricKey{f.Operation, f.Provider, f.RequestModel, f.ResponseModel, ""}
	if f.Error {
		k.errType = cmp.Or(f.ErrorType, genai.ErrorTypeOther)
	}
	g.family.record(context.Background(), f, end.Sub(start).Seconds(), g.setsOf(k))
}

// setsOf returns the attribute sets of a call's metrics, cached.
func (g *genaiMetrics) setsOf(k metricKey) *metricSets {
	g.mu.Lock()
	defer g.mu.Unlock()
	sets := g.sets[k]
	if sets == nil {
		sets = newMetricSets(k, g.latest)
		if len(g.sets) < 4096 { // model names come from responses: bound the cache
			g.sets[k] = sets
		}
	}
	return sets
}

func newMetricSets(k metricKey, latest bool) *metricSets {
	attrs := []attribute.KeyValue{genai.OperationName.String(k.op)}
	if k.provider != "" {
		attrs = append(attrs, genai.ProviderName.String(k.provider))
		if !latest {
			// gen_ai.system too: Instana's GenAI metrics were read by it
			// (instana/otel-dc's genai collector).
			attrs = append(attrs, vocab.LegacySystem.String(k.provider))
		}
	}
	if k.reqModel != "" {
		attrs = append(attrs, genai.RequestModel.String(k.reqModel))
	}
	if k.respModel != "" {
		attrs = append(attrs, genai.ResponseModel.String(k.respModel))
	}
	withErr := attrs
	if k.errType != "" {
		withErr = append(slices.Clone(attrs), genai.ErrorType.String(k.errType))
	}
	with := func(base []attribute.KeyValue, kv attribute.KeyValue) attribute.Set {
		return attribute.NewSet(append(slices.Clone(base), kv)...)
	}
	if latest {
		// genaitrace's wrappers do not tell modalities apart: the
		// conventions' unknown, with which the counters still add up to the
		// call's tokens.
		return &metricSets{duration: attribute.NewSet(withErr...), usage: with(attrs, vocab.GenAITokenModality.String("unknown"))}
	}
	return &metricSets{
		duration: attribute.NewSet(withErr...),
		input:    with(attrs, semconv.GenAITokenTypeKey.String(string(genaiconv.TokenTypeInput))),
		output:   with(attrs, semconv.GenAITokenTypeKey.String(string(genaiconv.TokenTypeOutput))),
	}
}

// v141Metrics are semconv v1.41's gen_ai.client.token.usage and
// gen_ai.client.operation.duration (genaiconv's instruments).
type v141Metrics struct {
	tokens   genaiconv.ClientTokenUsage
	duration genaiconv.ClientOperationDuration
}

func newV141Metrics(meter metric.Meter) (*v141Metrics, error) {
	tokens, err := genaiconv.NewClientTokenUsage(meter, metric.WithExplicitBucketBoundaries(tokenBuckets...))
	if err != nil {
		return nil, err
	}
	duration, err := genaiconv.NewClientOperationDuration(meter, metric.WithExplicitBucketBoundaries(durationBuckets...))
	if err != nil {
		return nil, err
	}
	return &v141Metrics{tokens: tokens, duration: duration}, nil
}

func (m *v141Metrics) record(ctx context.Context, f *export.Facts, seconds float64, sets *metricSets) {
	m.duration.RecordSet(ctx, seconds, sets.duration)
	if f.HasUsage {
		m.tokens.RecordSet(ctx, f.Usage.Input, sets.input)
		m.tokens.RecordSet(ctx, f.Usage.Output, sets.output)
	}
}

// latestMetrics are semantic-conventions-genai v0.1.0's: the
// gen_ai.client.inference.usage.* counters, the
// gen_ai.client.inference.operation.* token histograms and
// gen_ai.client.inference.duration for inference (model/gen-ai/token-metrics.yaml
// at 066d4a7f356f8600de6f10c42874626ab88692fb, docs/gen-ai/client-inference.md
// at 024a4f944a1291fcb627c9c47da69e79868dd15e); gen_ai.client.operation.duration
// stays for the other GenAI client operations (embeddings), which it says
// is not reported for inference. No Go package has them: they are built
// with the metric API.
type latestMetrics struct {
	usage             [5]metric.Int64Counter // input, output, cache read, cache write, reasoning
	opInput, opOutput metric.Int64Histogram
	inference         metric.Float64Histogram
	operation         genaiconv.ClientOperationDuration
}

// latestUsageCounters name the usage counters in latestMetrics.usage's
// order, with what each counts.
var latestUsageCounters = [5]struct{ name, desc string }{
	{vocab.MetricInferenceUsageInputTokens, "Input (prompt) tokens used by GenAI inference operations, cached tokens included."},
	{vocab.MetricInferenceUsageOutputTokens, "Output tokens used by GenAI inference operations, reasoning tokens included."},
	{vocab.MetricInferenceUsageCacheReadTokens, "Input tokens read from the provider's cache: a part of the input tokens."},
	{vocab.MetricInferenceUsageCacheWriteTokens, "Input tokens written to the provider's cache: a part of the input tokens."},
	{vocab.MetricInferenceUsageReasoningTokens, "Reasoning tokens: a part of the output tokens."},
}

func newLatestMetrics(meter metric.Meter) (*latestMetrics, error) {
	m := &latestMetrics{}
	var err error
	for i, c := range latestUsageCounters {
		if m.usage[i], err = meter.Int64Counter(c.name, metric.WithUnit("{token}"), metric.WithDescription(c.desc)); err != nil {
			return nil, err
		}
	}
	if m.opInput, err = meter.Int64Histogram(vocab.MetricInferenceOperationInputTokens, metric.WithUnit("{token}"),
		metric.WithDescription("Input tokens of one GenAI inference operation."), metric.WithExplicitBucketBoundaries(tokenBuckets...)); err != nil {
		return nil, err
	}
	if m.opOutput, err = meter.Int64Histogram(vocab.MetricInferenceOperationOutputTokens, metric.WithUnit("{token}"),
		metric.WithDescription("Output tokens of one GenAI inference operation."), metric.WithExplicitBucketBoundaries(tokenBuckets...)); err != nil {
		return nil, err
	}
	if m.inference, err = meter.Float64Histogram(vocab.MetricInferenceDuration, metric.WithUnit("s"),
		metric.WithDescription("GenAI inference operation duration."), metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, err
	}
	if m.operation, err = genaiconv.NewClientOperationDuration(meter, metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, err
	}
	return m, nil
}

// record records an inference on the inference metrics, including a
// failed one or one without usage, whose counts are recorded as 0 (the
// conventions' rule, so that the calls are counted); the token histograms
// only when the provider reported usage. Cache and reasoning counts are
// recorded when there are some. An embedding has its duration only: the
// release's token counters are for inference.
func (m *latestMetrics) record(ctx context.Context, f *export.Facts, seconds float64, sets *metricSets) {
	if f.Operation == genai.OpEmbeddings {
		m.operation.RecordSet(ctx, seconds, sets.duration)
		return
	}
	m.inference.Record(ctx, seconds, metric.WithAttributeSet(sets.duration))
	var u [5]int64
	if f.HasUsage {
		u = [5]int64{f.Usage.Input, f.Usage.Output, f.Usage.CacheRead, f.Usage.CacheWrite, f.Usage.Reasoning}
		m.opInput.Record(ctx, f.Usage.Input, metric.WithAttributeSet(sets.duration))
		m.opOutput.Record(ctx, f.Usage.Output, metric.WithAttributeSet(sets.duration))
	}
	usage := metric.WithAttributeSet(sets.usage)
	for i, n := range u {
		if i < 2 || n > 0 {
			m.usage[i].Add(ctx, n, usage)
		}
	}
}
