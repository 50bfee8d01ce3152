package genai

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// MessagesJSON renders v, an SDK's own message list in whatever shape its
// JSON takes, as the conventions' gen_ai.input.messages or
// gen_ai.output.messages JSON; role is the role of messages that carry
// none. It returns "" when v holds no message.
//
// Generated wrappers call it for mappings written {json: path}: SDKs whose
// messages are unions (openai-go, anthropic-sdk-go, google.golang.org/genai,
// bedrockruntime) cannot be read field by field, but their JSON can. It
// understands the shapes those SDKs marshal to:
//
//   - a string, or a list of strings: text messages;
//   - {role, content}, content a string or a list of blocks
//     ({type: text, text}, {type: tool_use}, {type: tool_result}, OpenAI's
//     tool_calls and role tool, the Responses API's function_call items);
//   - OpenAI's choices, {index, message, finish_reason} (openai-go's and
//     go-openai's), their tool calls as tool_call parts;
//   - {role, parts} (Gemini; role model is assistant), and candidates
//     {content, finishReason};
//   - {Role, Content: [{Value}]} (Bedrock's union members);
//   - {role, content: [{text}, {toolRequest}, {toolResponse}]} (Genkit);
//   - the conventions' own {role, parts: [{type, content}]}.
//
// It marshals v with encoding/json, so it uses reflection: it runs only
// when content capture is on.
func MessagesJSON(v any, role string) string {
	msgs := normalize(v, role)
	if len(msgs) == 0 {
		return ""
	}
	return marshalOr(msgs, "")
}

// PartsJSON renders v as gen_ai.system_instructions: the parts of every
// message MessagesJSON would find in it, as one list.
func PartsJSON(v any) string {
	var parts []part
	for _, m := range normalize(v, "system") {
		parts = append(parts, m.Parts...)
	}
	if len(parts) == 0 {
		return ""
	}
	return marshalOr(parts, "")
}

type message struct {
	Role         string `json:"role"`
	Parts        []part `json:"parts"`
	FinishReason string `json:"finish_reason,omitempty"`
}

// part is a text, reasoning, tool_call or tool_call_response part, or a
// generic part naming a type this package does not render (an image).
type part struct {
	Type      string  `json:"type"`
	Content   *string `json:"content,omitempty"`
	ID        string  `json:"id,omitempty"`
	Name      string  `json:"name,omitempty"`
	Arguments any     `json:"arguments,omitempty"`
	Response  any     `json:"response,omitempty"`
}

func textPart(kind, s string) part { return part{Type: kind, Content: &s} }

func normalize(v any, role string) []message {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber() // tool arguments keep their numbers as written
	var x any
	if d.Decode(&x) != nil {
		return nil
	}
	var out []message
	lastBare := false
	for _, el := range asList(x) {
		m, bare, ok := toMessage(el, role)
		switch {
		case !ok:
			continue
		case bare && lastBare && out[len(out)-1].Role == m.Role:
			// Blocks without a message around them (a response's content,
			// parallel tool calls) are one message's parts.
			last := &out[len(out)-1]
			last.Parts = append(last.Parts, m.Parts...)
		default:
			out = append(out, m)
		}
		lastBare = bare
	}
	return out
}

func asList(x any) []any {
	switch x := x.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{x}
}

// toMessage reads one message; bare reports a block that stood alone
// rather than a message.
func toMessage(el any, role string) (m message, bare, ok bool) {
	switch el := el.(type) {
	case string:
		return message{Role: role, Parts: []part{textPart("text", el)}}, false, el != ""
	case map[string]any:
		return objectMessage(el, role)
	}
	return message{}, false, false
}

