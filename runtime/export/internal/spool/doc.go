// Package spool is a destination's disk spool: one directory per process
// (set.go), adopted by another process once its own is gone, in a
// checksummed, indexed format (format.go) read back by a linear scan
// (scan.go). It holds encoded batches as opaque bytes with their span
// counts; what they mean is the caller's business.
//
// A record is appended, then read back (Next) and settled once: Ack when
// its batch was delivered or rejected for good, Nack when it must be tried
// again later. Damage is detected by CRC-32C checksums and counted, never
// trusted; past its byte cap the oldest segment goes first, counted.
package spool
