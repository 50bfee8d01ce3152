// Command quickstart makes one agent → tool → LLM-call trace through
// genaitrace's runtime and shows it. With no destination configured (no
// account, no server) each finished trace is printed to stderr as a tree;
// with the Instana and Langfuse variables set, the same trace goes there.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

func main() {
	ctx := context.Background()
	m, err := runtime.Configure(ctx, runtime.WithServiceName("quickstart"))
	if err != nil {
		log.Fatal(err)
	}
	tr := m.Tracer("github.com/genaitrace/genaitrace/examples/quickstart")

	ctx = genai.WithSession(ctx, "session-1")
	plan(ctx, tr, "What should I wear in Paris today?")

	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Shutdown(shutdown); err != nil {
		log.Print(err)
	}
	fmt.Fprintln(os.Stderr, "\nThat trace went to the console because no destination is configured.")
	fmt.Fprintln(os.Stderr, "Set INSTANA_ENDPOINT, or LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, to send it there.")
}

// plan is a planner agent: it calls a search tool, then the model twice;
// the second call fails.
func plan(ctx context.Context, tr trace.Tracer, question string) {
	ctx, span := tr.Start(ctx, "invoke_agent planner", trace.WithAttributes(
		genai.OperationName.String(genai.OpInvokeAgent), genai.AgentName.String("planner")))
	defer span.End()

	forecast := search(ctx, tr, "weather Paris")
	chat(ctx, tr, question+" Forecast: "+forecast, nil)
	chat(ctx, tr, "Summarise.", errors.New("429 Too Many Requests"))
}

func search(ctx context.Context, tr trace.Tracer, query string) string {
	_, span := tr.Start(ctx, "execute_tool search", trace.WithAttributes(
		genai.OperationName.String(genai.OpExecuteTool), genai.ToolName.String("search"), genai.ToolCallID.String("call_1")))
	defer span.End()
	time.Sleep(15 * time.Millisecond)
	return "light rain, 14°C"
}

func chat(ctx context.Context, tr trace.Tracer, prompt string, fail error) {
	_, span := tr.Start(ctx, "chat gpt-4o-mini", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		genai.OperationName.String(genai.OpChat), genai.ProviderName.String("openai"),
		genai.RequestModel.String("gpt-4o-mini"), genai.RequestTemperature.Float64(0.3)))
	defer span.End()
	time.Sleep(40 * time.Millisecond)
	if fail != nil {
		span.SetAttributes(genai.ErrorType.String("rate_limit"))
		span.SetStatus(codes.Error, fail.Error())
		return
	}
	span.SetAttributes(
		genai.ResponseModel.String("gpt-4o-mini-2024-07-18"), genai.ResponseID.String("chatcmpl-1"),
		genai.UsageInputTokens.Int(len(prompt)/4+12), genai.UsageOutputTokens.Int(48),
		genai.ResponseFinishReasons.StringSlice([]string{"stop"}))
}
