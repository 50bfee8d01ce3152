// Package genai is the small, stable API that genaitrace's generated wrappers
// and application code share. It never depends on the export pipeline, so a
// generated wrapper pulls in only the OpenTelemetry API and this package.
//
// It holds three things:
//
//   - the attribute keys genaitrace emits (GenAI semantic conventions v1.41,
//     the legacy OpenLLMetry names Instana reads, and the Langfuse names), in
//     one place so that no emitted name depends on a semconv package that may
//     drop it again;
//   - the content-capture switch: prompts and completions are recorded only
//     when it is on;
//   - context helpers that attach a session, a user, tags and metadata to a
//     context so every span started under it carries them to every
//     destination.
package genai
