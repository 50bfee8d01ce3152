// Package eino tests the eino preset against the real SDK.
package eino

//go:generate go tool genaitrace-gen -config annotations.yaml
