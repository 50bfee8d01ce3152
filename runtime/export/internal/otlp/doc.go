// Package otlp holds what genaitrace's OTLP/HTTP protobuf encoding is made
// of, apart from what a span means: a reusable buffer that writes
// protobuf fields (with in-place length back-patching, no allocation per
// message), the OTLP metrics encoding, the parsing that splits an encoded
// trace request in halves for a destination that answered 413, and gzip.
//
// The field numbers are opentelemetry-proto's (trace/v1, metrics/v1 and
// common/v1); the tests decode every byte with the official Go types.
package otlp
