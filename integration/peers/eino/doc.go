// Package eino drives cloudwego/eino for real (a chain of eino-ext's
// OpenAI chat model and a tools node, against a fake OpenAI endpoint on
// loopback) with a callback handler that writes the spans eino-ext's
// apmplus callback writes, attribute for attribute as its source does
// (cloudwego/eino-ext callbacks/apmplus/apmplus.go at
// c9a5dc923462375b020ed7b2bbbbef9971d9ce6b), through genaitrace to Instana
// and Langfuse receivers on loopback. apmplus itself cannot be fetched
// from the module proxy, and it exports to its own TracerProvider, never
// the application's; what this drives for real is eino: its run infos, its
// callback payloads, its message JSON, which genaitrace's reading of the
// apmplus dialect (docs/dialects.md) depends on. It is a module of its own
// so that eino's dependencies stay out of genaitrace's.
package eino
