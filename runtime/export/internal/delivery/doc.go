// Package delivery delivers a destination's encoded batches: a memory
// queue bounded in bytes in front of the disk spool (Backlog), senders
// that take from it (several in flight), and for each batch one sender's
// journey: the destination's pause, its breaker, one HTTP attempt,
// bounded retries (attempt.go, client.go, retry.go). A verdict says what
// becomes of the batch, and the backlog settles it in one place. A
// destination that can say which spans it holds supplies a StoredCheck:
// a batch that a request may already have delivered is then sent again
// only for the spans it lacks (stored.go).
//
// It knows batches as bytes with a span count; what they hold is the
// encoder's business.
package delivery
