// Package googlegenai tests the google-genai preset against the real SDK.
package googlegenai

//go:generate go run github.com/genaitrace/genaitrace/cmd/genaitrace-gen -config annotations.yaml
