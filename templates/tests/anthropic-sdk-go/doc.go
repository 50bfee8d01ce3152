// Package anthropicsdkgo tests the anthropic-sdk-go preset against the real SDK.
package anthropicsdkgo

//go:generate go tool genaitrace-gen -config annotations.yaml
