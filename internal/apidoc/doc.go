// Package apidoc keeps the listing of genaitrace's public API in docs/api
// in step with the code: its test fails when an exported name is added,
// removed or changes its doc, so that growing the surface is a visible
// decision. Regenerate the listing with
//
//	go test ./internal/apidoc -update
package apidoc
