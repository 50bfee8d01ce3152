// Package suggested holds the wrappers genaitrace-gen -suggest infers for
// the official MCP Go SDK's client session, with no edits: annotations.yaml is the suggestion as printed
// (genaitrace's generator tests check it is current), and the test calls
// the wrappers against the SDK's wire format and checks what they record.
package suggested

//go:generate sh -c "go tool genaitrace-gen -suggest '*github.com/modelcontextprotocol/go-sdk/mcp.ClientSession' > annotations.yaml"
//go:generate go tool genaitrace-gen -config annotations.yaml
