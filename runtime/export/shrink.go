package export

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/textcut"
)

// MaxValueBytes is the most bytes of one attribute or event value any
// destination is sent (Langfuse's input and output, the longest): a span
// that ends holding a longer one is cut to it before it is weighed against
// the memory budget, so that a 16 MiB prompt costs its content, never its
// span.
const MaxValueBytes = 1 << 20

// Shrink returns s as the pipeline keeps it: s itself, or, when one of its
// values is longer than MaxValueBytes, a copy with every such value cut to
// it (marked as cut) that holds nothing of s. It costs the caller's path
// nothing for a span whose estimated size (Inspect) is below the cap, and
// copying at most the cap per long value otherwise.
func Shrink(s sdktrace.ReadOnlySpan, size int64) (sdktrace.ReadOnlySpan, int64) {
	if size <= MaxValueBytes || !hasLongValue(s) {
		return s, size
	}
	c := detach(s, func(_ string, kv attribute.KeyValue) (attribute.KeyValue, bool) { return cutValue(kv), true })
	n, _ := Inspect(c)
	return c, n
}

// ContentDropped replaces the content of a GenAI span that did not fit
// the memory budget whole, so that a destination shows why it is missing.
const ContentDropped = "[content dropped: genaitrace's memory budget was full]"

// withoutContent returns a copy of s with its content (prompts,
// completions, tool payloads) replaced by ContentDropped, for a GenAI span
// that does not fit the memory budget whole: its model, usage and cost are
// worth more than its content. It runs on the caller's path, only when the
// budget is full.
func withoutContent(s sdktrace.ReadOnlySpan) sdktrace.ReadOnlySpan {
	return detach(s, func(event string, kv attribute.KeyValue) (attribute.KeyValue, bool) {
		content := IsContent(kv.Key)
		if event != "" {
			content = IsEventContent(event, kv.Key)
		}
		if content && kv.Value.Type() == attribute.STRING {
			return kv.Key.String(ContentDropped), true
		}
		return kv, !content
	})
}

// hasContentWorthShedding reports whether s holds content whose removal
// would make room for it: a string of a content attribute longer than an
// attribute's own cost. Without, a copy without content (withoutContent)
// would weigh the same, and copying it, on the caller's path, is waste. It
// looks at the lengths first: IsContent runs only on long strings.
func hasContentWorthShedding(s sdktrace.ReadOnlySpan) bool {
	long := func(kv attribute.KeyValue) bool {
		return kv.Value.Type() == attribute.STRING && len(kv.Value.AsString()) > attrOverhead
	}
	for _, kv := range s.Attributes() {
		if long(kv) && IsContent(kv.Key) {
			return true
		}
	}
	for _, e := range s.Events() {
		for _, kv := range e.Attributes {
			if long(kv) && IsEventContent(e.Name, kv.Key) {
				return true
			}
		}
	}
	return false
}

func hasLongValue(s sdktrace.ReadOnlySpan) bool {
	for _, kv := range s.Attributes() {
		if valueBytes(kv.Value) > MaxValueBytes {
			return true
		}
	}
	for _, e := range s.Events() {
		for _, kv := range e.Attributes {
			if valueBytes(kv.Value) > MaxValueBytes {
				return true
			}
		}
	}
	return false
}

func valueBytes(v attribute.Value) int {
	switch v.Type() {
	case attribute.STRING:
		return len(v.AsString())
	case attribute.STRINGSLICE:
		n := 0
		for _, x := range v.AsStringSlice() {
			n = max(n, len(x))
		}
		return n
	}
	return 0
}

// cutValue cuts a string, or each string of a slice, to MaxValueBytes,
// marked; a cut value shares nothing with the original.
func cutValue(kv attribute.KeyValue) attribute.KeyValue {
	switch kv.Value.Type() {
	case attribute.STRING:
		if v := kv.Value.AsString(); len(v) > MaxValueBytes {
			return kv.Key.String(textcut.To(v, MaxValueBytes))
		}
	case attribute.STRINGSLICE:
		vs := kv.Value.AsStringSlice() // a copy
		for i := range vs {
			vs[i] = textcut.To(vs[i], MaxValueBytes)
		}
		return kv.Key.StringSlice(vs)
	}
	return kv
}

