// Package mcpgo tests the mcp-go preset against the real SDK and a real
// MCP server running in process.
package mcpgo

//go:generate go tool genaitrace-gen -config annotations.yaml
