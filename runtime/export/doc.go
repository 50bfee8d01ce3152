// Package export is genaitrace's export pipeline: one stream of finished
// spans fanned out to several destinations, each of which translates the
// spans into its own language, encodes them as OTLP/HTTP protobuf, and
// delivers them through a queue bounded in bytes, a circuit breaker and a
// disk spool.
//
// The data flow for one span:
//
//	span.End ─► Pipeline.Accept (append to a hand-off buffer; no I/O)
//	         ─► batcher goroutine: facts (model, usage, cost) once per span
//	         ─► per destination: Translator ─► Encode ─► gzip        (encoder)
//	         ─► backlog: Queue (bytes) ──full──► spool (disk)       (backlog.go)
//	         ─► senders (several in flight): pause, Breaker, HTTP   (sender.go)
//	              failure / breaker open ─► spool ─► replay when healthy
//
// The spool is one directory per process, adopted by another process once
// its own is gone (spool_set.go), in a checksummed, indexed format
// (spool_format.go) read back by a linear scan (spool_scan.go).
//
// The caller's span.End does a bounded amount of work and never waits on the
// network or the disk. Every span accepted is either delivered, held in the
// queue or the spool, set aside, or counted as dropped with a reason.
//
// Applications use this package through runtime, which wires it from the
// configuration and hands out only value snapshots (DestinationStats,
// PipelineStats). Its exported API is what a pipeline of one's own needs:
// NewPipeline over Consumers (NewDestination, NewConsole), the Translators
// (InstanaTranslator, LangfuseTranslator, Passthrough), the Encoder, and
// the snapshots and settings of each; everything else is internal to it.
package export
