// Package openaigo tests the openai-go preset against the real SDK.
package openaigo

//go:generate go tool genaitrace-gen -config annotations.yaml