func objectMessage(o map[string]any, role string) (m message, bare, ok bool) {
	if inner, ok := unionValue(o); ok {
		return objectMessage(inner, role)
	}
	if c, ok := get(o, "content").(map[string]any); ok && (get(c, "parts") != nil || get(c, "role") != nil) {
		m, _, ok := objectMessage(c, role) // a Gemini candidate
		m.FinishReason = str(get(o, "finishReason", "finish_reason"))
		return m, false, ok
	}
	if msg, ok := get(o, "message").(map[string]any); ok && get(o, "role") == nil && get(o, "content") == nil {
		m, _, ok := objectMessage(msg, role) // an OpenAI choice: {index, message, finish_reason}
		if reason := str(get(o, "finish_reason", "finishReason")); reason != "" {
			m.FinishReason = reason
		}
		return m, false, ok
	}
	m = message{Role: strings.ToLower(str(get(o, "role"))), FinishReason: str(get(o, "finish_reason", "finishReason", "stop_reason", "stopReason"))}
	if meta, ok := get(o, "response_meta").(map[string]any); ok && m.FinishReason == "" {
		m.FinishReason = str(get(meta, "finish_reason")) // eino's schema.Message
	}
	content, parts := get(o, "content"), get(o, "parts")
	m.Parts = append(partsOf(content), partsOf(parts)...)
	if text, ok := get(o, "text").(string); ok && m.Role != "" && content == nil && parts == nil {
		m.Parts = []part{textPart("text", text)} // langchaingo's one-text message
	}
	if r, ok := get(o, "ReasoningContent").(string); ok && r != "" {
		m.Parts = append([]part{textPart("reasoning", r)}, m.Parts...)
	}
	if m.Role == "" && content == nil && parts == nil {
		if p, ok := toPart(o); ok { // a bare block or Responses API item
			m.Parts, bare = []part{p}, true
			m.Role = map[string]string{"tool_call": "assistant", "tool_call_response": "tool"}[p.Type]
		}
	}
	for _, tc := range asList(get(o, "tool_calls", "toolCalls")) {
		if tc, ok := tc.(map[string]any); ok {
			if inner, ok := get(tc, "tool_call").(map[string]any); ok {
				tc = inner // langchaingo wraps each call
			}
			fn, _ := get(tc, "function").(map[string]any)
			m.Parts = append(m.Parts, part{Type: "tool_call", ID: str(get(tc, "id")), Name: str(get(fn, "name")), Arguments: get(fn, "arguments")})
		}
	}
	if id := str(get(o, "tool_call_id")); id != "" && m.Role == "tool" {
		m.Parts = []part{{Type: "tool_call_response", ID: id, Response: content}}
	}
	switch m.Role {
	case "":
		m.Role = role
	case "model", "ai": // Gemini, langchaingo
		m.Role = "assistant"
	case "human", "generic":
		m.Role = "user"
	case "function":
		m.Role = "tool"
	}
	return m, bare, len(m.Parts) > 0
}

func partsOf(v any) []part {
	if s, ok := v.(string); ok {
		if s == "" {
			return nil // an assistant message of tool calls only (openai-go's "content":"")
		}
		return []part{textPart("text", s)}
	}
	var out []part
	for _, el := range asList(v) {
		if p, ok := toPart(el); ok {
			out = append(out, p)
		}
	}
	return out
}

