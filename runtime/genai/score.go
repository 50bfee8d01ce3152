package genai

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/textcut"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// Score records an evaluation of the span ctx carries (a model call, the
// request that made it): user feedback, an evaluator's verdict, a
// guardrail's result. value is a number (NUMERIC), a bool (BOOLEAN) or a
// string (CATEGORICAL: a low-cardinality label such as "pass"); options
// add a comment or score another trace or span, one whose IDs were kept
// from an earlier request.
//
// The score goes to Langfuse's scores API, attached to the trace and the
// observation, and to the other destinations as the GenAI conventions'
// gen_ai.evaluation.result event (an OpenTelemetry log record carrying the
// span's trace and span IDs), through the same delivery as spans: queued
// in memory, spooled to disk while a destination is down, sent when it is
// back, every score counted.
//
// Score never blocks and never fails: it hands the score to the runtime
// runtime.Configure started (the most recently configured one) and
// returns. A score that cannot be sent (no runtime, no span and no trace
// given, no name, a value of another type, such as a named type: convert
// it) is dropped, counted and explained once in the runtime's log.
func Score(ctx context.Context, name string, value any, opts ...ScoreOption) {
	sc := scores.Score{Name: name, Time: time.Now()}
	if span := trace.SpanContextFromContext(ctx); span.IsValid() {
		sc.TraceID, sc.SpanID = span.TraceID(), span.SpanID()
	}
	var c scoreConfig
	for _, o := range opts {
		o(&c)
	}
	if c.target {
		sc.TraceID, sc.SpanID = c.traceID, c.spanID
	}
	if c.comment != "" && CaptureContent() {
		sc.Comment = textcut.To(c.comment, maxScoreComment)
	}
	if why := setValue(&sc, value); why != "" {
		scores.Drop(scores.DropInvalid, fmt.Sprintf("genai.Score(%q): %s; the score is dropped", name, why))
		return
	}
	switch {
	case strings.TrimSpace(name) == "":
		scores.Drop(scores.DropInvalid, "genai.Score: the name is empty; name the evaluation (for example \"helpfulness\"); the score is dropped")
		return
	case !sc.TraceID.IsValid():
		scores.Drop(scores.DropNoTrace, fmt.Sprintf("genai.Score(%q): the context carries no span and no trace was given (genai.ForTrace, genai.ForSpan); the score is dropped", name))
		return
	}
	if sc.ID = c.id; sc.ID == "" {
		sc.ID = newScoreID()
	} else if len(c.id) > maxScoreID || strings.ContainsAny(c.id, "\r\n") {
		scores.Drop(scores.DropInvalid, fmt.Sprintf("genai.Score(%q): the score ID is longer than %d bytes or holds a line break; the score is dropped", name, maxScoreID))
		return
	}
	scores.Send(sc)
}

// maxScoreComment bounds a comment, in bytes: a score is a verdict, not a
// document (cut with a mark past it).
const maxScoreComment = 16 << 10

// maxScoreID is the longest score ID Langfuse takes (idSchema in
// langfuse/langfuse packages/shared/src/server/ingestion/types.ts at
// 62751446149b702b419a9292ddfc2280cdf74b8c).
const maxScoreID = 800

// setValue puts value in sc, or says why it cannot.
func setValue(sc *scores.Score, value any) string {
	switch v := value.(type) {
	case bool:
		sc.Kind, sc.Number = scores.Boolean, 0
		if v {
			sc.Number = 1
		}
		return ""
	case string:
		if v == "" {
			return "the label is empty"
		}
		sc.Kind, sc.Label = scores.Categorical, v
		return ""
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, json.Number:
		sc.Kind, sc.Number = scores.Numeric, Float64Of(v)
		if math.IsNaN(sc.Number) || math.IsInf(sc.Number, 0) {
			return "the value is not a finite number"
		}
		return ""
	}
	return fmt.Sprintf("a value of type %T is not a number, a bool or a string", value)
}

// newScoreID returns a random UUID (version 4). It is made once, here, and
// travels with the score, so that every retry and replay sends the same ID:
// Langfuse keeps one row per score ID.
func newScoreID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	hex.Encode(s[9:13], b[4:6])
	hex.Encode(s[14:18], b[6:8])
	hex.Encode(s[19:23], b[8:10])
	hex.Encode(s[24:], b[10:])
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return string(s[:])
}

// A ScoreOption refines a Score.
type ScoreOption func(*scoreConfig)

type scoreConfig struct {
	comment string
	id      string
	target  bool
	traceID trace.TraceID
	spanID  trace.SpanID
}

// WithComment adds free text to the score: an evaluator's reasoning, what
// the user wrote with their feedback. It is content: recorded only while
// content capture is on, cut past 16 KiB, and sent only to the
// destinations that take content (Langfuse as its comment, the others as
// gen_ai.evaluation.explanation).
func WithComment(text string) ScoreOption { return func(c *scoreConfig) { c.comment = text } }

// WithScoreID gives the score an ID of your own (at most 800 bytes): a
// later score with the same ID replaces it in Langfuse, as a user who
// changes their feedback expects. Without it every Score is a new score.
func WithScoreID(id string) ScoreOption { return func(c *scoreConfig) { c.id = id } }

// ForTrace scores the whole trace traceID instead of ctx's span: a
// trace-level score in Langfuse. Pass ctx's own trace
// (trace.SpanContextFromContext(ctx).TraceID()) to score the request
// rather than the span.
func ForTrace(traceID trace.TraceID) ScoreOption {
	return func(c *scoreConfig) { c.target, c.traceID, c.spanID = true, traceID, trace.SpanID{} }
}

// ForSpan scores span spanID of trace traceID instead of ctx's span: for
// feedback that arrives in a later request, with the IDs the first one
// handed out.
func ForSpan(traceID trace.TraceID, spanID trace.SpanID) ScoreOption {
	return func(c *scoreConfig) { c.target, c.traceID, c.spanID = true, traceID, spanID }
}
