// Package genai is the small, stable API that genaitrace's generated wrappers
// and application code share. It never depends on the export pipeline, so a
// generated wrapper pulls in only the OpenTelemetry API and this package.
//
// It holds four things:
//
//   - short names for the semantic-convention keys the wrappers record
//     (aliases of go.opentelemetry.io/otel/semconv/v1.41.0), and the few
//     of genaitrace's own (streams, completion start time);
//   - the content-capture switch: prompts and completions are recorded only
//     when it is on (runtime.Configure sets it from its configuration);
//   - context helpers that attach a session, a user, tags and metadata to a
//     context so every span started under it carries them to every
//     destination;
//   - Score, which records an evaluation (feedback, an evaluator's verdict)
//     of a span or a trace, handed to the runtime for every destination
//     that takes scores (Langfuse's scores API, the conventions'
//     gen_ai.evaluation.result elsewhere).
//
// What a particular destination is sent (Instana's OpenLLMetry names,
// Langfuse's attributes) is the runtime's business and is not here.
package genai
