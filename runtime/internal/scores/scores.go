// Package scores carries evaluations from genai.Score to the runtime that
// delivers them. genai builds a Score and hands it to the sink the runtime
// installed at Configure; without one, the score is dropped and counted
// here. It imports nothing of genaitrace, so that genai stays free of the
// export pipeline.
package scores

import (
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// Kind is a score's data type, as Langfuse's scores API names them.
type Kind uint8

// Score kinds.
const (
	Numeric     Kind = iota + 1 // Number holds the value
	Boolean                     // Number is 1 (true) or 0 (false)
	Categorical                 // Label holds the value
)

// Score is one evaluation of a trace or of one of its spans. It is a value:
// the sink may keep it.
type Score struct {
	// ID identifies the score at the destination: Langfuse keeps the
	// newest row per ID, so sending it again (a retry, a replay from the
	// spool) updates the same score instead of adding one.
	ID     string
	Name   string
	Kind   Kind
	Number float64
	Label  string
	// Comment is free text (an evaluator's reasoning, a user's feedback):
	// content, recorded only while content capture is on.
	Comment string
	TraceID trace.TraceID
	// SpanID is zero for a score of the whole trace.
	SpanID trace.SpanID
	// Time is when the score was made.
	Time time.Time
}

// Format is how a destination takes scores.
type Format uint8

// Formats.
const (
	// NoFormat: the destination takes none.
	NoFormat Format = iota
	// LangfuseAPI: Langfuse's scores API, POST /api/public/scores, one
	// score per request as JSON (the API takes no batches).
	LangfuseAPI
	// EvaluationEvents: the GenAI conventions' gen_ai.evaluation.result
	// events, as OTLP/HTTP log records (/v1/logs) carrying the evaluated
	// span's trace and span IDs.
	EvaluationEvents
)

// Size estimates the bytes a score holds in memory, for byte budgets.
func (s *Score) Size() int64 {
	return int64(96 + len(s.ID) + len(s.Name) + len(s.Label) + len(s.Comment))
}

// Reasons a score is dropped before any destination sees it.
const (
	DropNoRuntime = "no_runtime" // no runtime was configured (or it shut down)
	DropInvalid   = "invalid"    // no name, or a value that is not a number, a bool or a string
	DropNoTrace   = "no_trace"   // no span in the context and no trace given
)

// Sink takes scores from genai.Score. Take runs on the caller's goroutine
// and must not block; Dropped is told of a score genai dropped (the
// runtime counts and explains it once).
type Sink interface {
	Take(Score)
	Dropped(reason, why string)
}

var (
	sink    atomic.Pointer[sinkBox]
	mu      sync.Mutex
	dropped = map[string]int64{}
)

// sinkBox gives every Install its own pointer, so that Uninstall removes
// only its own sink.
type sinkBox struct{ Sink }

// Install makes s the process's sink, replacing the previous one (the most
// recently configured runtime takes the scores), and returns the function
// that removes it again, if it is still the one installed.
func Install(s Sink) (uninstall func()) {
	box := &sinkBox{s}
	sink.Store(box)
	return func() { sink.CompareAndSwap(box, nil) }
}

// Send hands sc to the installed sink; without one it is dropped and
// counted (no_runtime).
func Send(sc Score) {
	if box := sink.Load(); box != nil {
		box.Take(sc)
		return
	}
	Drop(DropNoRuntime, "")
}

// Drop counts a score dropped for reason and tells the sink why, if one is
// installed.
func Drop(reason, why string) {
	mu.Lock()
	dropped[reason]++
	mu.Unlock()
	if box := sink.Load(); box != nil && why != "" {
		box.Dropped(reason, why)
	}
}

// Dropped returns the scores dropped before any destination saw them, by
// reason, since the process started.
func Dropped() map[string]int64 {
	mu.Lock()
	defer mu.Unlock()
	out := make(map[string]int64, len(dropped))
	for k, v := range dropped {
		out[k] = v
	}
	return out
}
