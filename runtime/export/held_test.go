package export

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// heldFixture records spans of every shape the SDK makes: all attribute
// types (the new byte slices, slices and maps too), events, links, a
// remote parent with a trace state, status, a second resource and scope,
// a model call in another dialect (OpenLLMetry's names, normalised).
func heldFixture(t testing.TB) []*Span {
	res := resource.NewWithAttributes("https://opentelemetry.io/schemas/1.41.0", attribute.String("service.name", "svc"))
	ts, _ := trace.ParseTraceState("vendor=value,other=x")
	remote := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		SpanID:  trace.SpanID{9, 9, 9, 9, 9, 9, 9, 9}, TraceFlags: trace.FlagsSampled, TraceState: ts, Remote: true,
	})
	odd := append(append([]attribute.KeyValue(nil), allTypes...),
		attribute.KeyValue{Key: "bytes", Value: attribute.ByteSliceValue([]byte{0, 1, 255})},
		attribute.KeyValue{Key: "slice", Value: attribute.SliceValue(attribute.IntValue(1), attribute.StringValue("two"), attribute.SliceValue())},
		attribute.KeyValue{Key: "map", Value: attribute.MapValue(attribute.String("k", "v"), attribute.Float64("nan", math.NaN()))},
		attribute.KeyValue{Key: "empty"},
		attribute.String("", "no key"),
	)
	spans := recordSpans(t, res, func(tp trace.TracerProvider) {
		tr := tp.Tracer("scope-a", trace.WithInstrumentationVersion("v1"), trace.WithInstrumentationAttributes(attribute.String("scope.attr", "x")))
		ctx := trace.ContextWithRemoteSpanContext(context.Background(), remote)
		ctx, root := tr.Start(ctx, "root", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(odd...),
			trace.WithLinks(trace.Link{SpanContext: remote, Attributes: []attribute.KeyValue{attribute.String("l", "v")}}))
		root.AddEvent("evt", trace.WithAttributes(attribute.Int("n", 1)))
		root.AddEvent("gen_ai.user.message", trace.WithAttributes(attribute.String("content", "hello")))
		_, child := tp.Tracer("scope-b").Start(ctx, "chat gpt-4o-mini", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(benchAttributes(7)...))
		child.SetStatus(codes.Error, "boom")
		child.End()
		_, legacy := tp.Tracer("opentelemetry.instrumentation.openai").Start(ctx, "openai.chat", trace.WithAttributes(
			attribute.String("llm.request.type", "chat"), attribute.String("gen_ai.system", "openai"),
			attribute.String("gen_ai.request.model", "gpt-4o"), attribute.Int("gen_ai.usage.prompt_tokens", 12),
			attribute.Int("gen_ai.usage.completion_tokens", 3), attribute.String("gen_ai.prompt.0.role", "user"),
			attribute.String("gen_ai.prompt.0.content", "hi")))
		legacy.End()
		root.SetStatus(codes.Ok, "")
		root.End()
	})
	other := recordSpans(t, resource.NewSchemaless(attribute.String("service.name", "other")), func(tp trace.TracerProvider) {
		_, s := tp.Tracer("x").Start(context.Background(), "plain", trace.WithTimestamp(time.Unix(0, 0)))
		s.End(trace.WithTimestamp(time.Unix(0, 0)))
	})
	spans = append(spans, other...)
	facts := make([]Facts, len(spans))
	for i, s := range spans {
		s.derive(&facts[i], pricing.Default())
	}
	info := NewTraceInfo(TraceFields{Name: "trace", SessionID: "s-1", Tags: []string{"a"}})
	for i, s := range spans {
		s.size = int64(1500 + i)
		s.noContent = i%2 == 0
		if i < 3 {
			s.Trace = info
		}
	}
	return spans
}

// readOnly is every field of a span the SDK's interface tells.
type readOnly struct {
	Name                                            string
	SC, Parent                                      trace.SpanContext
	Kind                                            trace.SpanKind
	Start, End                                      int64
	Attrs                                           []attribute.KeyValue
	Events                                          []sdktrace.Event
	Links                                           []sdktrace.Link
	Status                                          sdktrace.Status
	Resource                                        *resource.Resource
	ScopeName, ScopeVersion, ScopeSchema            string
	ScopeAttrs                                      []attribute.KeyValue
	DroppedAttrs, DroppedEvents, DroppedLinks, Kids int
}

