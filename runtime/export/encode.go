package export

import (
	"math"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protowire"
)

// OTLP field numbers (opentelemetry-proto, trace/v1 and common/v1).
const (
	fReqResourceSpans = 1

	fRSResource   = 1
	fRSScopeSpans = 2
	fRSSchemaURL  = 3

	fResAttributes = 1

	fSSScope     = 1
	fSSSpans     = 2
	fSSSchemaURL = 3

	fScopeName    = 1
	fScopeVersion = 2
	fScopeAttrs   = 3

	fSpanTraceID       = 1
	fSpanSpanID        = 2
	fSpanTraceState    = 3
	fSpanParentSpanID  = 4
	fSpanName          = 5
	fSpanKind          = 6
	fSpanStart         = 7
	fSpanEnd           = 8
	fSpanAttributes    = 9
	fSpanDroppedAttrs  = 10
	fSpanEvents        = 11
	fSpanDroppedEvents = 12
	fSpanLinks         = 13
	fSpanDroppedLinks  = 14
	fSpanStatus        = 15
	fSpanFlags         = 16

	fEventTime  = 1
	fEventName  = 2
	fEventAttrs = 3

	fLinkTraceID    = 1
	fLinkSpanID     = 2
	fLinkTraceState = 3
	fLinkAttrs      = 4
	fLinkFlags      = 6

	fStatusMessage = 2
	fStatusCode    = 3

	fKVKey   = 1
	fKVValue = 2

	fAnyString = 1
	fAnyBool   = 2
	fAnyInt    = 3
	fAnyDouble = 4
	fAnyArray  = 5

	fArrayValues = 1

	// Span flags: W3C trace flags in the low byte, then "is-remote known"
	// and "parent is remote".
	flagHasIsRemote = 0x100
	flagIsRemote    = 0x200
)

// Translator rewrites spans into one destination's language. Translators run
// in the pipeline's background goroutines, never on the caller's path.
type Translator interface {
	// Resource returns the resource attributes the destination is sent.
	Resource(r *resource.Resource) []attribute.KeyValue
	// Attributes appends the attributes the destination is sent for s to dst.
	Attributes(dst []attribute.KeyValue, s *Span) []attribute.KeyValue
}

// Passthrough sends spans as they are, but for prompts and completions
// unless Content is set: what a generic OTLP destination (a Collector
// gateway) gets.
type Passthrough struct {
	// Content sends prompts and completions (when the wrappers record
	// them).
	Content bool
}

// Resource returns r's attributes.
func (Passthrough) Resource(r *resource.Resource) []attribute.KeyValue { return r.Attributes() }

func (t Passthrough) events(s *Span) []sdktrace.Event {
	if t.Content {
		return s.Events()
	}
	return withoutEventContent(s.Events())
}

// Attributes appends s's attributes, without content unless opted in.
func (t Passthrough) Attributes(dst []attribute.KeyValue, s *Span) []attribute.KeyValue {
	if t.Content {
		return append(dst, s.Attributes()...)
	}
	for _, kv := range s.Attributes() {
		if !IsContent(kv.Key) {
			dst = append(dst, kv)
		}
	}
	return dst
}

// translate appends what tr makes of s's attributes to dst, masked. A
// span in another dialect may already carry a name its translation adds
// (OpenLLMetry's own gen_ai.usage.prompt_tokens, for Instana): the span's
// own value is kept, once.
func translate(tr Translator, m *masker, dst []attribute.KeyValue, s *Span) []attribute.KeyValue {
	start := len(dst)
	dst = tr.Attributes(dst, s)
	if s.norm != nil {
		dst = append(dst[:start], firstOfEachKey(dst[start:])...)
	}
	m.apply(dst[start:])
	return dst
}

func firstOfEachKey(attrs []attribute.KeyValue) []attribute.KeyValue {
	seen := make(map[attribute.Key]bool, len(attrs))
	out := attrs[:0]
	for _, kv := range attrs {
		if !seen[kv.Key] {
			seen[kv.Key] = true
			out = append(out, kv)
		}
	}
	return out
}

// eventTranslator is implemented by translators that change what a span's
// events carry: content is removed for destinations that do not take it,
// and message events another instrumentation wrote are dropped where their
// messages are sent as attributes.
type eventTranslator interface {
	events(s *Span) []sdktrace.Event
}

