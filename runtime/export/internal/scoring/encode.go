package scoring

import (
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"

	"github.com/genaitrace/genaitrace/runtime/export/internal/delivery"
	"github.com/genaitrace/genaitrace/runtime/export/internal/langfuse"
	"github.com/genaitrace/genaitrace/runtime/export/internal/mask"
	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// evaluationEvent is the event name of the GenAI conventions' evaluation
// result (model/gen-ai/events.yaml, gen_ai.evaluation.result: "This event
// SHOULD be parented to GenAI operation span being evaluated when
// possible").
const evaluationEvent = "gen_ai.evaluation.result"

// encoder writes scores as one destination takes them: Langfuse's scores
// API JSON, one per batch, or OTLP log records, many per batch.
type encoder struct {
	langfuse bool
	// content sends comments (masked); env is Langfuse's environment.
	content bool
	mask    *mask.Masker
	env     string
	res     []attribute.KeyValue
	resURL  string
	buf     otlp.Buf
	z       otlp.Compressor
}

func newEncoder(cfg Config) encoder {
	return encoder{langfuse: cfg.Langfuse, content: cfg.Content, mask: cfg.Mask, env: cfg.Environment, res: cfg.Resource, resURL: cfg.SchemaURL}
}

// comment is sc's comment as the destination may receive it.
func (e *encoder) comment(sc *scores.Score) string {
	if !e.content || sc.Comment == "" {
		return ""
	}
	return e.mask.Text(semconv.GenAIEvaluationExplanationKey, sc.Comment)
}

func (e *encoder) encode(batch []scores.Score) []*delivery.Batch {
	now := time.Now()
	if e.langfuse {
		out := make([]*delivery.Batch, 0, len(batch))
		for i := range batch {
			sc := &batch[i]
			out = append(out, &delivery.Batch{Data: langfuse.Score(sc, e.comment(sc), e.env), Spans: 1, Created: now, Plain: true})
		}
		return out
	}
	var out []*delivery.Batch
	for start := 0; start < len(batch); start += batchMax {
		part := batch[start:min(start+batchMax, len(batch))]
		out = append(out, &delivery.Batch{Data: e.z.Compress(e.events(part)), Spans: len(part), Created: now})
	}
	return out
}

// events encodes scores as gen_ai.evaluation.result log records.
func (e *encoder) events(batch []scores.Score) []byte {
	e.buf.Reset()
	records := make([]otlp.LogRecord, len(batch))
	for i := range batch {
		records[i] = e.event(&batch[i])
	}
	e.buf.Logs(e.res, e.resURL, otlp.Scope{Name: genai.ScopeName, Version: genai.Version, SchemaURL: genai.SchemaURL}, records)
	return e.buf.B
}

// event is one score as the conventions' evaluation event: the value as
// gen_ai.evaluation.score.value (a bool as 1 or 0, with the label true or
// false), a category as gen_ai.evaluation.score.label, the comment as
// gen_ai.evaluation.explanation. The body says it in words, for log views
// that show a record's body (Instana's takes the body, the trace and span
// IDs and the severity, and shows attributes as custom tags).
func (e *encoder) event(sc *scores.Score) otlp.LogRecord {
	attrs := make([]attribute.KeyValue, 0, 4)
	attrs = append(attrs, semconv.GenAIEvaluationName(sc.Name))
	var shown string
	switch sc.Kind {
	case scores.Categorical:
		attrs = append(attrs, semconv.GenAIEvaluationScoreLabel(sc.Label))
		shown = sc.Label
	case scores.Boolean:
		shown = strconv.FormatBool(sc.Number == 1)
		attrs = append(attrs, semconv.GenAIEvaluationScoreValue(sc.Number), semconv.GenAIEvaluationScoreLabel(shown))
	default:
		attrs = append(attrs, semconv.GenAIEvaluationScoreValue(sc.Number))
		shown = strconv.FormatFloat(sc.Number, 'g', -1, 64)
	}
	if c := e.comment(sc); c != "" {
		attrs = append(attrs, semconv.GenAIEvaluationExplanation(c))
	}
	t := sc.Time.UnixNano()
	return otlp.LogRecord{Time: t, ObservedTime: t, Severity: otlp.SeverityInfo, SeverityText: "INFO",
		Body: "evaluation " + sc.Name + ": " + shown, EventName: evaluationEvent,
		TraceID: sc.TraceID, SpanID: sc.SpanID, Attrs: attrs}
}
