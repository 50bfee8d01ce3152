package suggested

import (
	"context"
	"maps"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"example.com/presets/mcpgo/internal/fake"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// TestSuggestedMappingRecords calls a tool through the suggestion's
// wrapper, unedited, on a real MCP server in process: the tool's name,
// and the failure its result reports.
func TestSuggestedMappingRecords(t *testing.T) {
	ctx := context.Background()
	c := fake.Client(t)
	rec := tracetest.NewSpanRecorder()
	traced := NewTracedMCPClient(c, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "suggested-test", Version: "1.0.0"}
	if _, err := traced.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "divide"
	req.Params.Arguments = map[string]any{"a": 1.0, "b": 0.0}
	if res, err := traced.CallTool(ctx, req); err != nil || !res.IsError {
		t.Fatalf("1/0: %v %+v", err, res)
	}
	spans := rec.Ended()
	if len(spans) != 2 || spans[0].Name() != "MCPClient.Initialize" || spans[1].Name() != "execute_tool divide" {
		t.Fatalf("%d spans: %v", len(spans), spans)
	}
	want := map[attribute.Key]string{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "divide", "error.type": "tool_error"}
	got := map[attribute.Key]string{}
	for _, kv := range spans[1].Attributes() {
		if _, ok := want[kv.Key]; ok {
			got[kv.Key] = kv.Value.String()
		}
	}
	if !maps.Equal(want, got) {
		t.Errorf("CallTool's span: %v, want %v", got, want)
	}
	if spans[1].Status().Code != codes.Error {
		t.Errorf("the tool's failure was not recorded: %v", spans[1].Status())
	}
}