// translateEvents returns s's events as tr sends them, masked.
func translateEvents(tr Translator, m *masker, s *Span) []sdktrace.Event {
	events := s.Events()
	if et, ok := tr.(eventTranslator); ok {
		events = et.events(s)
	}
	return m.applyEvents(events)
}

// Encoder encodes batches of spans as OTLP ExportTraceServiceRequest
// protobuf for one destination. It reuses its buffers, so one Encoder must
// not be used concurrently.
type Encoder struct {
	pbuf
	tr    Translator
	mask  *masker
	attrs []attribute.KeyValue
	// resources caches translated resource attributes; a process has one or
	// a few resources, so this stays tiny.
	resources map[*resource.Resource][]attribute.KeyValue
}

// NewEncoder returns an encoder translating with tr.
func NewEncoder(tr Translator) *Encoder {
	return &Encoder{tr: tr, resources: make(map[*resource.Resource][]attribute.KeyValue)}
}

type scopeKey struct {
	res   *resource.Resource
	scope instrumentation.Scope
}

// Encode returns the encoded request for spans. The result aliases the
// encoder's buffer: it is valid until the next call.
func (e *Encoder) Encode(spans []*Span) []byte {
	e.b = e.b[:0]
	groups := groupSpans(spans)
	for i := 0; i < len(groups); {
		res := groups[i].key.res
		rs := e.begin(fReqResourceSpans)
		r := e.begin(fRSResource)
		e.appendAttrs(fResAttributes, e.resourceAttrs(res))
		e.end(r)
		for ; i < len(groups) && groups[i].key.res == res; i++ {
			e.appendScopeSpans(groups[i])
		}
		if res != nil && res.SchemaURL() != "" {
			e.b = appendString(e.b, fRSSchemaURL, res.SchemaURL())
		}
		e.end(rs)
	}
	return e.b
}

func (e *Encoder) resourceAttrs(r *resource.Resource) []attribute.KeyValue {
	if a, ok := e.resources[r]; ok {
		return a
	}
	if r == nil {
		r = resource.Empty()
	}
	a := e.tr.Resource(r)
	e.resources[r] = a
	return a
}

type spanGroup struct {
	key   scopeKey
	spans []*Span
}

// groupSpans groups spans by resource, then scope, in order of first
// appearance, so the output is deterministic.
func groupSpans(spans []*Span) []spanGroup {
	var groups []spanGroup
	index := map[scopeKey]int{}
	for _, s := range spans {
		k := scopeKey{s.Resource(), s.InstrumentationScope()}
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, spanGroup{key: k})
		}
		groups[i].spans = append(groups[i].spans, s)
	}
	// Keep groups of the same resource adjacent.
	out := groups[:0:0]
	done := make([]bool, len(groups))
	for i := range groups {
		if done[i] {
			continue
		}
		for j := i; j < len(groups); j++ {
			if !done[j] && groups[j].key.res == groups[i].key.res {
				out = append(out, groups[j])
				done[j] = true
			}
		}
	}
	return out
}

func (e *Encoder) appendScopeSpans(g spanGroup) {
	ss := e.begin(fRSScopeSpans)
	sc := e.begin(fSSScope)
	e.b = appendString(e.b, fScopeName, g.key.scope.Name)
	e.b = appendString(e.b, fScopeVersion, g.key.scope.Version)
	if g.key.scope.Attributes.Len() > 0 {
		e.appendAttrs(fScopeAttrs, g.key.scope.Attributes.ToSlice())
	}
	e.end(sc)
	for _, s := range g.spans {
		e.appendSpan(s)
	}
	e.b = appendString(e.b, fSSSchemaURL, g.key.scope.SchemaURL)
	e.end(ss)
}

