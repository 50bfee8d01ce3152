package genai

import (
	"unicode/utf8"
)

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
	m.b = appendJSONString(m.b, role)
	m.b = append(m.b, `,"parts":[{"type":"text","content":`...)
	m.b = appendJSONString(m.b, content)
	m.b = append(m.b, "}]"...)
	if finishReason != "" {
		m.b = append(m.b, `,"finish_reason":`...)
		m.b = appendJSONString(m.b, finishReason)
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

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
