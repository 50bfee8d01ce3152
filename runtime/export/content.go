package export

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/internal/textcut"
	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
	"github.com/genaitrace/genaitrace/runtime/export/internal/mask"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// IsContent reports whether key holds prompt, completion or tool content
// in any language genaitrace reads or writes: such attributes reach only a
// destination, or a diagnostics page, that takes content.
func IsContent(key attribute.Key) bool { return dialect.IsContent(key) }

// IsEventContent reports whether an attribute of a span event holds
// content: a content key, or a body field of the message events the GenAI
// conventions had before v1.37.
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

// message is one entry of gen_ai.input.messages / gen_ai.output.messages as
// the GenAI conventions shape it.
type message struct {
	Role         string        `json:"role"`
	Parts        []messagePart `json:"parts"`
	FinishReason string        `json:"finish_reason,omitempty"`
}

type messagePart struct {
	Type    string          `json:"type"`
	Content json.RawMessage `json:"content,omitempty"`
	Text    string          `json:"text,omitempty"` // Gemini's parts, when a span holds those
	Name    string          `json:"name,omitempty"`
	Args    json.RawMessage `json:"arguments,omitempty"`
	Result  json.RawMessage `json:"response,omitempty"`
}

// text renders a message's parts as the plain text legacy attributes hold.
func (m message) text() string {
	var b strings.Builder
	for i, p := range m.Parts {
		if i > 0 {
			b.WriteByte('\n')
		}
		var s string
		switch {
		case p.Type == "text" && json.Unmarshal(p.Content, &s) == nil:
			b.WriteString(s)
		case p.Text != "":
			b.WriteString(p.Text)
		case p.Type == "tool_call":
			b.WriteString(p.Name)
			b.Write(p.Args)
		case len(p.Content) > 0:
			b.Write(p.Content)
		default:
			b.Write(p.Result)
		}
	}
	return b.String()
}

// withInstructions puts the system instructions (gen_ai.system_instructions,
// a list of parts) in front of the input messages as a system message, for
// destinations that know one message list only: Langfuse's generation
// input, the flattened gen_ai.prompt.N.* Instana reads. Instructions that
// are not a parts list (an older wrapper wrote messages; a user wrote
// text) are handled too.
func withInstructions(input, system string) string {
	if system == "" {
		return input
	}
	var sys string
	var probe []struct {
		Role *string `json:"role"`
	}
	switch err := json.Unmarshal([]byte(system), &probe); {
	case err != nil:
		sys = genai.TextMessage("system", system)
		sys = sys[1 : len(sys)-1]
	case len(probe) == 0:
		return input
	case probe[0].Role != nil: // already messages
		sys = strings.TrimSpace(system)
		sys = sys[1 : len(sys)-1]
	default:
		sys = `{"role":"system","parts":` + system + `}`
	}
	in := strings.TrimSpace(input)
	switch {
	case in == "" || in == "[]":
		return "[" + sys + "]"
	case in[0] == '[' && json.Valid([]byte(in)):
		return "[" + sys + "," + in[1:]
	}
	user := genai.TextMessage("user", input)
	return "[" + sys + "," + user[1:]
}

// maxLegacyMessages caps the flattened gen_ai.prompt.N.* attributes so a long
// conversation cannot push a span past the SDK's attribute limits.
const maxLegacyMessages = 16

// appendLegacyMessages flattens a JSON message list into OpenLLMetry's
// gen_ai.prompt.N.* or gen_ai.completion.N.* attributes. Text that does not
// parse as a message list becomes one user (or assistant) message.
func appendLegacyMessages(dst []attribute.KeyValue, prefix, defaultRole, raw string, limit int) []attribute.KeyValue {
	var msgs []message
	if err := json.Unmarshal([]byte(raw), &msgs); err != nil {
		dst = append(dst,
			attribute.String(prefix+"0.role", defaultRole),
			attribute.String(prefix+"0.content", truncate(raw, limit)))
		return dst
	}
	for i, m := range msgs {
		if i == maxLegacyMessages {
			break
		}
		p := prefix + strconv.Itoa(i) + "."
		role := m.Role
		if role == "" {
			role = defaultRole
		}
		dst = append(dst,
			attribute.String(p+"role", role),
			attribute.String(p+"content", truncate(m.text(), limit)))
		if m.FinishReason != "" {
			dst = append(dst, attribute.String(p+"finish_reason", m.FinishReason))
		}
	}
	return dst
}

// truncate cuts s to at most limit bytes on a UTF-8 boundary, marking the
// cut. limit <= 0 means no limit.
func truncate(s string, limit int) string { return textcut.To(s, limit) }
