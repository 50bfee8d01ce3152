package mcpgo

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/presets/mcpgo/internal/fake"
	"github.com/mark3labs/mcp-go/client"
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

// TestJSONRPCErrorCodes: a JSON-RPC error's code is the span's error.type,
// as the conventions' MCP spans record it. mcp-go v1.2.1's client does not
// keep the code (mcp/errors.go, JSONRPCErrorDetails.AsError): -32602 comes
// back as mcp.ErrInvalidParams wrapped with the server's message, -32603 as
// mcp.ErrInternalError, -32601 as mcp.ErrMethodNotFound, -32042 as an
// mcp.URLElicitationRequiredError value; the preset names each with its
// code. The codes are the real server's (server/server.go: an unknown tool
// is INVALID_PARAMS, prompts/list without prompts METHOD_NOT_FOUND;
// server/handler_errors.go: a handler's error INTERNAL_ERROR, and a URL
// elicitation -32042 up to protocol version 2025-11-25, INTERNAL_ERROR
// from 2026-07-28, which reserves the code).
func TestJSONRPCErrorCodes(t *testing.T) {
	ctx := context.Background()
	rec := tracetest.NewSpanRecorder()
	opt := genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	session := func(version string) *TracedMCPClient {
		traced := NewTracedMCPClient(fake.Client(t), opt)
		init := mcp.InitializeRequest{}
		init.Params.ProtocolVersion = version
		init.Params.ClientInfo = mcp.Implementation{Name: "preset-test", Version: "1.0.0"}
		if _, err := traced.Initialize(ctx, init); err != nil {
			t.Fatal(err)
		}
		return traced
	}
	modern, legacy := session(mcp.LATEST_PROTOCOL_VERSION), session(mcp.LATEST_LEGACY_PROTOCOL_VERSION)
	call := func(c *TracedMCPClient, name string) func() error {
		return func() error {
			req := mcp.CallToolRequest{}
			req.Params.Name = name
			_, err := c.CallTool(ctx, req)
			return err
		}
	}
	for _, tc := range []struct {
		call func() error
		is   error // what mcp-go returns, checked so that a change of the SDK shows here first
		want string
	}{
		{call(modern, "nope"), mcp.ErrInvalidParams, "-32602"},
		{call(modern, "crash"), mcp.ErrInternalError, "-32603"},
		{call(legacy, "authorize"), mcp.URLElicitationRequiredError{}, "-32042"},
		{call(modern, "authorize"), mcp.ErrInternalError, "-32603"},
		{func() error { _, err := modern.ListPrompts(ctx, mcp.ListPromptsRequest{}); return err }, mcp.ErrMethodNotFound, "-32601"},
	} {
		err := tc.call()
		if !errors.Is(err, tc.is) {
			t.Errorf("error %v, want %v from mcp-go", err, tc.is)
		}
		spans := rec.Ended()
		s := spans[len(spans)-1]
		if got := attrs(s)["error.type"]; s.Status().Code != codes.Error || got != tc.want {
			t.Errorf("%s (%v): status %v, error.type %v, want %s", s.Name(), err, s.Status(), got, tc.want)
		}
	}
}

// TestTransportError: an HTTP failure of the streamable HTTP transport
// carries its status in the text only (client/transport/streamable_http.go,
// "request failed with status %d: %s", wrapped in a *transport.Error): the
// span keeps the generator's class.
func TestTransportError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c, err := client.NewStreamableHttpClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	rec := tracetest.NewSpanRecorder()
	traced := NewTracedMCPClient(c, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	_, err = traced.Initialize(context.Background(), init)
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("Initialize: %v, want the transport's status error", err)
	}
	s := rec.Ended()[0]
	if got := attrs(s)["error.type"]; s.Status().Code != codes.Error || got != "_OTHER" {
		t.Errorf("status %v, error.type %v, want _OTHER (mcp-go gives no status but in the text)", s.Status(), got)
	}
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]any {
	m := map[attribute.Key]any{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value.AsInterface()
	}
	return m
}