func readOnlyOf(s sdktrace.ReadOnlySpan) readOnly {
	sc := s.InstrumentationScope()
	events := s.Events()
	for i := range events {
		events[i].Time = time.Unix(0, events[i].Time.UnixNano()) // the monotonic reading is not kept
	}
	return readOnly{Name: s.Name(), SC: s.SpanContext(), Parent: s.Parent(), Kind: s.SpanKind(),
		Start: s.StartTime().UnixNano(), End: s.EndTime().UnixNano(), Attrs: s.Attributes(), Events: events, Links: s.Links(),
		Status: s.Status(), Resource: s.Resource(), ScopeName: sc.Name, ScopeVersion: sc.Version, ScopeSchema: sc.SchemaURL,
		ScopeAttrs: sc.Attributes.ToSlice(), DroppedAttrs: s.DroppedAttributes(), DroppedEvents: s.DroppedEvents(),
		DroppedLinks: s.DroppedLinks(), Kids: s.ChildSpanCount()}
}

var cmpSpans = []cmp.Option{
	cmp.Comparer(func(a, b attribute.Value) bool { return a.Type() == b.Type() && a.String() == b.String() }),
	cmp.Comparer(func(a, b trace.SpanContext) bool { return a.Equal(b) && a.IsRemote() == b.IsRemote() }),
	cmp.Comparer(func(a, b *resource.Resource) bool { return a == b }),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
}

// TestHeldBatchReadsBackWhatWasHeld: a held batch read back is the same
// spans, field for field, with their trace facts and sizes; prepared as
// the pipeline prepares spans, every translator encodes them to the same
// bytes.
func TestHeldBatchReadsBackWhatWasHeld(t *testing.T) {
	spans := heldFixture(t)
	chunk := make([]Span, len(spans))
	for i, s := range spans {
		chunk[i] = *s
	}
	var scratch [2][]byte
	hb := holdBatch(chunk, &scratch)
	got, err := hb.spans()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(spans) {
		t.Fatalf("%d spans read back, want %d", len(got), len(spans))
	}
	if per := (hb.bytes - heldOverhead) / int64(len(spans)); per*3 > sumSizes(spans)/int64(len(spans)) {
		t.Errorf("%d bytes held per span, more than a third of their estimate", per)
	}
	back := make([]*Span, len(got))
	facts := make([]Facts, len(got))
	for i, s := range spans {
		g := &got[i]
		if diff := cmp.Diff(readOnlyOf(s.ReadOnlySpan), readOnlyOf(g.ReadOnlySpan), cmpSpans...); diff != "" {
			t.Errorf("span %q (-held +read back):\n%s", s.Name(), diff)
		}
		if g.Trace != s.Trace || g.size != s.size {
			t.Errorf("span %q: trace %p/%p, size %d/%d", s.Name(), s.Trace, g.Trace, s.size, g.size)
		}
		g.derive(&facts[i], pricing.Default())
		g.noContent = s.noContent
		if diff := cmp.Diff(s.Attributes(), g.Attributes(), cmpSpans...); diff != "" {
			t.Errorf("span %q normalised (-held +read back):\n%s", s.Name(), diff)
		}
		if g.content != s.content || g.Dialects() != s.Dialects() || *g.Facts != *s.Facts {
			t.Errorf("span %q: content %b/%b, dialects %q/%q, facts %+v/%+v", s.Name(), s.content, g.content, s.Dialects(), g.Dialects(), *s.Facts, *g.Facts)
		}
		back[i] = g
	}
	for _, tr := range []Translator{Passthrough{Content: true}, Passthrough{}, InstanaTranslator{Content: true},
		InstanaTranslator{}, LangfuseTranslator{Content: true, Cost: CostByGenaitrace}, LangfuseTranslator{}} {
		want := bytes.Clone(newEncoder(tr, ConventionsV141).Encode(spans))
		if g := newEncoder(tr, ConventionsV141).Encode(back); !bytes.Equal(g, want) {
			t.Errorf("%T%+v: the spans read back encode to other bytes", tr, tr)
		}
	}
}

func sumSizes(spans []*Span) int64 {
	if len(spans) == 0 {
		return 0
	}
	var n int64
	for _, s := range spans {
		n += s.size
	}
	return n
}

