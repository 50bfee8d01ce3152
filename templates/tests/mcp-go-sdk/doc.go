// Package mcpgosdk tests the mcp-go-sdk preset against the real SDK.
package mcpgosdk

//go:generate go tool genaitrace-gen -config annotations.yaml
