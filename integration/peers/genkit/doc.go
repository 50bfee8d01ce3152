// Package genkit drives Genkit Go for real, with its OpenAI-compatible
// plugin against a fake OpenAI endpoint on loopback, through genaitrace to
// Instana and Langfuse receivers on loopback: the test that the Genkit
// dialect (docs/dialects.md) is what Genkit actually writes. It is a module
// of its own so that Genkit's dependencies stay out of genaitrace's.
package genkit
