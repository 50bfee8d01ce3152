// Package integration holds the end-to-end test against a real OTLP
// receiver: Jaeger v2, built from the module proxy by tools/jaeger, stands
// in for Instana (as in the seed article) while an in-process receiver
// stands in for Langfuse. Run it with
//
//	go test -tags integration ./integration
//
// The first run builds Jaeger (several minutes) into the user cache
// directory; later runs on the same machine reuse it.
package integration
