// Package dialect normalises spans other GenAI instrumentation made to the
// GenAI semantic conventions v1.41, and tells which attributes carry
// content in any dialect.
//
// A dialect is how some GenAI instrumentation other than genaitrace's
// wrappers names what a span did: OpenLLMetry's gen_ai.prompt.N.*,
// OpenInference's llm.token_count.*, the conventions before v1.37 with their
// message events, and so on (docs/dialects.md lists them). The pipeline
// normalises every span off the caller's path: for a span in a dialect it
// derives the attributes of the GenAI conventions v1.41 the span lacks, so
// that facts, cost, diagnostics and every destination's translation see one
// language whatever made the span. The span's own attributes are kept.
package dialect