func toPart(v any) (part, bool) {
	if s, ok := v.(string); ok {
		return textPart("text", s), true
	}
	p, ok := v.(map[string]any)
	if !ok {
		return part{}, false
	}
	if inner, ok := unionValue(p); ok {
		return bedrockPart(inner)
	}
	if fc, ok := get(p, "functionCall").(map[string]any); ok {
		return part{Type: "tool_call", ID: str(get(fc, "id")), Name: str(get(fc, "name")), Arguments: get(fc, "args")}, true
	}
	if fr, ok := get(p, "functionResponse").(map[string]any); ok {
		return part{Type: "tool_call_response", ID: str(get(fr, "id")), Response: get(fr, "response")}, true
	}
	if tr, ok := p["toolRequest"].(map[string]any); ok { // Genkit
		return part{Type: "tool_call", ID: str(get(tr, "ref")), Name: str(get(tr, "name")), Arguments: get(tr, "input")}, true
	}
	if tr, ok := p["toolResponse"].(map[string]any); ok {
		return part{Type: "tool_call_response", ID: str(get(tr, "ref")), Response: get(tr, "output")}, true
	}
	switch kind := str(get(p, "type")); kind {
	case "tool_use":
		return part{Type: "tool_call", ID: str(get(p, "id")), Name: str(get(p, "name")), Arguments: get(p, "input")}, true
	case "function_call":
		return part{Type: "tool_call", ID: str(get(p, "call_id", "id")), Name: str(get(p, "name")), Arguments: ofUnion(get(p, "arguments"))}, true
	case "tool_result":
		return part{Type: "tool_call_response", ID: str(get(p, "tool_use_id")), Response: get(p, "content")}, true
	case "function_call_output":
		return part{Type: "tool_call_response", ID: str(get(p, "call_id")), Response: get(p, "output")}, true
	case "tool_call": // langchaingo, or the conventions' own
		tc, ok := get(p, "tool_call").(map[string]any)
		if !ok {
			return part{Type: "tool_call", ID: str(get(p, "id")), Name: str(get(p, "name")), Arguments: get(p, "arguments")}, true
		}
		fn, _ := get(tc, "function").(map[string]any)
		return part{Type: "tool_call", ID: str(get(tc, "id")), Name: str(get(fn, "name")), Arguments: get(fn, "arguments")}, true
	case "tool_call_response": // the conventions' own
		return part{Type: "tool_call_response", ID: str(get(p, "id")), Response: get(p, "response")}, true
	case "tool_response": // langchaingo
		tr, _ := get(p, "tool_response").(map[string]any)
		return part{Type: "tool_call_response", ID: str(get(tr, "tool_call_id")), Response: get(tr, "content")}, true
	case "thinking", "reasoning":
		return textPart("reasoning", str(get(p, "thinking", "text", "content"))), true
	case "text":
		if s, ok := p["content"].(string); ok { // the conventions' own parts
			return textPart("text", s), true
		}
		return textPart("text", str(get(p, "text"))), true
	default:
		if s, ok := get(p, "text").(string); ok {
			if b, _ := get(p, "thought").(bool); b {
				return textPart("reasoning", s), true
			}
			return textPart("text", s), true
		}
		if kind != "" {
			return part{Type: kind}, true
		}
	}
	return part{}, false
}

// ofUnion unwraps a union an SDK marshals with all its members (openai-go's
// ResponseOutputItemUnionArguments: {"OfString": "{...}", "OfResponse...":
// ...}): its text member when set, else the first member set.
func ofUnion(v any) any {
	o, ok := v.(map[string]any)
	if !ok || len(o) == 0 {
		return v
	}
	for k := range o {
		if len(k) < 3 || !strings.HasPrefix(k, "Of") || k[2] < 'A' || k[2] > 'Z' {
			return v
		}
	}
	if s, ok := o["OfString"].(string); ok && s != "" {
		return s
	}
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if o[k] != nil && o[k] != "" {
			return o[k]
		}
	}
	return nil
}

// unionValue unwraps the AWS SDK's union members, which marshal as
// {"Value": ...}.
func unionValue(o map[string]any) (map[string]any, bool) {
	if len(o) != 1 {
		return nil, false
	}
	v, ok := o["Value"]
	if !ok {
		return nil, false
	}
	if inner, ok := v.(map[string]any); ok {
		return inner, true
	}
	if s, ok := v.(string); ok { // a text member
		return map[string]any{"text": s}, true
	}
	return nil, false
}

// bedrockPart reads an AWS SDK union member's value: text, a tool use or a
// tool result.
func bedrockPart(v map[string]any) (part, bool) {
	if s, ok := v["text"].(string); ok {
		return textPart("text", s), true
	}
	if name := str(get(v, "Name")); name != "" {
		return part{Type: "tool_call", ID: str(get(v, "ToolUseId")), Name: name, Arguments: get(v, "Input")}, true
	}
	if id := str(get(v, "ToolUseId")); id != "" {
		return part{Type: "tool_call_response", ID: id, Response: get(v, "Content")}, true
	}
	return part{}, false
}

// get returns the first of names o has, matched exactly, then ignoring
// case (the AWS SDK's JSON keeps Go's field names).
func get(o map[string]any, names ...string) any {
	for _, n := range names {
		if v, ok := o[n]; ok {
			return v
		}
	}
	for _, n := range names {
		for k, v := range o {
			if strings.EqualFold(k, n) {
				return v
			}
		}
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