// detach copies s, passing each attribute (of the span: event "", or of an
// event) through edit, which may change or drop it. The copy holds nothing
// of s but what edit returns.
func detach(s sdktrace.ReadOnlySpan, edit func(event string, kv attribute.KeyValue) (attribute.KeyValue, bool)) sdktrace.ReadOnlySpan {
	d := &detachedSpan{ReadOnlySpan: emptySpan, name: s.Name(), sc: s.SpanContext(), parent: s.Parent(), kind: s.SpanKind(),
		start: s.StartTime(), end: s.EndTime(), links: s.Links(), status: s.Status(), resource: s.Resource(), scope: s.InstrumentationScope(),
		droppedAttrs: s.DroppedAttributes(), droppedLinks: s.DroppedLinks(), droppedEvents: s.DroppedEvents(), children: s.ChildSpanCount()}
	d.attrs = editAttrs("", s.Attributes(), edit)
	for _, e := range s.Events() {
		e.Attributes = editAttrs(e.Name, e.Attributes, edit)
		d.events = append(d.events, e)
	}
	return d
}

func editAttrs(event string, attrs []attribute.KeyValue, edit func(string, attribute.KeyValue) (attribute.KeyValue, bool)) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, len(attrs))
	for _, kv := range attrs {
		if kv, keep := edit(event, kv); keep {
			out = append(out, kv)
		}
	}
	return out
}

// detachedSpan is a finished span copied out of the SDK's snapshot. It
// embeds a real, empty snapshot for the SDK's private method (and any
// method a later SDK adds), and answers every other from its own fields.
type detachedSpan struct {
	sdktrace.ReadOnlySpan
	name          string
	sc, parent    trace.SpanContext
	kind          trace.SpanKind
	start, end    time.Time
	attrs         []attribute.KeyValue
	events        []sdktrace.Event
	links         []sdktrace.Link
	status        sdktrace.Status
	resource      *resource.Resource
	scope         instrumentation.Scope
	droppedAttrs  int
	droppedLinks  int
	droppedEvents int
	children      int
}

func (d *detachedSpan) Name() string                                { return d.name }
func (d *detachedSpan) SpanContext() trace.SpanContext              { return d.sc }
func (d *detachedSpan) Parent() trace.SpanContext                   { return d.parent }
func (d *detachedSpan) SpanKind() trace.SpanKind                    { return d.kind }
func (d *detachedSpan) StartTime() time.Time                        { return d.start }
func (d *detachedSpan) EndTime() time.Time                          { return d.end }
func (d *detachedSpan) Attributes() []attribute.KeyValue            { return d.attrs }
func (d *detachedSpan) Links() []sdktrace.Link                      { return d.links }
func (d *detachedSpan) Events() []sdktrace.Event                    { return d.events }
func (d *detachedSpan) Status() sdktrace.Status                     { return d.status }
func (d *detachedSpan) InstrumentationScope() instrumentation.Scope { return d.scope }
func (d *detachedSpan) Resource() *resource.Resource                { return d.resource }
func (d *detachedSpan) DroppedAttributes() int                      { return d.droppedAttrs }
func (d *detachedSpan) DroppedLinks() int                           { return d.droppedLinks }
func (d *detachedSpan) DroppedEvents() int                          { return d.droppedEvents }
func (d *detachedSpan) ChildSpanCount() int                         { return d.children }

// InstrumentationLibrary is the scope under its deprecated name.
//
// Deprecated: use InstrumentationScope.
func (d *detachedSpan) InstrumentationLibrary() instrumentation.Library { //nolint:staticcheck // the SDK's interface has it
	return instrumentation.Library(d.scope) //nolint:staticcheck // the SDK's interface has it
}

// emptySpan is a real snapshot of an empty span, made once.
var emptySpan = func() sdktrace.ReadOnlySpan {
	var got sdktrace.ReadOnlySpan
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(endHook(func(s sdktrace.ReadOnlySpan) { got = s })))
	_, sp := tp.Tracer("genaitrace").Start(context.Background(), "")
	sp.End()
	_ = tp.Shutdown(context.Background())
	return got
}()

// endHook is a span processor that only calls fn when a span ends.
type endHook func(sdktrace.ReadOnlySpan)

func (f endHook) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (f endHook) OnEnd(s sdktrace.ReadOnlySpan)                   { f(s) }
func (f endHook) Shutdown(context.Context) error                  { return nil }
func (f endHook) ForceFlush(context.Context) error                { return nil }
