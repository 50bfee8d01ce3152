package mcpgosdk

import (
	"context"
	"errors"
	"slices"
	"testing"

	"example.com/presets/mcpgosdk/internal/fake"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

func setup(t *testing.T) (*TracedMCPClientSession, *tracetest.SpanRecorder) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	return NewTracedMCPClientSession(fake.Session(t, tp), genai.WithTracerProvider(tp)), rec
}

func TestCallTool(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	ctx := context.Background()
	session, rec := setup(t)
	call := func(a, b float64) *mcp.CallToolResult {
		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "divide", Arguments: map[string]any{"a": a, "b": b}})
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

	calls := fake.Named(rec.Ended(), "execute_tool divide")
	if len(calls) != 2 {
		t.Fatalf("%d execute_tool spans, want 2", len(calls))
	}
	ok, failed := fake.Attrs(calls[0]), fake.Attrs(calls[1])
	for k, want := range map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "divide", "gen_ai.tool.type": "extension",
		"gen_ai.tool.call.arguments": `{"a":8,"b":2}`, "gen_ai.tool.call.result": `[{"type":"text","text":"4"}]`,
	} {
		if ok[k] != want {
			t.Errorf("divide 8/2: %s = %v, want %v", k, ok[k], want)
		}
	}
	if calls[0].Status().Code != codes.Unset {
		t.Errorf("divide 8/2: status %v", calls[0].Status())
	}
	if st := calls[1].Status(); st.Code != codes.Error || failed["error.type"] != "tool_error" {
		t.Errorf("divide 1/0: status %v, error.type %v", st, failed["error.type"])
	}
	if got := failed["gen_ai.tool.call.result"]; got != `[{"type":"text","text":"division by zero"}]` {
		t.Errorf("divide 1/0: result %v", got)
	}
}

func TestCallToolWithoutCapture(t *testing.T) {
	session, rec := setup(t)
	if _, err := session.CallTool(context.Background(), &mcp.CallToolParams{Name: "divide", Arguments: map[string]any{"a": 1, "b": 2}}); err != nil {
		t.Fatal(err)
	}
	a := fake.Attrs(fake.Named(rec.Ended(), "execute_tool divide")[0])
	for _, k := range []string{"gen_ai.tool.call.arguments", "gen_ai.tool.call.result"} {
		if v, ok := a[k]; ok {
			t.Errorf("%s = %v recorded with content capture off", k, v)
		}
	}
	if a["gen_ai.tool.name"] != "divide" {
		t.Errorf("tool name %v", a["gen_ai.tool.name"])
	}
}

// TestOtherMethods: a request other than a tool call is a plain span
// named after the method, with no GenAI attributes; a paging iterator's
// span lasts while the caller iterates; the session's calls without a
// context get none (a span would start a trace of its own).
func TestOtherMethods(t *testing.T) {
	ctx := context.Background()
	session, rec := setup(t)
	tools, err := session.ListTools(ctx, nil)
	if err != nil || len(tools.Tools) != 1 || tools.Tools[0].Name != "divide" {
		t.Fatalf("ListTools: %v %+v", err, tools)
	}
	if err := session.Ping(ctx, nil); err != nil {
		t.Fatal(err)
	}
	_ = session.ID()
	if session.InitializeResult() == nil {
		t.Error("no InitializeResult")
	}
	seq := session.Tools(ctx, nil)
	if n := len(rec.Ended()); n != 2 {
		t.Errorf("%d spans ended before iterating Tools, want 2", n)
	}
	for tool, err := range seq {
		if err != nil || tool.Name != "divide" {
			t.Fatalf("Tools: %v %v", tool, err)
		}
	}
	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
		if s.Name() == "MCPClientSession.ListTools" && len(s.Attributes()) != 0 {
			t.Errorf("ListTools is a plain span, got %v", fake.Attrs(s))
		}
		if s.Status().Code == codes.Error {
			t.Errorf("%s failed: %v", s.Name(), s.Status())
		}
	}
	want := []string{"MCPClientSession.ListTools", "MCPClientSession.Ping", "MCPClientSession.Tools"}
	if !slices.Equal(names, want) {
		t.Errorf("spans %q, want %q", names, want)
	}
}

