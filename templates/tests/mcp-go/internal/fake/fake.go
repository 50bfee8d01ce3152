// Package fake is a real MCP server in process for the preset's
// tests and the suggested mapping's.
package fake

import (
	"context"
	"errors"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Server is a real MCP server with the tool divide, which answers a
// division by zero with a tool error (a result with isError), as MCP tools
// report their own failures; crash, whose handler returns a Go error (the
// server answers -32603); and authorize, whose handler asks for a URL
// elicitation (-32042). It offers no prompts.
func Server() *server.MCPServer {
	s := server.NewMCPServer("calculator", "1.0.0", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("divide", mcp.WithDescription("Divides a by b"),
		mcp.WithNumber("a", mcp.Required()), mcp.WithNumber("b", mcp.Required())),
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			a, _ := req.RequireFloat("a")
			b, _ := req.RequireFloat("b")
			if b == 0 {
				return mcp.NewToolResultError("division by zero"), nil
			}
			return mcp.NewToolResultText(formatFloat(a / b)), nil
		})
	s.AddTool(mcp.NewTool("crash", mcp.WithDescription("Fails")),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return nil, errors.New("disk on fire")
		})
	s.AddTool(mcp.NewTool("authorize", mcp.WithDescription("Needs the user's consent first")),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return nil, mcp.URLElicitationRequiredError{Elicitations: []mcp.ElicitationParams{{
				Mode: "url", Message: "Sign in", ElicitationID: "e1", URL: "https://example.com/consent"}}}
		})
	return s
}

func formatFloat(f float64) string {
	if f == float64(int64(f)) {
		return string(rune('0' + int64(f)))
	}
	return "?"
}

// Client is an MCP client of Server, in process, started and closed when
// the test ends.
func Client(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.NewInProcessClient(Server())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}
