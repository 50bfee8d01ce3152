// Package fake is a real MCP server in process, on the official SDK, for
// the preset's tests and the suggested mapping's.
package fake

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// DivideArgs are the divide tool's arguments.
type DivideArgs struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

// Server is an MCP server with one tool, divide. A division by zero is
// the tool's own failure: its handler returns an error, which the SDK
// sends as a result with isError set. Each call runs in a server span,
// "tools/call divide", whose parent is the trace context the request's
// _meta carries (traceparent, tracestate), as an MCP server instrumented
// after the conventions joins its caller's trace; a request_id key in
// _meta is recorded on it as test.meta.request_id.
func Server(tp trace.TracerProvider) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "calculator", Version: "1.0.0"}, nil)
	tracer := tp.Tracer("example.com/presets/mcpgosdk/fake")
	mcp.AddTool(s, &mcp.Tool{Name: "divide", Description: "Divides a by b"},
		func(ctx context.Context, req *mcp.CallToolRequest, in DivideArgs) (*mcp.CallToolResult, any, error) {
			meta := req.Params.GetMeta()
			ctx = propagation.TraceContext{}.Extract(ctx, MetaCarrier(meta))
			_, span := tracer.Start(ctx, "tools/call divide", trace.WithSpanKind(trace.SpanKindServer))
			defer span.End()
			if v, ok := meta["request_id"].(string); ok {
				span.SetAttributes(attribute.String("test.meta.request_id", v)) // a key of the caller's own
			}
			if in.B == 0 {
				return nil, nil, errors.New("division by zero")
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: strconv.FormatFloat(in.A/in.B, 'g', -1, 64)}}}, nil, nil
		})
	return s
}

// Session connects a client to Server over the SDK's in-memory transport
// (JSON-RPC over a pipe), the server's spans going to tp; both ends close
// when the test ends.
func Session(t *testing.T, tp trace.TracerProvider) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := Server(tp).Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "preset-test", Version: "1.0.0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.Close()
		_ = ss.Wait()
	})
	return cs
}

// MetaCarrier reads and writes W3C trace context in an MCP _meta map,
// whose values are strings for these keys.
type MetaCarrier map[string]any

// Get returns the string at key, or "".
func (c MetaCarrier) Get(key string) string {
	s, _ := c[key].(string)
	return s
}

// Set sets key to value.
func (c MetaCarrier) Set(key, value string) { c[key] = value }

// Keys lists the keys.
func (c MetaCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// Attrs is a span's attributes by key.
func Attrs(s sdktrace.ReadOnlySpan) map[string]any {
	m := map[string]any{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// Named returns the ended spans named name.
func Named(spans []sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}
