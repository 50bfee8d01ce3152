package genai

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/textcut"
)

// Attributes a streaming call records besides the GenAI conventions'.
const (
	// StreamChunks counts the chunks a stream delivered.
	StreamChunks = attribute.Key("genaitrace.stream.chunks")
	// StreamAbandoned is set when the stream was neither drained nor closed
	// within StreamIdleTimeout of its last activity.
	StreamAbandoned = attribute.Key("genaitrace.stream.abandoned")
)

var streamIdle atomic.Int64

func init() { streamIdle.Store(int64(5 * time.Minute)) }

// StreamIdleTimeout is the bound on a stream abandoned by its consumer
// (neither drained nor closed): its span ends this long after the stream's
// last chunk (or its start), marked genaitrace.stream.abandoned. Default 5
// minutes.
func StreamIdleTimeout() time.Duration { return time.Duration(streamIdle.Load()) }

// SetStreamIdleTimeout changes StreamIdleTimeout for streams started
// afterwards.
func SetStreamIdleTimeout(d time.Duration) {
	if d > 0 {
		streamIdle.Store(int64(d))
	}
}

// Stream keeps a streaming call's span open until the stream is drained,
// fails or is closed, whichever comes first, and records what only the
// stream knows: the time to the first chunk, the chunk count, and the
// attributes the chunks carry (usage and finish reason usually come with
// the last one; for each attribute the last value wins). Generated
// wrappers use it; it is safe for concurrent use.
type Stream struct {
	span  trace.Span
	start time.Time

	mu     sync.Mutex
	chunks int64
	first  time.Time
	last   []attribute.KeyValue
	ended  bool
	// idle fires idleFor after the last activity it knows of; a chunk only
	// notes lastAt, and the timer re-arms itself for the rest.
	idle    *time.Timer
	idleFor time.Duration
	lastAt  time.Time
	// text joins the chunks' output deltas, up to StreamTextLimit bytes.
	text    strings.Builder
	textCut bool
}

// StreamTextLimit bounds the output text a stream keeps in memory for
// gen_ai.output.messages; the rest is dropped and the message marked
// truncated. Exporters cut content further to their own limit.
const StreamTextLimit = 1 << 20

// StartStream takes ownership of span, whose call starts now.
func StartStream(span trace.Span) *Stream {
	s := &Stream{span: span, start: time.Now(), idleFor: StreamIdleTimeout()}
	s.lastAt = s.start
	s.idle = time.AfterFunc(s.idleFor, s.abandon)
	return s
}

// Chunk records one chunk and the attributes read from it.
func (s *Stream) Chunk(attrs ...attribute.KeyValue) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	if s.chunks == 0 {
		s.first = now
	}
	s.chunks++
	for _, kv := range attrs {
		s.keep(kv)
	}
	s.lastAt = now
}

func (s *Stream) keep(kv attribute.KeyValue) {
	for i := range s.last {
		if s.last[i].Key == kv.Key {
			s.last[i] = kv
			return
		}
	}
	s.last = append(s.last, kv)
}

// Text appends a chunk's share of the output text. Generated wrappers
// call it only when content capture is on.
func (s *Stream) Text(delta string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended || s.textCut {
		return
	}
	if room := StreamTextLimit - s.text.Len(); len(delta) > room {
		delta, s.textCut = textcut.Prefix(delta, room), true
	}
	s.text.WriteString(delta)
}

// output is the joined text as the one assistant message, with the last
// finish reason a chunk carried.
func (s *Stream) output() attribute.KeyValue {
	var reason string
	for _, kv := range s.last {
		if kv.Key == ResponseFinishReasons {
			if r := kv.Value.AsStringSlice(); len(r) > 0 {
				reason = r[len(r)-1]
			}
		}
	}
	text := s.text.String()
	if s.textCut {
		text += textcut.Mark
	}
	var m Messages
	m.Add("assistant", text, reason)
	return OutputMessages.String(m.String())
}

// Fail records the stream's error; End still ends the span.
func (s *Stream) Fail(err error, fallbackType string) {
	if err == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.span.SetStatus(codes.Error, err.Error())
	s.keep(ErrorType.String(ErrorTypeOf(err, fallbackType)))
}

// End ends the span (once): the stream was drained, failed or closed.
func (s *Stream) End() { s.finish(false) }

// EndContext ends the span like End, recording ctx's error first unless
// the caller cancelled it: a stream cut short by its deadline failed; one
// its consumer cancelled was closed.
func (s *Stream) EndContext(ctx context.Context) {
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		s.Fail(err, "")
	}
	s.finish(false)
}

func (s *Stream) abandon() { s.finish(true) }

func (s *Stream) finish(abandoned bool) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	if rest := s.idleFor - time.Since(s.lastAt); abandoned && rest > 0 {
		s.idle.Reset(rest) // chunks came since the timer was armed
		s.mu.Unlock()
		return
	}
	s.ended = true
	s.idle.Stop()
	attrs := append(s.last, StreamChunks.Int64(s.chunks))
	if s.text.Len() > 0 {
		attrs = append(attrs, s.output())
	}
	if !s.first.IsZero() {
		attrs = append(attrs,
			ResponseTimeToFirstChunk.Float64(s.first.Sub(s.start).Seconds()),
			CompletionStartTime.String(s.first.UTC().Format(time.RFC3339Nano)))
	}
	if abandoned {
		attrs = append(attrs, StreamAbandoned.Bool(true))
	}
	s.mu.Unlock()
	s.span.SetAttributes(attrs...)
	s.span.End()
}
