package genai

import "github.com/genaitrace/genaitrace/internal/jsonw"

// Messages builds the JSON of gen_ai.input.messages and
// gen_ai.output.messages, as the GenAI conventions shape them:
//
//	[{"role":"user","parts":[{"type":"text","content":"..."}]}]
//
// without reflection. The zero value is an empty list.
type Messages struct {
	b []byte
	n int
}

// Add appends a text message. An empty finishReason is left out.
func (m *Messages) Add(role, content, finishReason string) {
	if m.n == 0 {
		m.b = append(m.b, '[')
	} else {
		m.b = append(m.b, ',')
	}
	m.n++
	m.b = append(m.b, `{"role":`...)
	m.b = jsonw.String(m.b, role)
	m.b = append(m.b, `,"parts":[{"type":"text","content":`...)
	m.b = jsonw.String(m.b, content)
	m.b = append(m.b, "}]"...)
	if finishReason != "" {
		m.b = append(m.b, `,"finish_reason":`...)
		m.b = jsonw.String(m.b, finishReason)
	}
	m.b = append(m.b, '}')
}

// Len reports the number of messages.
func (m *Messages) Len() int { return m.n }

// String returns the JSON array.
func (m *Messages) String() string {
	if m.n == 0 {
		return "[]"
	}
	return string(m.b) + "]"
}

// TextMessage returns a one-message list.
func TextMessage(role, content string) string {
	var m Messages
	m.Add(role, content, "")
	return m.String()
}
