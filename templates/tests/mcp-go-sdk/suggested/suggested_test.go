package suggested

import (
	"context"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"example.com/presets/mcpgosdk/internal/fake"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// TestSuggestedMappingRecords calls a tool through the suggestion's
// wrapper, unedited, on a real MCP server in process: the tool's name,
// and the failure its result reports.
func TestSuggestedMappingRecords(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	session := NewTracedClientSession(fake.Session(t, tp), genai.WithTracerProvider(tp))
	res, err := session.CallTool(context.Background(), &mcp.CallToolParams{Name: "divide", Arguments: fake.DivideArgs{A: 1}})
	if err != nil || !res.IsError {
		t.Fatalf("1/0: %v %+v", err, res)
	}
	calls := fake.Named(rec.Ended(), "execute_tool divide")
	if len(calls) != 1 {
		t.Fatalf("%d execute_tool spans, want 1", len(calls))
	}
	a := fake.Attrs(calls[0])
	for k, want := range map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "divide", "error.type": "tool_error"} {
		if a[k] != want {
			t.Errorf("%s = %v, want %v", k, a[k], want)
		}
	}
	if calls[0].Status().Code != codes.Error {
		t.Errorf("the tool's failure was not recorded: %v", calls[0].Status())
	}
}