func (e *Encoder) appendSpan(s *Span) {
	sp := e.begin(fSSSpans)
	sc := s.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	e.b = protowire.AppendTag(e.b, fSpanTraceID, protowire.BytesType)
	e.b = protowire.AppendBytes(e.b, tid[:])
	e.b = protowire.AppendTag(e.b, fSpanSpanID, protowire.BytesType)
	e.b = protowire.AppendBytes(e.b, sid[:])
	e.b = appendString(e.b, fSpanTraceState, sc.TraceState().String())
	parent := s.Parent()
	if parent.SpanID().IsValid() {
		psid := parent.SpanID()
		e.b = protowire.AppendTag(e.b, fSpanParentSpanID, protowire.BytesType)
		e.b = protowire.AppendBytes(e.b, psid[:])
	}
	flags := uint32(sc.TraceFlags()) | flagHasIsRemote
	if parent.IsRemote() {
		flags |= flagIsRemote
	}
	e.b = protowire.AppendTag(e.b, fSpanFlags, protowire.Fixed32Type)
	e.b = protowire.AppendFixed32(e.b, flags)
	e.b = appendString(e.b, fSpanName, s.Name())
	if k := s.SpanKind(); k != trace.SpanKindUnspecified {
		e.b = protowire.AppendTag(e.b, fSpanKind, protowire.VarintType)
		e.b = protowire.AppendVarint(e.b, uint64(k))
	}
	e.b = appendTime(e.b, fSpanStart, s.StartTime().UnixNano())
	e.b = appendTime(e.b, fSpanEnd, s.EndTime().UnixNano())

	e.attrs = translate(e.tr, e.mask, e.attrs[:0], s)
	e.appendAttrs(fSpanAttributes, e.attrs)
	e.b = appendCount(e.b, fSpanDroppedAttrs, s.DroppedAttributes())

	for _, ev := range translateEvents(e.tr, e.mask, s) {
		m := e.begin(fSpanEvents)
		e.b = appendTime(e.b, fEventTime, ev.Time.UnixNano())
		e.b = appendString(e.b, fEventName, ev.Name)
		e.appendAttrs(fEventAttrs, ev.Attributes)
		e.end(m)
	}
	e.b = appendCount(e.b, fSpanDroppedEvents, s.DroppedEvents())
	for _, l := range s.Links() {
		m := e.begin(fSpanLinks)
		ltid, lsid := l.SpanContext.TraceID(), l.SpanContext.SpanID()
		e.b = protowire.AppendTag(e.b, fLinkTraceID, protowire.BytesType)
		e.b = protowire.AppendBytes(e.b, ltid[:])
		e.b = protowire.AppendTag(e.b, fLinkSpanID, protowire.BytesType)
		e.b = protowire.AppendBytes(e.b, lsid[:])
		e.b = appendString(e.b, fLinkTraceState, l.SpanContext.TraceState().String())
		e.appendAttrs(fLinkAttrs, l.Attributes)
		e.b = protowire.AppendTag(e.b, fLinkFlags, protowire.Fixed32Type)
		e.b = protowire.AppendFixed32(e.b, uint32(l.SpanContext.TraceFlags())|flagHasIsRemote)
		e.end(m)
	}
	e.b = appendCount(e.b, fSpanDroppedLinks, s.DroppedLinks())

	if st := s.Status(); st.Code != 0 || st.Description != "" {
		m := e.begin(fSpanStatus)
		e.b = appendString(e.b, fStatusMessage, st.Description)
		// OTel Go: Unset 0, Error 1, Ok 2; OTLP: Unset 0, Ok 1, Error 2.
		if code := otlpStatusCode(st.Code); code != 0 {
			e.b = protowire.AppendTag(e.b, fStatusCode, protowire.VarintType)
			e.b = protowire.AppendVarint(e.b, code)
		}
		e.end(m)
	}
	e.end(sp)
}

func appendString(b []byte, field protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendTime(b []byte, field protowire.Number, unixNano int64) []byte {
	if unixNano <= 0 {
		return b
	}
	b = protowire.AppendTag(b, field, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, uint64(unixNano))
}

func appendDouble(b []byte, field protowire.Number, f float64) []byte {
	b = protowire.AppendTag(b, field, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, math.Float64bits(f))
}

func appendCount(b []byte, field protowire.Number, n int) []byte {
	if n <= 0 {
		return b
	}
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(n))
}

// otlpStatusCode maps OTel Go's codes (Unset 0, Error 1, Ok 2) to OTLP's
// (Unset 0, Ok 1, Error 2).
func otlpStatusCode(c codes.Code) uint64 {
	switch c {
	case codes.Ok:
		return 1
	case codes.Error:
		return 2
	}
	return 0
}
