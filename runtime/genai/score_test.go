package genai

import (
	"context"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// sink collects what genai.Score hands the runtime.
type sink struct {
	mu    sync.Mutex
	taken []scores.Score
	why   map[string]string
}

func (s *sink) Take(sc scores.Score) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.taken = append(s.taken, sc)
}

func (s *sink) Dropped(reason, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.why[reason] = why
}

func installSink(t *testing.T) *sink {
	s := &sink{why: map[string]string{}}
	t.Cleanup(scores.Install(s))
	return s
}

func spanContext(t *testing.T) (context.Context, trace.SpanContext) {
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled})
	return trace.ContextWithSpanContext(context.Background(), sc), sc
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestScoreKinds: a number is NUMERIC, a bool BOOLEAN (1 or 0), a string
// CATEGORICAL, each on ctx's span, with a fresh UUID of its own.
func TestScoreKinds(t *testing.T) {
	s := installSink(t)
	ctx, span := spanContext(t)
	Score(ctx, "helpfulness", 0.75)
	Score(ctx, "tokens", int64(3))
	Score(ctx, "stars", uint8(4))
	Score(ctx, "relevance", float32(0.7))
	Score(ctx, "judge", json.Number("2.5"))
	Score(ctx, "correct", true)
	Score(ctx, "safe", false)
	Score(ctx, "tone", "polite")
	want := []struct {
		kind   scores.Kind
		number float64
		label  string
	}{
		{scores.Numeric, 0.75, ""}, {scores.Numeric, 3, ""}, {scores.Numeric, 4, ""}, {scores.Numeric, 0.7, ""},
		{scores.Numeric, 2.5, ""}, {scores.Boolean, 1, ""}, {scores.Boolean, 0, ""}, {scores.Categorical, 0, "polite"},
	}
	if len(s.taken) != len(want) {
		t.Fatalf("%d scores taken, want %d", len(s.taken), len(want))
	}
	ids := map[string]bool{}
	for i, w := range want {
		got := s.taken[i]
		if got.Kind != w.kind || got.Number != w.number || got.Label != w.label {
			t.Errorf("score %d (%s): kind %d %v %q, want %d %v %q", i, got.Name, got.Kind, got.Number, got.Label, w.kind, w.number, w.label)
		}
		if got.TraceID != span.TraceID() || got.SpanID != span.SpanID() || got.Time.IsZero() {
			t.Errorf("score %d: trace %s span %s time %v, want ctx's span", i, got.TraceID, got.SpanID, got.Time)
		}
		if !uuidV4.MatchString(got.ID) || ids[got.ID] {
			t.Errorf("score %d: id %q, want a UUID of its own", i, got.ID)
		}
		ids[got.ID] = true
	}
}

// TestScoreTargetsAndOptions: ForTrace scores the trace (no span),
// ForSpan another span, WithScoreID names the score; a comment is kept
// only while content capture is on, cut past 16 KiB.
func TestScoreTargetsAndOptions(t *testing.T) {
	s := installSink(t)
	ctx, span := spanContext(t)
	other, _ := trace.TraceIDFromHex("0af7651916cd43dd8448eb211c80319c")
	otherSpan, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	prev := CaptureContent()
	t.Cleanup(func() { SetCaptureContent(prev) })

	SetCaptureContent(false)
	Score(ctx, "a", 1, WithComment("private"), ForTrace(span.TraceID()))
	SetCaptureContent(true)
	Score(context.Background(), "b", 1, WithComment("kept"), ForSpan(other, otherSpan), WithScoreID("feedback-42"))
	Score(ctx, "c", 1, WithComment(strings.Repeat("x", 20<<10)))

	if len(s.taken) != 3 {
		t.Fatalf("%d scores, want 3", len(s.taken))
	}
	a, b, c := s.taken[0], s.taken[1], s.taken[2]
	if a.TraceID != span.TraceID() || a.SpanID.IsValid() || a.Comment != "" {
		t.Errorf("ForTrace with capture off: %+v; want the trace, no span, no comment", a)
	}
	if b.TraceID != other || b.SpanID != otherSpan || b.ID != "feedback-42" || b.Comment != "kept" {
		t.Errorf("ForSpan and WithScoreID: %+v", b)
	}
	if len(c.Comment) > 16<<10 || !strings.HasSuffix(c.Comment, "…[truncated]") {
		t.Errorf("a 20 KiB comment kept %d bytes, want at most 16 KiB, marked", len(c.Comment))
	}
}

// TestScoreDropsWhatCannotBeSent: every score that cannot be sent is
// dropped, counted under its reason and explained (the runtime logs it
// once); none reaches the sink.
func TestScoreDropsWhatCannotBeSent(t *testing.T) {
	s := installSink(t)
	ctx, _ := spanContext(t)
	type rating int
	cases := []struct {
		name   string
		call   func()
		reason string
		says   string
	}{
		{"empty name", func() { Score(ctx, " ", 1) }, scores.DropInvalid, "the name is empty"},
		{"named type", func() { Score(ctx, "stars", rating(4)) }, scores.DropInvalid, "genai.rating is not a number, a bool or a string"},
		{"NaN", func() { Score(ctx, "x", math.NaN()) }, scores.DropInvalid, "not a finite number"},
		{"empty label", func() { Score(ctx, "x", "") }, scores.DropInvalid, "the label is empty"},
		{"nil", func() { Score(ctx, "x", nil) }, scores.DropInvalid, "<nil> is not a number"},
		{"long id", func() { Score(ctx, "x", 1, WithScoreID(strings.Repeat("i", 801))) }, scores.DropInvalid, "longer than 800 bytes"},
		{"no span", func() { Score(context.Background(), "x", 1) }, scores.DropNoTrace, "carries no span"},
		{"invalid trace", func() { Score(ctx, "x", 1, ForTrace(trace.TraceID{})) }, scores.DropNoTrace, "carries no span"},
	}
	for _, c := range cases {
		before := scores.Dropped()[c.reason]
		c.call()
		if after := scores.Dropped()[c.reason]; after != before+1 {
			t.Errorf("%s: %s went from %d to %d, want one more", c.name, c.reason, before, after)
		}
		if why := s.why[c.reason]; !strings.Contains(why, c.says) {
			t.Errorf("%s: explained as %q, want it to say %q", c.name, why, c.says)
		}
	}
	if len(s.taken) != 0 {
		t.Errorf("%d dropped scores reached the sink", len(s.taken))
	}
}

// TestScoreWithoutARuntimeIsCounted: with no runtime configured, a score
// is dropped and counted as no_runtime, and Score returns at once.
func TestScoreWithoutARuntimeIsCounted(t *testing.T) {
	scores.Install(&sink{why: map[string]string{}})() // installed, then removed: no runtime now
	ctx, _ := spanContext(t)
	before := scores.Dropped()[scores.DropNoRuntime]
	Score(ctx, "helpfulness", 1)
	if after := scores.Dropped()[scores.DropNoRuntime]; after != before+1 {
		t.Errorf("no_runtime went from %d to %d, want one more", before, after)
	}
}
