// Package export is genaitrace's export pipeline: one stream of finished
// spans fanned out to several destinations, each translating the spans into
// what it reads, encoding them as OTLP/HTTP protobuf and delivering them
// through a queue bounded in bytes, a circuit breaker and a disk spool.
//
// The data flow for one span:
//
//	span.End ─► Pipeline.Accept (append to a hand-off buffer; no I/O)
//	         ─► batcher: facts (model, usage, cost) and the sampler's verdict, once per span
//	         ─► per destination: Translator ─► encoder ─► compression
//	         ─► memory queue ──full──► spool (disk)
//	         ─► senders (several in flight): pacing, breaker, HTTP
//	              failure or breaker open ─► spool ─► replay when healthy
//
// span.End does a bounded amount of work and never waits on the network or
// the disk. Every span accepted is delivered, held in the queue or the
// spool, set aside, or counted as dropped with a reason.
//
// Applications use it through runtime, which wires it from the
// configuration. Its API is what a pipeline of one's own needs: NewPipeline
// over Consumers (NewDestination), the Translators, their settings, and
// value snapshots (PipelineStats, DestinationStats).
package export