// TestProtocolError: a call the server refuses (a tool it does not have)
// is a JSON-RPC error, whose code is the error.type.
func TestProtocolError(t *testing.T) {
	session, rec := setup(t)
	_, err := session.CallTool(context.Background(), &mcp.CallToolParams{Name: "multiply", Arguments: map[string]any{"a": 1, "b": 2}})
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidParams {
		t.Fatalf("CallTool: %v, want the JSON-RPC error invalid params", err)
	}
	s := fake.Named(rec.Ended(), "execute_tool multiply")[0]
	if s.Status().Code != codes.Error || fake.Attrs(s)["error.type"] != "-32602" {
		t.Errorf("status %v, error.type %v, want -32602", s.Status(), fake.Attrs(s)["error.type"])
	}
}

// TestTraceContextInMeta: the tool call's trace context travels in the
// request's _meta, so the real go-sdk server's span of the call is a child
// of the client's execute_tool span, in the same trace; the caller's own
// _meta keys arrive too, and the caller's request is left as it was.
func TestTraceContextInMeta(t *testing.T) {
	session, rec := setup(t)
	params := &mcp.CallToolParams{Name: "divide", Arguments: map[string]any{"a": 6, "b": 3}, Meta: mcp.Meta{"request_id": "r-1"}}
	if _, err := session.CallTool(context.Background(), params); err != nil {
		t.Fatal(err)
	}
	client := fake.Named(rec.Ended(), "execute_tool divide")
	server := fake.Named(rec.Ended(), "tools/call divide")
	if len(client) != 1 || len(server) != 1 {
		t.Fatalf("%d client and %d server spans, want 1 each", len(client), len(server))
	}
	c, s := client[0], server[0]
	if c.SpanKind() != oteltrace.SpanKindClient {
		t.Errorf("execute_tool span kind %v, want client", c.SpanKind())
	}
	if s.SpanContext().TraceID() != c.SpanContext().TraceID() || s.Parent().SpanID() != c.SpanContext().SpanID() || !s.Parent().IsRemote() {
		t.Errorf("server span (trace %s, parent %s) is not a remote child of the client's (trace %s, span %s)",
			s.SpanContext().TraceID(), s.Parent().SpanID(), c.SpanContext().TraceID(), c.SpanContext().SpanID())
	}
	if got := fake.Attrs(s)["test.meta.request_id"]; got != "r-1" {
		t.Errorf("the caller's _meta key reached the server as %v", got)
	}
	if len(params.Meta) != 1 || params.Meta["request_id"] != "r-1" {
		t.Errorf("the caller's _meta was changed: %v", params.Meta)
	}
}

// TestTraceContextWithoutMeta: a request with no _meta, or none at all,
// gets one with the trace context; the caller's stays nil.
func TestTraceContextWithoutMeta(t *testing.T) {
	session, rec := setup(t)
	params := &mcp.CallToolParams{Name: "divide", Arguments: map[string]any{"a": 6, "b": 3}}
	if _, err := session.CallTool(context.Background(), params); err != nil {
		t.Fatal(err)
	}
	if params.Meta != nil {
		t.Errorf("the caller's nil _meta became %v", params.Meta)
	}
	c, s := fake.Named(rec.Ended(), "execute_tool divide")[0], fake.Named(rec.Ended(), "tools/call divide")[0]
	if s.Parent().SpanID() != c.SpanContext().SpanID() {
		t.Errorf("server span's parent %s, want the client's %s", s.Parent().SpanID(), c.SpanContext().SpanID())
	}
	// A nil request: the SDK's own default, with the trace context added.
	if _, err := session.ListTools(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}
