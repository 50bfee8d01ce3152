// Package openaigo tests the openai-go preset against the real SDK.
package openaigo

//go:generate go run github.com/genaitrace/genaitrace/cmd/genaitrace-gen -config annotations.yaml
