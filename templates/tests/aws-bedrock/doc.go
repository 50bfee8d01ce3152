// Package awsbedrock tests the aws-bedrock preset against the real SDK.
package awsbedrock

//go:generate go tool genaitrace-gen -config annotations.yaml
