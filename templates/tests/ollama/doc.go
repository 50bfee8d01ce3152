// Package ollama tests the ollama preset against the real SDK.
package ollama

//go:generate go tool genaitrace-gen -config annotations.yaml
