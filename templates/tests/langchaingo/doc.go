// Package langchaingo tests the langchaingo preset against the real SDK.
package langchaingo

//go:generate go tool genaitrace-gen -config annotations.yaml
