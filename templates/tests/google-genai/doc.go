// Package googlegenai tests the google-genai preset against the real SDK.
package googlegenai

//go:generate go tool genaitrace-gen -config annotations.yaml
