package export

import (
	"encoding/json"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"

	"github.com/genaitrace/genaitrace/runtime/export/internal/delivery"
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

// scoreEncoder writes scores as one destination takes them: Langfuse's
// scores API JSON, one per batch, or OTLP log records, many per batch.
type scoreEncoder struct {
	format ScoreFormat
	// content sends comments (masked); env is Langfuse's environment.
	content bool
	mask    *mask.Masker
	env     string
	res     []attribute.KeyValue
	resURL  string
	buf     otlp.Buf
	z       otlp.Compressor
}

func newScoreEncoder(tr Translator, m *mask.Masker, cfg ScoreConfig) scoreEncoder {
	e := scoreEncoder{format: cfg.Format, content: takesContent(tr), mask: m, env: cfg.Environment}
	if cfg.Format == EvaluationEvents && cfg.Resource != nil {
		e.res, e.resURL = tr.Resource(cfg.Resource), cfg.Resource.SchemaURL()
	}
	return e
}

// comment is sc's comment as the destination may receive it.
func (e *scoreEncoder) comment(sc *scores.Score) string {
	if !e.content || sc.Comment == "" {
		return ""
	}
	return e.mask.Text(semconv.GenAIEvaluationExplanationKey, sc.Comment)
}

func (e *scoreEncoder) encode(batch []scores.Score) []*delivery.Batch {
	now := time.Now()
	if e.format == LangfuseScores {
		out := make([]*delivery.Batch, 0, len(batch))
		for i := range batch {
			out = append(out, &delivery.Batch{Data: e.langfuse(&batch[i]), Spans: 1, Created: now, Plain: true})
		}
		return out
	}
	var out []*delivery.Batch
	for start := 0; start < len(batch); start += scoreBatchMax {
		part := batch[start:min(start+scoreBatchMax, len(batch))]
		out = append(out, &delivery.Batch{Data: e.z.Compress(e.events(part)), Spans: len(part), Created: now})
	}
	return out
}

// langfuseScore is the body of POST /api/public/scores (CreateScoreRequest
// in Langfuse's OpenAPI spec; validated by PostScoresBody,
// packages/shared/src/features/scores/interfaces/api/shared.ts, at
// langfuse/langfuse 62751446149b702b419a9292ddfc2280cdf74b8c). The data
// type is always explicit: BOOLEAN takes 0 or 1, CATEGORICAL a string.
type langfuseScore struct {
	ID            string            `json:"id"`
	TraceID       string            `json:"traceId"`
	ObservationID string            `json:"observationId,omitempty"`
	Name          string            `json:"name"`
	Value         any               `json:"value"`
	DataType      string            `json:"dataType"`
	Comment       string            `json:"comment,omitempty"`
	Environment   string            `json:"environment,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
}

// langfuse encodes one score. Langfuse stamps a score with the time of
// the request (it takes no timestamp): the time it was made travels in
// its metadata, for a score delivered late, from the spool.
func (e *scoreEncoder) langfuse(sc *scores.Score) []byte {
	body := langfuseScore{ID: sc.ID, TraceID: sc.TraceID.String(), Name: sc.Name, Comment: e.comment(sc),
		Environment: e.env, Metadata: map[string]string{"scored_at": sc.Time.UTC().Format(time.RFC3339Nano)}}
	if sc.SpanID.IsValid() {
		body.ObservationID = sc.SpanID.String()
	}
	switch sc.Kind {
	case scores.Categorical:
		body.Value, body.DataType = sc.Label, "CATEGORICAL"
	case scores.Boolean:
		body.Value, body.DataType = sc.Number, "BOOLEAN"
	default:
		body.Value, body.DataType = sc.Number, "NUMERIC"
	}
	b, _ := json.Marshal(body) // strings and finite numbers: it cannot fail
	return b
}

// events encodes scores as gen_ai.evaluation.result log records.
func (e *scoreEncoder) events(batch []scores.Score) []byte {
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
func (e *scoreEncoder) event(sc *scores.Score) otlp.LogRecord {
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
