// Package awsbedrock tests the aws-bedrock preset against the real SDK.
package awsbedrock

//go:generate go run github.com/genaitrace/genaitrace/cmd/genaitrace-gen -config annotations.yaml
