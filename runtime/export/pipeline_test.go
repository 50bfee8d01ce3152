package export

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export/internal/budget"
	"github.com/genaitrace/genaitrace/runtime/internal/spancopy"
)

// recorder is a consumer that keeps what it is handed.
type recorder struct {
	mu    sync.Mutex
	names []string
}

func (r *recorder) Name() string { return "recorder" }
func (r *recorder) Consume(spans []*Span) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range spans {
		r.names = append(r.names, s.Name())
	}
}
func (r *recorder) Flush(context.Context) error    { return nil }
func (r *recorder) Shutdown(context.Context) error { return nil }

// valueOf is the test's value for span i: one in ten a GenAI span, three
// in ten plain spans of GenAI traces, the rest plain.
func valueOf(i int) Value {
	switch i % 10 {
	case 0:
		return ValueGenAI
	case 1, 2, 3:
		return ValueInGenAITrace
	}
	return ValuePlain
}

// TestPipelineShedsLeastValuableFirst: 1,000 spans of equal size into a
// budget that holds 300 while nothing is dispatched. GenAI spans evict
// plain ones, then plain spans of GenAI traces; equals never evict each
// other. Exactly the 300 most valuable remain, and every span given up is
// counted under its value.
func TestPipelineShedsLeastValuableFirst(t *testing.T) {
	spans := recordSpans(t, resource.Empty(), func(tp trace.TracerProvider) {
		for i := range 1000 {
			_, s := tp.Tracer("t").Start(context.Background(), valueOf(i).String()+"-"+strconv.Itoa(i))
			s.End()
		}
	})
	rec := &recorder{}
	p := NewPipeline(PipelineConfig{MaxBatch: 10_000, BatchTimeout: time.Hour}, rec)
	defer p.Shutdown(context.Background())
	const size, capacity = 1000, 300
	p.budget = budget.New(capacity * size)
	p.dispatchMu.Lock() // nothing is dispatched, whatever wakes the batcher
	for i, s := range spans {
		p.Accept(*s, valueOf(i), size)
	}
	st := p.Stats()
	p.dispatchMu.Unlock()
	want := map[string]int64{DropShedPlain: 600, DropShedGenAITrace: 100}
	if st.Shed[DropShedPlain] != want[DropShedPlain] || st.Shed[DropShedGenAITrace] != want[DropShedGenAITrace] || st.Shed[DropShedGenAI] != 0 {
		t.Errorf("shed %v, want %v and no GenAI span", st.Shed, want)
	}
	if st.Pending != capacity || st.PendingBytes != capacity*size || st.MemoryBytes != capacity*size {
		t.Errorf("pending %d spans, %d bytes, budget holds %d", st.Pending, st.PendingBytes, st.MemoryBytes)
	}
	if err := p.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, name := range rec.names {
		kind, _, _ := strings.Cut(name, "-")
		got[kind]++
	}
	if got["genai"] != 100 || got["genai_trace"] != 200 || got["plain"] != 0 {
		t.Errorf("delivered %v, want every GenAI span and 200 plain spans of GenAI traces", got)
	}
	if used := p.budget.Used(); used != 0 {
		t.Errorf("the budget holds %d bytes after everything was handed over", used)
	}
}

// TestPipelineEvictsByBytes: one large GenAI span (a prompt) takes the
// room of many small plain spans, and the bytes add up.
func TestPipelineEvictsByBytes(t *testing.T) {
	spans := recordSpans(t, resource.Empty(), func(tp trace.TracerProvider) {
		for i := range 11 {
			_, s := tp.Tracer("t").Start(context.Background(), "s"+strconv.Itoa(i))
			s.End()
		}
	})
	p := NewPipeline(PipelineConfig{MaxBatch: 10_000, BatchTimeout: time.Hour}, &recorder{})
	defer p.Shutdown(context.Background())
	p.budget = budget.New(10_000)
	for _, s := range spans[:10] {
		p.Accept(*s, ValuePlain, 1000)
	}
	p.Accept(*spans[10], ValueGenAI, 4500) // evicts the five oldest plain spans
	if st := p.Stats(); st.Shed[DropShedPlain] != 5 || st.Pending != 6 || st.MemoryBytes != 9500 {
		t.Errorf("shed %v, pending %d, budget %d bytes; want 5 plain spans shed, 6 pending, 9500 bytes", st.Shed, st.Pending, st.MemoryBytes)
	}
}

