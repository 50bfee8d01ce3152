// Package spancopy copies finished spans out of the SDK's snapshots, with
// their attributes edited: values too long for any destination cut, or
// content dropped. A copy holds nothing of the snapshot but what the edit
// kept, so the snapshot's memory (a 16 MiB prompt) can go.
package spancopy

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// An Edit changes or drops one attribute of a span (event "") or of one
// of its events: it returns the attribute to keep and whether to keep it.
type Edit func(event string, kv attribute.KeyValue) (attribute.KeyValue, bool)

// Detach copies s, passing each attribute through edit.
func Detach(s sdktrace.ReadOnlySpan, edit Edit) sdktrace.ReadOnlySpan {
	d := &detached{ReadOnlySpan: emptySpan, name: s.Name(), sc: s.SpanContext(), parent: s.Parent(), kind: s.SpanKind(),
		start: s.StartTime(), end: s.EndTime(), links: s.Links(), status: s.Status(), resource: s.Resource(), scope: s.InstrumentationScope(),
		droppedAttrs: s.DroppedAttributes(), droppedLinks: s.DroppedLinks(), droppedEvents: s.DroppedEvents(), children: s.ChildSpanCount()}
	d.attrs = editAttrs("", s.Attributes(), edit)
	for _, e := range s.Events() {
		e.Attributes = editAttrs(e.Name, e.Attributes, edit)
		d.events = append(d.events, e)
	}
	return d
}

func editAttrs(event string, attrs []attribute.KeyValue, edit Edit) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, len(attrs))
	for _, kv := range attrs {
		if kv, keep := edit(event, kv); keep {
			out = append(out, kv)
		}
	}
	return out
}

// detached is a finished span copied out of the SDK's snapshot. It embeds
// a real, empty snapshot for the SDK's private method (and any method a
// later SDK adds), and answers every other from its own fields.
type detached struct {
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

func (d *detached) Name() string                                { return d.name }
func (d *detached) SpanContext() trace.SpanContext              { return d.sc }
func (d *detached) Parent() trace.SpanContext                   { return d.parent }
func (d *detached) SpanKind() trace.SpanKind                    { return d.kind }
func (d *detached) StartTime() time.Time                        { return d.start }
func (d *detached) EndTime() time.Time                          { return d.end }
func (d *detached) Attributes() []attribute.KeyValue            { return d.attrs }
func (d *detached) Links() []sdktrace.Link                      { return d.links }
func (d *detached) Events() []sdktrace.Event                    { return d.events }
func (d *detached) Status() sdktrace.Status                     { return d.status }
func (d *detached) InstrumentationScope() instrumentation.Scope { return d.scope }
func (d *detached) Resource() *resource.Resource                { return d.resource }
func (d *detached) DroppedAttributes() int                      { return d.droppedAttrs }
func (d *detached) DroppedLinks() int                           { return d.droppedLinks }
func (d *detached) DroppedEvents() int                          { return d.droppedEvents }
func (d *detached) ChildSpanCount() int                         { return d.children }

// InstrumentationLibrary is the scope under its deprecated name.
//
// Deprecated: use InstrumentationScope.
func (d *detached) InstrumentationLibrary() instrumentation.Library { //nolint:staticcheck // the SDK's interface has it
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
