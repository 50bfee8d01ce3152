package mask

import (
	"slices"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
)

// exceptionMessage is the attribute of an exception event that holds the
// error's text.
const exceptionMessage = attribute.Key("exception.message")

// StatusKey names a span's status description for a mask.
const StatusKey = attribute.Key("otel.status_description")

// ErrorText is one of a span's error messages (its status description) as
// a destination receives it: for a span whose instrumentation puts the
// provider's error body in its errors (echo, LangSmith's), cut to the
// error's status unless the destination takes content.
func ErrorText(echo, content bool, msg string) string {
	if content || !echo {
		return msg
	}
	return dialect.StripEcho(msg)
}

// ErrorEvents applies ErrorText to the messages of a span's exception
// events, and masks them: the events handed in are not modified.
func (m *Masker) ErrorEvents(echo, content bool, events []sdktrace.Event) []sdktrace.Event {
	if !echo {
		return events
	}
	out := events
	for i, e := range events {
		for j, kv := range e.Attributes {
			if kv.Key != exceptionMessage || kv.Value.Type() != attribute.STRING {
				continue
			}
			msg := m.Text(kv.Key, ErrorText(echo, content, kv.Value.AsString()))
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

// ContentEvents returns events as a destination that takes content, or
// not, receives them.
func ContentEvents(events []sdktrace.Event, content bool) []sdktrace.Event {
	if content {
		return events
	}
	return WithoutEventContent(events)
}

// WithoutEventContent returns events without their content attributes;
// the slice handed in is returned when none has any.
func WithoutEventContent(events []sdktrace.Event) []sdktrace.Event {
	if !slices.ContainsFunc(events, EventHasContent) {
		return events
	}
	out := make([]sdktrace.Event, len(events))
	for i, e := range events {
		out[i] = e
		if EventHasContent(e) {
			out[i].Attributes = slices.DeleteFunc(slices.Clone(e.Attributes), func(kv attribute.KeyValue) bool { return dialect.IsEventContent(e.Name, kv.Key) })
		}
	}
	return out
}
