// Package anthropicsdkgo tests the anthropic-sdk-go preset against the real SDK.
package anthropicsdkgo

//go:generate go run github.com/genaitrace/genaitrace/cmd/genaitrace-gen -config annotations.yaml