// TestBusyEncoderHoldsBatches: while a destination's encoder is busy, the
// pending spans beyond a batch are held compactly, not shed nor waited
// for: their snapshots' bytes are let go, the other consumers wait with
// them, and once the encoder is free every span reaches the destination;
// the budget ends empty.
func TestBusyEncoderHoldsBatches(t *testing.T) {
	r := otlptest.New(t)
	busy, entered, release := busyDestination(t, r)
	rec := &recorder{}
	p := NewPipeline(PipelineConfig{MaxBatch: 10, BatchTimeout: time.Hour}, busy, rec)
	fillWhileBusy(t, p, entered, ValueGenAI)
	start := time.Now()
	p.dispatch()
	if d := time.Since(start); d > time.Second {
		t.Errorf("dispatching 90 spans while a destination is busy took %v", d)
	}
	if len(rec.names) != 30 {
		t.Errorf("the other consumer got %d spans, want the 30 of the three batches the busy one took", len(rec.names))
	}
	// Two batches in the inbox, one left pending, the other six held.
	st := p.Stats()
	p.mu.Lock()
	held, heldBytes := len(p.held), p.heldBytes
	p.mu.Unlock()
	if held != 6 || st.Pending != 70 || st.Dispatched != 30 {
		t.Errorf("%d batches held, %d spans pending, %d dispatched; want 6, 70, 30", held, st.Pending, st.Dispatched)
	}
	// The three batches with the encoder and the pending one hold their
	// spans' bytes; the held ones only their compact form's (a fifth at
	// most here, where batches of ten spans each pay a struct's overhead).
	if used := p.budget.Used(); used != 4*10*1000+heldBytes || heldBytes > 6*10*1000/5 {
		t.Errorf("budget holds %d bytes, held %d: want the four batches' 40,000 and the held ones' at most 12,000", used, heldBytes)
	}
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := r.WaitSpans(t, 100, 10*time.Second)
	names := map[string]bool{}
	for _, s := range got {
		names[s.Name] = true
	}
	if len(names) != 100 || len(rec.names) != 100 {
		t.Errorf("%d distinct spans delivered, the other consumer got %d; want 100 each", len(names), len(rec.names))
	}
	if st := busy.Stats(); len(st.Dropped) != 0 || st.Exported != 100 {
		t.Errorf("dropped %v, exported %d, want none dropped, 100 exported", st.Dropped, st.Exported)
	}
	_ = p.Shutdown(ctx)
	if used := p.budget.Used(); used != 0 {
		t.Errorf("budget holds %d bytes after shutdown", used)
	}
}

// busyDestination returns a destination sending to r whose encoder, once
// it has told entered, is stuck on its first batch until release closes.
func busyDestination(t *testing.T, r *otlptest.Receiver) (d *Destination, entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	d, err := NewDestination(withDefaults(DestinationConfig{Name: "busy",
		Translator: stuckTranslator{entered: entered, release: release, once: &sync.Once{}},
		Breaker:    breaker.New(breaker.Settings{}), URL: r.URL() + "/v1/traces", Client: http.DefaultClient}))
	if err != nil {
		t.Fatal(err)
	}
	return d, entered, release
}

// fillWhileBusy gives p 100 spans of value v and 1,000 bytes: a batch of
// ten, dispatched until the busy destination's encoder is stuck on it (it
// tells entered), then the other 90. It returns the spans.
func fillWhileBusy(t *testing.T, p *Pipeline, entered chan struct{}, v Value) []*Span {
	spans := recordSpans(t, resource.Empty(), func(tp trace.TracerProvider) {
		for i := range 100 {
			_, s := tp.Tracer("t").Start(context.Background(), "s"+strconv.Itoa(i), trace.WithAttributes(benchAttributes(i)...))
			s.End()
		}
	})
	for _, s := range spans[:10] {
		p.Accept(*s, v, 1000)
	}
	p.dispatch()
	<-entered // the encoder is busy with the first batch
	for _, s := range spans[10:] {
		p.Accept(*s, v, 1000)
	}
	return spans
}

// BenchmarkHeld measures holding a batch of 512 GenAI spans compactly and
// reading it back, per span, and the bytes held per span.
//
//	go test ./runtime/export -run '^$' -bench BenchmarkHeld -benchmem
func BenchmarkHeld(b *testing.B) {
	spans := recordSpans(b, resource.Empty(), func(tp trace.TracerProvider) {
		for i := range 512 {
			_, s := tp.Tracer("bench").Start(context.Background(), "chat gpt-4o-mini", trace.WithAttributes(benchAttributes(i)...))
			s.End()
		}
	})
	chunk := make([]Span, len(spans))
	for i, s := range spans {
		chunk[i] = *s
	}
	var scratch [2][]byte
	b.Run("op=hold", func(b *testing.B) {
		b.ReportAllocs()
		var hb *heldBatch
		for b.Loop() {
			hb = holdBatch(chunk, &scratch)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(chunk)), "ns/span")
		b.ReportMetric(float64(hb.bytes)/float64(len(chunk)), "held-B/span")
	})
	b.Run("op=read-back", func(b *testing.B) {
		hb := holdBatch(chunk, &scratch)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := hb.spans(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(chunk)), "ns/span")
	})
}

