// Package messages reshapes the GenAI conventions' message lists
// (gen_ai.input.messages, gen_ai.output.messages, JSON of roles and parts)
// for destinations that know one list of plain-text messages: the system
// instructions put in front, the list flattened into OpenLLMetry's
// gen_ai.prompt.N.* attributes. It imports nothing of runtime/export.
package messages

import (
	"encoding/json"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/internal/textcut"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

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

// WithInstructions puts the system instructions (gen_ai.system_instructions,
// a list of parts) in front of the input messages as a system message, for
// destinations that know one message list only: Langfuse's generation
// input, the flattened gen_ai.prompt.N.* Instana reads. Instructions that
// are not a parts list (an older wrapper wrote messages; a user wrote
// text) are handled too.
func WithInstructions(input, system string) string {
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

// AppendFlat flattens a JSON message list into OpenLLMetry's
// gen_ai.prompt.N.* or gen_ai.completion.N.* attributes (prefix), each
// content cut to limit bytes. Text that does not parse as a message list
// becomes one message of defaultRole.
func AppendFlat(dst []attribute.KeyValue, prefix, defaultRole, raw string, limit int) []attribute.KeyValue {
	var msgs []message
	if err := json.Unmarshal([]byte(raw), &msgs); err != nil {
		dst = append(dst,
			attribute.String(prefix+"0.role", defaultRole),
			attribute.String(prefix+"0.content", textcut.To(raw, limit)))
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
			attribute.String(p+"content", textcut.To(m.text(), limit)))
		if m.FinishReason != "" {
			dst = append(dst, attribute.String(p+"finish_reason", m.FinishReason))
		}
	}
	return dst
}
