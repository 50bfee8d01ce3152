package genai_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"

	"github.com/genaitrace/genaitrace/runtime"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// Record a user's verdict on a model call: the score reaches Langfuse's
// scores API (here a loopback server printing what it is sent), attached
// to the call's trace and observation, and the other destinations as a
// gen_ai.evaluation.result event.
func ExampleScore() {
	got := make(chan map[string]any, 8)
	langfuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/public/scores" {
			var score map[string]any
			_ = json.NewDecoder(r.Body).Decode(&score)
			got <- score
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer langfuse.Close()
	spool, _ := os.MkdirTemp("", "genaitrace-example")
	defer os.RemoveAll(spool)

	ctx := context.Background()
	m, err := runtime.Configure(ctx, runtime.WithLangfuse(langfuse.URL, "pk-lf-example", "sk-lf-example"),
		runtime.WithoutGlobal(), runtime.WithSpoolDir(spool))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Shutdown(ctx)

	callCtx, call := m.Tracer("example").Start(ctx, "chat gpt-4o")
	call.End()
	// Later, when the user rates the answer:
	genai.Score(callCtx, "helpfulness", 0.9, genai.WithComment("the steps worked"))
	genai.Score(callCtx, "resolved", true)

	_ = m.Flush(ctx)
	scores := []map[string]any{<-got, <-got} // sent concurrently: in name order below
	slices.SortFunc(scores, func(a, b map[string]any) int { return strings.Compare(a["name"].(string), b["name"].(string)) })
	for _, score := range scores {
		fmt.Println(score["name"], score["value"], score["dataType"], score["comment"],
			score["traceId"] == call.SpanContext().TraceID().String(), score["observationId"] == call.SpanContext().SpanID().String())
	}
	// Output:
	// helpfulness 0.9 NUMERIC the steps worked true true
	// resolved 1 BOOLEAN <nil> true true
}
