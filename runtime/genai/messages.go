package genai

import (
	"bytes"
	"encoding/json"
)

// Messages builds the JSON of gen_ai.input.messages and
// gen_ai.output.messages, as the GenAI conventions shape them:
//
//	[{"role":"user","parts":[{"type":"text","content":"..."}]}]
//
// from fields a wrapper reads (the conventions' shapes, written by
// encoding/json, which is faster at it than a hand-written writer was:
// BenchmarkJSON at commit 1e75128). The zero value is an empty list.
type Messages struct {
	list []message
}

// Add appends a text message. An empty finishReason is left out.
func (m *Messages) Add(role, content, finishReason string) {
	m.list = append(m.list, message{Role: role, Parts: []part{textPart("text", content)}, FinishReason: finishReason})
}

// AddToolCall appends a tool call to the last message (an assistant
// message when there is none yet) as a tool_call part; arguments is their
// JSON text, as the model wrote it, and "" for none. The empty text of a
// message that says nothing but calls tools gives way.
func (m *Messages) AddToolCall(id, name, arguments string) {
	if len(m.list) == 0 {
		m.list = append(m.list, message{Role: "assistant"})
	}
	last := &m.list[len(m.list)-1]
	if len(last.Parts) == 1 && last.Parts[0].Type == "text" && last.Parts[0].Content != nil && *last.Parts[0].Content == "" {
		last.Parts = last.Parts[:0]
	}
	p := part{Type: "tool_call", ID: id, Name: name}
	if arguments != "" {
		p.Arguments = arguments
	}
	last.Parts = append(last.Parts, p)
}

// Len reports the number of messages.
func (m *Messages) Len() int { return len(m.list) }

// String returns the JSON array.
func (m *Messages) String() string {
	if len(m.list) == 0 {
		return "[]"
	}
	return marshalOr(m.list, "[]")
}

// Parts builds the JSON of gen_ai.system_instructions, which the GenAI
// conventions shape as a list of parts, not of messages:
//
//	[{"type":"text","content":"..."}]
//
// The zero value is an empty list.
type Parts struct {
	list []part
}

// Add appends a text part.
func (p *Parts) Add(content string) { p.list = append(p.list, textPart("text", content)) }

// Len reports the number of parts.
func (p *Parts) Len() int { return len(p.list) }

// String returns the JSON array.
func (p *Parts) String() string {
	if len(p.list) == 0 {
		return "[]"
	}
	return marshalOr(p.list, "[]")
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

// marshalOr writes v as JSON, leaving <, > and & as they are (content is
// shown to people, not embedded in HTML), or returns fallback.
func marshalOr(v any, fallback string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fallback
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte{'\n'}))
}

// JSONText renders v as JSON text, for content an SDK keeps as structured
// values or unions (tool arguments as a map, an MCP tool result's content
// blocks): generated wrappers call it for text keys mapped with
// {json: path}. It returns "" for nil or a value with no JSON. It uses
// encoding/json, so reflection: it runs only when content capture is on.
func JSONText(v any) string {
	if v == nil {
		return ""
	}
	s := marshalOr(v, "")
	if s == "null" {
		return ""
	}
	return s
}
