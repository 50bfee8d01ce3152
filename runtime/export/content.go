package export

import (
	"slices"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
	"github.com/genaitrace/genaitrace/runtime/export/internal/mask"
)

// IsContent reports whether key holds prompt, completion or tool content
// in any language genaitrace reads or writes.
func IsContent(key attribute.Key) bool { return dialect.IsContent(key) }

// IsEventContent reports whether an attribute of a span event holds
// content (a content key, or a body field of pre-v1.37 message events).
func IsEventContent(event string, k attribute.Key) bool { return dialect.IsEventContent(event, k) }

// contentTaker is implemented by translators that may send content.
type contentTaker interface{ takesContent() bool }

// takesContent reports whether tr sends content.
func takesContent(tr Translator) bool {
	ct, ok := tr.(contentTaker)
	return ok && ct.takesContent()
}

// exceptionMessage is the attribute of an exception event that holds the
// error's text.
const exceptionMessage = attribute.Key("exception.message")

// statusKey names a span's status description for a mask.
const statusKey = attribute.Key("otel.status_description")

// errorText is one of s's error messages (its status description) as a
// destination receives it: for a span whose instrumentation puts the
// provider's error body in its errors (LangSmith's), cut to the error's
// status unless the destination takes content.
func errorText(s *Span, content bool, msg string) string {
	if content || !s.norm.ErrorsEchoContent() {
		return msg
	}
	return dialect.StripEcho(msg)
}

// errorEvents applies errorText to the messages of s's exception events,
// and masks them: the events handed in are not modified.
func errorEvents(s *Span, content bool, m *mask.Masker, events []sdktrace.Event) []sdktrace.Event {
	if !s.norm.ErrorsEchoContent() {
		return events
	}
	out := events
	for i, e := range events {
		for j, kv := range e.Attributes {
			if kv.Key != exceptionMessage || kv.Value.Type() != attribute.STRING {
				continue
			}
			msg := m.Text(kv.Key, errorText(s, content, kv.Value.AsString()))
			if msg == kv.Value.AsString() {
				continue
			}
			if &out[0] == &events[0] {
				out = slices.Clone(events)
			}
			out[i].Attributes = slices.Clone(e.Attributes)
			out[i].Attributes[j] = kv.Key.String(msg)
		}
	}
	return out
}

// contentEvents returns events as a destination that takes content, or
// not, receives them.
func contentEvents(events []sdktrace.Event, content bool) []sdktrace.Event {
	if content {
		return events
	}
	return withoutEventContent(events)
}

// withoutEventContent returns events without their content attributes; the
// slice handed in is returned when none has any.
func withoutEventContent(events []sdktrace.Event) []sdktrace.Event {
	if !slices.ContainsFunc(events, mask.EventHasContent) {
		return events
	}
	out := make([]sdktrace.Event, len(events))
	for i, e := range events {
		out[i] = e
		if mask.EventHasContent(e) {
			out[i].Attributes = slices.DeleteFunc(slices.Clone(e.Attributes), func(kv attribute.KeyValue) bool { return IsEventContent(e.Name, kv.Key) })
		}
	}
	return out
}
