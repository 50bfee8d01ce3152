package export

import (
	"slices"

	"github.com/genaitrace/genaitrace/runtime/export/internal/conventions"
	"github.com/genaitrace/genaitrace/runtime/export/internal/mask"
	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
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

func (t Passthrough) takesContent() bool { return t.Content }

func (t Passthrough) events(s *Span) []sdktrace.Event {
	if t.Content {
		return s.Events()
	}
	return mask.WithoutEventContent(s.Events())
}

// Attributes appends s's attributes, without content unless opted in.
func (t Passthrough) Attributes(dst []attribute.KeyValue, s *Span) []attribute.KeyValue {
	if t.Content {
		return append(dst, s.Attributes()...)
	}
	for i, kv := range s.Attributes() {
		if !s.isContentAt(i, kv) {
			dst = append(dst, kv)
		}
	}
	return dst
}

// translate appends what tr makes of s's attributes to dst, in the
// conventions' names conv chooses, masked. A span in another dialect may
// already carry a name its translation adds (OpenLLMetry's own
// gen_ai.usage.total_tokens, for Instana): the span's own value is kept,
// once.
func translate(tr Translator, conv Conventions, m *mask.Masker, dst []attribute.KeyValue, s *Span) []attribute.KeyValue {
	start := len(dst)
	dst = tr.Attributes(dst, s)
	if s.norm != nil {
		dst = append(dst[:start], firstOfEachKey(dst[start:])...)
	}
	if conv == ConventionsLatest && s.Facts != nil {
		conventions.ToLatest(dst[start:], s.Facts.Operation)
	}
	if s.noContent {
		dst = slices.DeleteFunc(dst, func(kv attribute.KeyValue) bool { return IsContent(kv.Key) })
	}
	m.Attrs(dst[start:])
	if s.norm.ErrorsEchoContent() && m != nil {
		for i, kv := range dst[start:] {
			if kv.Key == vocab.LangfuseStatusMessage {
				dst[start+i] = kv.Key.String(m.Text(kv.Key, kv.Value.AsString()))
			}
		}
	}
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

// parentTranslator is implemented by translators that send some spans
// without their parent (Langfuse: a local root whose parent is remote).
type parentTranslator interface {
	detachesParent(s *Span) bool
}

// translateEvents returns s's events as tr sends them, masked.
func translateEvents(tr Translator, m *mask.Masker, s *Span) []sdktrace.Event {
	events := s.Events()
	if et, ok := tr.(eventTranslator); ok {
		events = et.events(s)
	}
	if s.noContent {
		events = mask.WithoutEventContent(events)
	}
	return m.ErrorEvents(s.norm.ErrorsEchoContent(), takesContent(tr) && !s.noContent, m.Events(events))
}

// encoder encodes batches of spans as OTLP ExportTraceServiceRequest
// protobuf for one destination. It reuses its buffers, so one encoder must
// not be used concurrently.
type encoder struct {
	otlp.Buf
	tr Translator
	// parents is tr when it sends some spans without their parent.
	parents parentTranslator
	conv    Conventions
	mask    *mask.Masker
	attrs   []attribute.KeyValue
	// resources caches translated resource attributes; a process has one or
	// a few resources, so this stays tiny.
	resources map[*resource.Resource][]attribute.KeyValue
}

// newEncoder returns an encoder translating with tr into the names conv
// chooses.
func newEncoder(tr Translator, conv Conventions) *encoder {
	pt, _ := tr.(parentTranslator)
	return &encoder{tr: tr, parents: pt, conv: conv, resources: make(map[*resource.Resource][]attribute.KeyValue)}
}

type scopeKey struct {
	res   *resource.Resource
	scope instrumentation.Scope
}

// Encode returns the encoded request for spans. The result aliases the
// encoder's buffer: it is valid until the next call.
func (e *encoder) Encode(spans []*Span) []byte {
	e.Reset()
	groups := groupSpans(spans)
	for i := 0; i < len(groups); {
		res := groups[i].key.res
		rs := e.Begin(fReqResourceSpans)
		r := e.Begin(fRSResource)
		e.Attrs(fResAttributes, e.resourceAttrs(res))
		e.End(r)
		for ; i < len(groups) && groups[i].key.res == res; i++ {
			e.appendScopeSpans(groups[i])
		}
		if res != nil && res.SchemaURL() != "" {
			e.String(fRSSchemaURL, res.SchemaURL())
		}
		e.End(rs)
	}
	return e.B
}

func (e *encoder) resourceAttrs(r *resource.Resource) []attribute.KeyValue {
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
	if len(spans) == 0 {
		return nil
	}
	if first := (scopeKey{spans[0].Resource(), spans[0].InstrumentationScope()}); sameScope(spans, first) {
		// The common case: one resource and one scope, no index to build.
		return []spanGroup{{key: first, spans: spans}}
	}
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

func (e *encoder) appendScopeSpans(g spanGroup) {
	ss := e.Begin(fRSScopeSpans)
	sc := e.Begin(fSSScope)
	e.String(fScopeName, g.key.scope.Name)
	e.String(fScopeVersion, g.key.scope.Version)
	if g.key.scope.Attributes.Len() > 0 {
		e.Attrs(fScopeAttrs, g.key.scope.Attributes.ToSlice())
	}
	e.End(sc)
	for _, s := range g.spans {
		e.appendSpan(s)
	}
	e.String(fSSSchemaURL, g.key.scope.SchemaURL)
	e.End(ss)
}

func (e *encoder) appendSpan(s *Span) {
	sp := e.Begin(fSSSpans)
	sc := s.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	e.Bytes(fSpanTraceID, tid[:])
	e.Bytes(fSpanSpanID, sid[:])
	e.String(fSpanTraceState, sc.TraceState().String())
	parent := s.Parent()
	if e.parents != nil && e.parents.detachesParent(s) {
		parent = trace.SpanContext{}
	}
	if parent.SpanID().IsValid() {
		psid := parent.SpanID()
		e.Bytes(fSpanParentSpanID, psid[:])
	}
	flags := uint32(sc.TraceFlags()) | flagHasIsRemote
	if parent.IsRemote() {
		flags |= flagIsRemote
	}
	e.Fixed32(fSpanFlags, flags)
	e.String(fSpanName, s.Name())
	if k := s.SpanKind(); k != trace.SpanKindUnspecified {
		e.Varint(fSpanKind, uint64(k))
	}
	e.Time(fSpanStart, s.StartTime().UnixNano())
	e.Time(fSpanEnd, s.EndTime().UnixNano())

	e.attrs = translate(e.tr, e.conv, e.mask, e.attrs[:0], s)
	e.Attrs(fSpanAttributes, e.attrs)
	e.Count(fSpanDroppedAttrs, s.DroppedAttributes())

	for _, ev := range translateEvents(e.tr, e.mask, s) {
		m := e.Begin(fSpanEvents)
		e.Time(fEventTime, ev.Time.UnixNano())
		e.String(fEventName, ev.Name)
		e.Attrs(fEventAttrs, ev.Attributes)
		e.End(m)
	}
	e.Count(fSpanDroppedEvents, s.DroppedEvents())
	for _, l := range s.Links() {
		m := e.Begin(fSpanLinks)
		ltid, lsid := l.SpanContext.TraceID(), l.SpanContext.SpanID()
		e.Bytes(fLinkTraceID, ltid[:])
		e.Bytes(fLinkSpanID, lsid[:])
		e.String(fLinkTraceState, l.SpanContext.TraceState().String())
		e.Attrs(fLinkAttrs, l.Attributes)
		e.Fixed32(fLinkFlags, uint32(l.SpanContext.TraceFlags())|flagHasIsRemote)
		e.End(m)
	}
	e.Count(fSpanDroppedLinks, s.DroppedLinks())

	if st := s.Status(); st.Code != 0 || st.Description != "" {
		m := e.Begin(fSpanStatus)
		desc := st.Description
		if s.norm.ErrorsEchoContent() {
			desc = e.mask.Text(mask.StatusKey, mask.ErrorText(s.norm.ErrorsEchoContent(), takesContent(e.tr), desc))
		}
		e.String(fStatusMessage, desc)
		// OTel Go: Unset 0, Error 1, Ok 2; OTLP: Unset 0, Ok 1, Error 2.
		if code := otlpStatusCode(st.Code); code != 0 {
			e.Varint(fStatusCode, code)
		}
		e.End(m)
	}
	e.End(sp)
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

// sameScope reports whether every span has k's resource and scope.
func sameScope(spans []*Span, k scopeKey) bool {
	for _, s := range spans {
		if s.Resource() != k.res || s.InstrumentationScope() != k.scope {
			return false
		}
	}
	return true
}
