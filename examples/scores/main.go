// Command scores records evaluations with genai.Score, without generated
// code or a preset: a model call made by hand as a span, an evaluator that
// scores the answer at once, and user feedback that arrives later, in
// another request, for the call whose IDs the first one handed out.
//
// Configured from the environment like any application: with the
// Langfuse keys set, the scores appear on the trace and the generation in
// Langfuse; with INSTANA_ENDPOINT, as gen_ai.evaluation.result log
// records on the call; with neither, the trace goes to the console and the
// scores are counted as having no destination.
//
//	LANGFUSE_PUBLIC_KEY=pk-lf-... LANGFUSE_SECRET_KEY=sk-lf-... go run ./examples/scores
//
// A destination that is down when the program exits keeps its scores in
// the spool (TELEMETRY_SPOOL_DIR): a later process of the service that
// runs long enough (a poll interval) finds and sends them.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer) error {
	m, err := runtime.Configure(ctx, runtime.WithServiceName("scores-example"))
	if err != nil {
		return err
	}
	tracer := m.Tracer("scores-example")

	// The first request answers, and hands out the call's IDs with the
	// answer, as a chat backend gives its frontend a message ID.
	traceID, spanID := answer(ctx, tracer, "Do I need an umbrella in Paris today?")

	// A later request: the user clicked "helpful", twice. The score ID
	// makes the second click update the first rather than add a score.
	for range 2 {
		feedback(traceID, spanID, "helpful", "the umbrella tip was right")
	}

	flushCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_ = m.Flush(flushCtx)
	cancel()
	report(out, m)

	shutdownCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return m.Shutdown(shutdownCtx)
}

// answer makes a model call as a span of the GenAI conventions, then
// scores the answer on the spot: a check of the text (a bool) and a
// judge's grade (a number, with its reasoning as the comment). It returns
// the call's IDs.
func answer(ctx context.Context, tracer trace.Tracer, question string) (traceID, spanID string) {
	ctx, call := tracer.Start(ctx, genai.SpanName(genai.OpChat, "gpt-4o-mini"), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(genai.OperationName.String(genai.OpChat), genai.ProviderName.String("openai"),
			genai.RequestModel.String("gpt-4o-mini")))
	reply := "Light rain this afternoon: take an umbrella."
	call.SetAttributes(genai.ResponseModel.String("gpt-4o-mini-2024-07-18"),
		genai.UsageInputTokens.Int(24), genai.UsageOutputTokens.Int(11))
	if genai.CaptureContent() {
		call.SetAttributes(genai.InputMessages.String(genai.TextMessage("user", question)),
			genai.OutputMessages.String(genai.TextMessage("assistant", reply)))
	}
	call.End()

	// Scores may come after the span ended: they are sent on their own,
	// with its IDs.
	genai.Score(ctx, "mentions_umbrella", strings.Contains(reply, "umbrella"))
	genai.Score(ctx, "helpfulness", 0.9, genai.WithComment("answers the question and says what to do"))
	// A score of the whole request, not of one call.
	genai.Score(ctx, "resolved", true, genai.ForTrace(call.SpanContext().TraceID()))
	return call.SpanContext().TraceID().String(), call.SpanContext().SpanID().String()
}

// feedback records a user's verdict on the call whose IDs came back with
// it: a category, with what the user wrote.
func feedback(traceHex, spanHex, verdict, text string) {
	tid, err1 := trace.TraceIDFromHex(traceHex)
	sid, err2 := trace.SpanIDFromHex(spanHex)
	if err1 != nil || err2 != nil {
		return // not IDs of ours: nothing to score
	}
	genai.Score(context.Background(), "user_feedback", verdict, genai.ForSpan(tid, sid),
		genai.WithComment(text), genai.WithScoreID("feedback-"+spanHex))
}

// report says what became of the scores at each destination.
func report(out io.Writer, m *runtime.Manager) {
	p := m.PipelineStats().Scores
	fmt.Fprintf(out, "scores handed over: %d\n", p.Accepted)
	for reason, n := range p.Dropped {
		fmt.Fprintf(out, "scores dropped before any destination (%s): %d\n", reason, n)
	}
	for _, d := range m.Destinations() {
		if s := d.Scores; s != nil {
			waiting := int64(0)
			if s.Spool != nil {
				waiting = s.Spool.PendingSpans
			}
			fmt.Fprintf(out, "%s: %d scores delivered, %d waiting in the spool, %d dropped (%s)\n",
				d.Name, s.Exported, waiting, s.DroppedTotal(), s.Endpoint)
		}
	}
}
