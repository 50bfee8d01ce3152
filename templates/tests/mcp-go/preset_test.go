package mcpgo

import (
	"context"
	"testing"

	"example.com/presets/mcpgo/internal/fake"
	"github.com/mark3labs/mcp-go/mcp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

func TestCallToolThroughTheWrapper(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	ctx := context.Background()
	c := fake.Client(t)
	rec := tracetest.NewSpanRecorder()
	traced := NewTracedMCPClient(c, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "preset-test", Version: "1.0.0"}
	if _, err := traced.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	call := func(a, b float64) *mcp.CallToolResult {
		req := mcp.CallToolRequest{}
		req.Params.Name = "divide"
		req.Params.Arguments = map[string]any{"a": a, "b": b}
		res, err := traced.CallTool(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := call(8, 2); res.IsError {
		t.Fatalf("8/2 failed: %+v", res)
	}
	if res := call(1, 0); !res.IsError {
		t.Fatalf("1/0 did not fail: %+v", res)
	}

	spans := rec.Ended()
	if len(spans) != 3 || spans[0].Name() != "MCPClient.Initialize" {
		t.Fatalf("spans: %d, first %q", len(spans), spans[0].Name())
	}
	attrs := func(s sdktrace.ReadOnlySpan) map[attribute.Key]any {
		m := map[attribute.Key]any{}
		for _, kv := range s.Attributes() {
			m[kv.Key] = kv.Value.AsInterface()
		}
		return m
	}
	if a := attrs(spans[0]); len(a) != 0 {
		t.Errorf("Initialize is a plain span, got %v", a)
	}
	ok, failed := attrs(spans[1]), attrs(spans[2])
	for k, want := range map[attribute.Key]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "divide", "gen_ai.tool.type": "extension",
		"gen_ai.tool.call.arguments": `{"a":8,"b":2}`, "gen_ai.tool.call.result": `[{"type":"text","text":"4"}]`,
	} {
		if ok[k] != want {
			t.Errorf("divide 8/2: %s = %v, want %v", k, ok[k], want)
		}
	}
	if spans[1].Name() != "execute_tool divide" || spans[1].Status().Code != codes.Unset {
		t.Errorf("divide 8/2: %q, status %v", spans[1].Name(), spans[1].Status())
	}
	if st := spans[2].Status(); st.Code != codes.Error || failed["error.type"] != "tool_error" {
		t.Errorf("divide 1/0: status %v, error.type %v", st, failed["error.type"])
	}
	if got := failed["gen_ai.tool.call.result"]; got != `[{"type":"text","text":"division by zero"}]` {
		t.Errorf("divide 1/0: result %v", got)
	}
}
