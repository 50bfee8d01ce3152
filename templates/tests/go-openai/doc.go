// Package goopenai tests the go-openai preset against the real SDK.
package goopenai

//go:generate go tool genaitrace-gen -config annotations.yaml
