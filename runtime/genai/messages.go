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

// Parts builds the JSON of gen_ai.system_instructions, which the GenAI
// conventions shape as a list of parts, not of messages:
//
//	[{"type":"text","content":"..."}]
//
// The zero value is an empty list.
type Parts struct {
	b []byte
	n int
}

// Add appends a text part.
func (p *Parts) Add(content string) {
	if p.n == 0 {
		p.b = append(p.b, '[')
	} else {
		p.b = append(p.b, ',')
	}
	p.n++
	p.b = append(p.b, `{"type":"text","content":`...)
	p.b = jsonw.String(p.b, content)
	p.b = append(p.b, '}')
}

// Len reports the number of parts.
func (p *Parts) Len() int { return p.n }

// String returns the JSON array.
func (p *Parts) String() string {
	if p.n == 0 {
		return "[]"
	}
	return string(p.b) + "]"
}

// TextPart returns a one-part list.
func TextPart(content string) string {
	var p Parts
	p.Add(content)
	return p.String()
}

// TextMessage returns a one-message list.
func TextMessage(role, content string) string {
	var m Messages
	m.Add(role, content, "")
	return m.String()
}