// TestShutdownSendsWhatItSpooled: batches that went to the spool only
// because the senders were behind (a burst, a batch job) are sent during
// Shutdown, while the destination takes them and the deadline allows,
// instead of waiting on disk for a next process that a batch job may never
// start.
func TestShutdownSendsWhatItSpooled(t *testing.T) {
	r := otlptest.New(t)
	r.SetMode(otlptest.Slow)
	r.SetDelay(20 * time.Millisecond)
	d, err := NewDestination(withDefaults(DestinationConfig{Name: "behind", Settings: DestinationSettings{SpoolDir: t.TempDir(), QueueMaxBytes: 1, MaxInFlight: 1},
		Breaker: breaker.New(breaker.Settings{}), URL: r.URL() + "/v1/traces", Client: http.DefaultClient}))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPipeline(PipelineConfig{MaxBatch: 10, BatchTimeout: time.Hour}, d)
	spans := recordSpans(t, resource.Empty(), func(tp trace.TracerProvider) {
		for i := range 200 {
			_, s := tp.Tracer("t").Start(context.Background(), "s"+strconv.Itoa(i))
			s.End()
		}
	})
	for _, s := range spans {
		p.Accept(*s, ValueGenAI, 100)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.Spooled == 0 || st.Spool == nil || st.Spool.PendingSpans == 0 {
		t.Fatalf("nothing waits in the spool before shutdown (spooled %d): the test did not make the senders fall behind", st.Spooled)
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got, dups := r.Unique(); got != 200 || dups != 0 {
		t.Errorf("%d of 200 spans delivered by the end of Shutdown (%d duplicates)", got, dups)
	}
	if st := d.Stats(); st.Spool.PendingSpans != 0 || len(st.Dropped) != 0 {
		t.Errorf("after shutdown: %d spans still spooled, dropped %v", st.Spool.PendingSpans, st.Dropped)
	}
}

// TestHeldPlainSpansGoBeforeModelCalls: held batches count in the memory
// budget and are shed by value like pending spans: with the budget full of
// plain spans, pending and held while the encoder is busy, model calls
// shed every plain span (pending ones first, then the held batches) before
// the first of them is shed, and every plain span is counted.
func TestHeldPlainSpansGoBeforeModelCalls(t *testing.T) {
	r := otlptest.New(t)
	busy, entered, release := busyDestination(t, r)
	// A live share of 200,000 bytes: 200 spans of 1,000.
	p := NewPipeline(PipelineConfig{MaxBatch: 10, BatchTimeout: time.Hour, MemoryMaxBytes: 8 * 200_000}, busy)
	spans := fillWhileBusy(t, p, entered, ValuePlain)
	p.dispatch()
	p.mu.Lock()
	held := len(p.held)
	p.mu.Unlock()
	if held == 0 {
		t.Fatal("no batch held while the encoder is busy")
	}
	// The batcher kept out from here on (it would hold what is pending, a
	// chunk at a time, and a chunk being written is neither pending nor
	// held): what is held stays as the dispatch above left it.
	p.dispatchMu.Lock()
	// The rest of the budget filled with plain spans, pending.
	plain := int64(100)
	for p.Stats().Shed[DropShedPlain] == 0 {
		p.Accept(*spans[plain%100], ValuePlain, 1000)
		plain++
	}
	calls := 0
	for p.Stats().Shed[DropShedGenAI] == 0 && calls < 1000 {
		p.mu.Lock()
		plainLeft := p.pending[ValuePlain].len()
		for _, hb := range p.held {
			if hb.value == ValuePlain {
				plainLeft += hb.n
			}
		}
		p.mu.Unlock()
		p.Accept(*spans[calls%100], ValueGenAI, 1000)
		calls++
		if p.Stats().Shed[DropShedGenAI] != 0 && plainLeft != 0 {
			t.Fatalf("a model call was shed while %d plain spans waited (budget %d of %d, pending %d/%d/%d, held %d)", plainLeft,
				p.budget.Used(), p.budget.Max, p.pending[0].len(), p.pending[1].len(), p.pending[2].len(), len(p.held))
		}
	}
	st := p.Stats()
	p.mu.Lock()
	heldPlain := 0
	for _, hb := range p.held {
		if hb.value == ValuePlain {
			heldPlain += hb.n
		}
	}
	p.mu.Unlock()
	if heldPlain != 0 {
		t.Errorf("%d plain spans still held once model calls are shed", heldPlain)
	}
	// The encoder and its inbox have the three batches dispatched (the
	// batcher hands over nothing while the encoder is busy); every other
	// plain span was shed, and counted.
	if st.Dispatched != 30 || st.Shed[DropShedPlain] != plain-30 {
		t.Errorf("%d spans dispatched and %d plain ones shed, want every one of the %d plain spans in one or the other", st.Dispatched, st.Shed[DropShedPlain], plain)
	}
	if used := p.budget.Used(); used > p.budget.Max {
		t.Errorf("budget holds %d bytes, over its %d", used, p.budget.Max)
	}
	p.dispatchMu.Unlock()
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = p.Shutdown(ctx)
	if used := p.budget.Used(); used != 0 {
		t.Errorf("budget holds %d bytes after shutdown", used)
	}
}
