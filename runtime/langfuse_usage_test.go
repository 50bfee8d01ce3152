package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"regexp"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/internal/wrapbench"
	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// quotaClient answers its first call with usage and fails the others, as a
// provider that starts rate-limiting does.
type quotaClient struct{ calls int }

func (c *quotaClient) Complete(_ context.Context, req *wrapbench.Request) (*wrapbench.Response, error) {
	c.calls++
	if c.calls > 1 {
		return nil, errors.New("429 Too Many Requests: rate limit reached")
	}
	return &wrapbench.Response{ID: "chatcmpl-1", Model: req.Model + "-2024-07-18",
		Usage: &wrapbench.Usage{PromptTokens: 1200, CompletionTokens: 85}, Choices: []wrapbench.Choice{{FinishReason: "stop"}}}, nil
}

// TestFailedCallsCarryZeroUsageToLangfuse: Langfuse v4 tokenizes and prices
// a generation that arrives without usage, failed or not
// (worker/src/services/IngestionService/index.ts, getUsageUnits, at
// langfuse/langfuse 62751446: its "level !== ERROR" guard sees no level on
// the v4 path), so a failed call must carry usage it takes as given:
// integer zeros ("{}" is none). A stream cut short keeps what its chunks
// counted. One trace: a call that succeeds and one that fails, through a
// generated wrapper; a stream that fails after its first chunk counted the
// prompt (Anthropic's message_start carries the input tokens, the output
// comes with message_delta, as the anthropic-sdk-go preset reads them);
// and a stream without usage chunks (OpenAI without include_usage) cut
// mid-way. Langfuse gets integer usage on every generation, zeros where
// nothing was counted; with genaitrace's prices, the cost Langfuse is sent
// for the trace is the one the console and /models show.
func TestFailedCallsCarryZeroUsageToLangfuse(t *testing.T) {
	clearEnv(t)
	lf := otlptest.New(t)
	var console logBuffer
	m, _ := configure(t, WithLangfuse(lf.URL(), "pk", "sk"), WithLangfuseCost(export.CostByGenaitrace), WithConsole(&console))
	client := wrapbench.NewTracedClient(&quotaClient{}, genai.WithTracerProvider(m.TracerProvider()))
	tracer := m.Tracer("app")

	ctx, root := tracer.Start(context.Background(), "POST /ask")
	for range 2 {
		_, _ = client.Complete(ctx, &wrapbench.Request{Model: "gpt-4o-mini", MaxTokens: 100})
	}
	failedStream := func(name, provider, model string, first ...any) {
		_, span := tracer.Start(ctx, name, trace.WithAttributes(genai.OperationName.String("chat"),
			genai.ProviderName.String(provider), genai.RequestModel.String(model), genai.RequestStream.Bool(true)))
		st := genai.StartStream(span)
		if len(first) > 0 {
			st.Chunk(genai.UsageInputTokens.Int64(int64(first[0].(int))), genai.UsageCacheReadInputTokens.Int64(int64(first[1].(int))))
		} else {
			st.Chunk()
		}
		st.Chunk()
		st.Fail(errors.New("stream: overloaded"), "overloaded_error")
		st.End()
	}
	failedStream("chat claude-sonnet-4-6", "anthropic", "claude-sonnet-4-6", 105, 90)
	failedStream("chat gpt-4o-mini stream", "openai", "gpt-4o-mini")
	root.End()
	flush(t, m)

	want := map[string]map[string]int64{
		"chat gpt-4o-mini":        {"input": 1200, "output": 85, "total": 1285},
		"failed call":             {"input": 0, "output": 0, "total": 0},
		"chat claude-sonnet-4-6":  {"input": 15, "input_cached_tokens": 90, "output": 0, "total": 105},
		"chat gpt-4o-mini stream": {"input": 0, "output": 0, "total": 0},
	}
	var sentCost float64
	var sentTokens int64
	seen := map[string]bool{}
	for _, s := range lf.WaitSpans(t, 5, 5*time.Second) {
		a := s.Attrs()
		raw, ok := a["langfuse.observation.usage_details"].(string)
		name := s.Name
		if name == "chat gpt-4o-mini" && a["langfuse.observation.level"] == "ERROR" {
			name = "failed call"
		}
		seen[name] = true
		if name == "POST /ask" {
			if ok {
				t.Errorf("the HTTP root carries usage %s", raw)
			}
			continue
		}
		var usage map[string]any
		if err := json.Unmarshal([]byte(raw), &usage); err != nil || !ok {
			t.Errorf("%s: usage_details %q (%v): Langfuse would count its tokens itself", name, raw, err)
			continue
		}
		got := map[string]int64{}
		for k, v := range usage {
			n, isNumber := v.(float64)
			if !isNumber || n != math.Trunc(n) || n < 0 {
				t.Errorf("%s: usage %s=%v is not a non-negative integer, which Langfuse drops (UsageDetails, packages/shared/src/server/ingestion/types.ts)", name, k, v)
			}
			got[k] = int64(n)
		}
		if !maps.Equal(got, want[name]) {
			t.Errorf("%s: usage_details %s, want %v", name, raw, want[name])
		}
		sentTokens += got["input"] + got["input_cached_tokens"] + got["output"]
		if c, ok := a["langfuse.observation.cost_details"].(string); ok {
			var cost struct{ Total float64 }
			_ = json.Unmarshal([]byte(c), &cost)
			sentCost += cost.Total
		}
	}
	if len(seen) != len(want)+1 {
		t.Errorf("Langfuse got %v, want the root and %d generations", seen, len(want))
	}

	var models struct {
		Totals struct {
			Tokens int64   `json:"tokens"`
			Cost   float64 `json:"cost_usd"`
		} `json:"totals"`
	}
	getJSON(t, m, "/models", &models)
	consoleCost := traceCost(t, console.String())
	if sentTokens != models.Totals.Tokens || sentTokens != 1285+105 {
		t.Errorf("tokens: Langfuse is sent %d, /models counts %d; want 1390", sentTokens, models.Totals.Tokens)
	}
	if models.Totals.Cost <= 0 || !sameCost(sentCost, models.Totals.Cost) || !sameCost(consoleCost, models.Totals.Cost) {
		t.Errorf("cost: Langfuse is sent $%.9f, /models $%.9f, the console $%.6f", sentCost, models.Totals.Cost, consoleCost)
	}
}

// traceCost reads the cost on the console's trace line.
func traceCost(t *testing.T, out string) float64 {
	t.Helper()
	m := regexp.MustCompile(`── trace [0-9a-f]{32} .*· \$([0-9.]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no trace line with a cost on the console:\n%s", out)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// sameCost compares costs as the console prints them, to the micro-dollar.
func sameCost(a, b float64) bool { return math.Abs(a-b) < 5e-7 }