// TestPipelineKeepsModelCallsWithoutTheirContent: a budget full of model
// calls with prompts still takes the next calls, their prompts dropped and
// marked, in the reserve kept for them; only once the reserve is full too
// is a call shed, counted.
func TestPipelineKeepsModelCallsWithoutTheirContent(t *testing.T) {
	prompt := strings.Repeat("p", 4000)
	spans := recordSpans(t, resource.Empty(), func(tp trace.TracerProvider) {
		for i := range 200 {
			_, s := tp.Tracer("t").Start(context.Background(), "chat-"+strconv.Itoa(i), trace.WithAttributes(
				attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.input.messages", prompt)))
			s.End()
		}
	})
	p := NewPipeline(PipelineConfig{MaxBatch: 10_000, BatchTimeout: time.Hour}, &recorder{})
	defer p.Shutdown(context.Background())
	p.budget = budget.New(160 << 10) // 160 KiB: 10 KiB of reserve
	full, lean := 0, 0
	p.dispatchMu.Lock() // nothing is dispatched, whatever wakes the batcher
	defer p.dispatchMu.Unlock()
	for _, s := range spans {
		size, v := Inspect(s.ReadOnlySpan)
		p.Accept(*s, v, size)
	}
	q := &p.pending[ValueGenAI]
	for _, s := range q.spans[q.head:] {
		if strings.Contains(fmt.Sprint(s.Attributes()), spancopy.ContentDropped) {
			lean++
		} else {
			full++
		}
	}
	st := p.Stats()
	if full == 0 || lean == 0 || int64(lean) != st.ContentShed {
		t.Errorf("%d calls pending with their prompt, %d without (%d counted): want both", full, lean, st.ContentShed)
	}
	if st.MemoryBytes <= p.budget.Max || st.Shed[DropShedGenAI] == 0 {
		t.Errorf("%d bytes held of %d, %d calls shed: want the reserve filled, then calls shed", st.MemoryBytes, p.budget.Max, st.Shed[DropShedGenAI])
	}
	if int64(full+lean)+st.Shed[DropShedGenAI] != int64(len(spans)) || st.MemoryBytes > p.budget.Max+p.budget.Max/leanReserve {
		t.Errorf("%d pending + %d shed != %d made, or %d bytes held past the bound and its reserve", full+lean, st.Shed[DropShedGenAI], len(spans), st.MemoryBytes)
	}
}

// stuckTranslator blocks the encoder that calls it until released, as a
// spool on a hung disk would.
type stuckTranslator struct {
	Passthrough
	entered chan struct{} // told once the encoder is stuck
	release chan struct{}
	once    *sync.Once
}

func (s stuckTranslator) Attributes(dst []attribute.KeyValue, sp *Span) []attribute.KeyValue {
	s.once.Do(func() { close(s.entered) })
	<-s.release
	return s.Passthrough.Attributes(dst, sp)
}

// TestStuckEncoderHoldsUpNoOtherDestination: one destination's encoder is
// stuck; the pipeline holds what waits for it a while, then that
// destination alone gives the batches up (counted) and the others go on.
func TestStuckEncoderHoldsUpNoOtherDestination(t *testing.T) {
	defer func(d time.Duration) { encoderStallTimeout = d }(encoderStallTimeout)
	encoderStallTimeout = 20 * time.Millisecond
	entered, release := make(chan struct{}), make(chan struct{})
	stuck, err := NewDestination(withDefaults(DestinationConfig{Name: "stuck", Translator: stuckTranslator{entered: entered, release: release, once: &sync.Once{}},
		Breaker: breaker.New(breaker.Settings{}), URL: "http://127.0.0.1:9/v1/traces", Client: http.DefaultClient}))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	p := NewPipeline(PipelineConfig{MaxBatch: 1, BatchTimeout: time.Hour}, stuck, rec)
	spans := recordSpans(t, resource.Empty(), func(tp trace.TracerProvider) {
		for i := range 5 {
			_, s := tp.Tracer("t").Start(context.Background(), "s"+strconv.Itoa(i))
			s.End()
		}
	})
	p.Accept(*spans[0], ValuePlain, 1000)
	p.dispatch()
	<-entered // the encoder is stuck on the first batch
	for _, s := range spans[1:] {
		p.Accept(*s, ValuePlain, 1000)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.dispatch() // two batches to the inbox, the rest held or pending
	if len(rec.names) != 3 {
		t.Errorf("the other consumer got %d spans before the encoder stalled, want 3", len(rec.names))
	}
	start := time.Now()
	waitFor(t, func() bool {
		p.dispatch()
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.names) == 5
	})
	if d := time.Since(start); d < encoderStallTimeout {
		t.Errorf("the stuck destination was given up after %v, before the stall timeout", d)
	}
	// One batch in the encoder, two in its inbox; the other two given up,
	// the second without waiting.
	if st := stuck.Stats(); st.Dropped[DropEncoderStalled] != 2 {
		t.Errorf("stuck destination dropped %v, want 2 encoder_stalled", st.Dropped)
	}
	if !stuck.stalled.Load() {
		t.Error("the destination does not know its encoder is stuck")
	}
	close(release)
	_ = p.Shutdown(ctx)
	if used := p.budget.Used(); used != 0 {
		t.Errorf("budget holds %d bytes after shutdown", used)
	}
}
