// Package anthropicsdkgov2 tests the anthropic-sdk-go-v2 preset against the real SDK.
package anthropicsdkgov2

//go:generate go tool genaitrace-gen -config annotations.yaml
