package dialect

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// Content in other dialects becomes the conventions' gen_ai.input.messages
// and gen_ai.output.messages (JSON, role and parts) or, for tools,
// gen_ai.tool.call.arguments and gen_ai.tool.call.result. What is derived
// is content like the original: it reaches only destinations that take
// content, masked as theirs are.

// flatMessages rebuilds the message lists OpenLLMetry flattens as
// gen_ai.prompt.N.* / gen_ai.completion.N.* and OpenInference as
// llm.input_messages.N.message.* / llm.output_messages.N.message.*.
func (n *normalizer) flatMessages() {
	if n.str(genai.OperationName) == genai.OpExecuteTool {
		return // eino's tool spans flatten the tool's arguments and result: read by eino
	}
	for _, f := range []struct {
		prefix string
		key    attribute.Key
		role   string
	}{
		{vocab.LegacyPromptPrefix, genai.InputMessages, "user"},
		{vocab.LegacyCompletionPrefix, genai.OutputMessages, "assistant"},
		{vocab.OpenInferenceInputMessagesPfx, genai.InputMessages, "user"},
		{vocab.OpenInferenceOutputMessagesPfx, genai.OutputMessages, "assistant"},
		{traceloopPromptsPrefix, genai.InputMessages, "user"},
		{traceloopCompletionPrefix, genai.OutputMessages, "assistant"},
		{openInferenceChoicesPrefix, genai.OutputMessages, "assistant"},
	} {
		msgs, from := n.collectFlat(f.prefix)
		if len(msgs) == 0 {
			continue
		}
		if f.key == genai.OutputMessages {
			n.setFinishReasons(msgs)
		}
		n.set(f.key.String(genai.MessagesJSON(msgs, f.role)), from...)
	}
}

// collectFlat gathers the attributes under prefix into one message object
// per index, in the shape genai.MessagesJSON reads ({role, content,
// tool_calls, tool_call_id, finish_reason}), in index order.
func (n *normalizer) collectFlat(prefix string) (msgs []any, from []attribute.Key) {
	byIndex := map[int]*flatMessage{}
	for _, kv := range n.own {
		rest, ok := strings.CutPrefix(string(kv.Key), prefix)
		if !ok {
			continue
		}
		num, field, ok := strings.Cut(rest, ".")
		i, err := strconv.Atoi(num)
		if !ok || err != nil || i < 0 {
			continue
		}
		m := byIndex[i]
		if m == nil {
			m = &flatMessage{}
			byIndex[i] = m
		}
		m.add(strings.TrimPrefix(field, "message."), kv.Value.String())
		from = append(from, kv.Key)
	}
	for _, i := range slices.Sorted(maps.Keys(byIndex)) {
		msgs = append(msgs, byIndex[i].object())
	}
	return msgs, from
}

// flatMessage is one message of a flattened list.
type flatMessage struct {
	role, content, finish, toolCallID string
	texts                             map[int]string
	calls                             map[int]*flatCall
}

type flatCall struct{ id, name, arguments string }

// add reads one field: OpenLLMetry's (role, content, finish_reason,
// tool_calls.J.name) or OpenInference's with "message." cut off (role,
// content, contents.J.message_content.text, tool_calls.J.tool_call.function.name).
func (m *flatMessage) add(field, value string) {
	switch field {
	case "role":
		m.role = value
		return
	case "content", "prompt.text", "completion.text": // the last two: OpenInference's llm.prompts / llm.choices
		m.content = value
		return
	case "finish_reason":
		m.finish = value
		return
	case "tool_call_id":
		m.toolCallID = value
		return
	case "function_call_name": // OpenAI's legacy function call, as OpenInference records it
		m.call(-1).name = value
		return
	case "function_call_arguments_json":
		m.call(-1).arguments = value
		return
	}
	if rest, ok := strings.CutPrefix(field, "contents."); ok {
		num, sub, _ := strings.Cut(rest, ".")
		if j, err := strconv.Atoi(num); err == nil && sub == "message_content.text" {
			if m.texts == nil {
				m.texts = map[int]string{}
			}
			m.texts[j] = value
		}
		return
	}
	if rest, ok := strings.CutPrefix(field, "tool_calls."); ok {
		num, sub, _ := strings.Cut(rest, ".")
		j, err := strconv.Atoi(num)
		if err != nil {
			return
		}
		c := m.call(j)
		switch strings.TrimPrefix(sub, "tool_call.") {
		case "id":
			c.id = value
		case "name", "function.name":
			c.name = value
		case "arguments", "function.arguments":
			c.arguments = value
		}
	}
}

func (m *flatMessage) call(j int) *flatCall {
	if m.calls == nil {
		m.calls = map[int]*flatCall{}
	}
	c := m.calls[j]
	if c == nil {
		c = &flatCall{}
		m.calls[j] = c
	}
	return c
}

func (m *flatMessage) object() map[string]any {
	o := map[string]any{"role": m.role}
	switch {
	case len(m.texts) > 0:
		var parts []any
		for _, j := range slices.Sorted(maps.Keys(m.texts)) {
			parts = append(parts, map[string]any{"type": "text", "text": m.texts[j]})
		}
		o["content"] = parts
	case m.content != "":
		o["content"] = m.content
		if parts, ok := parseJSON(m.content).([]any); ok && isPartList(parts) {
			o["content"] = parts // OpenLLMetry's vertexai writes the prompt's parts as JSON
		}
	}
	if m.finish != "" {
		o["finish_reason"] = m.finish
	}
	if m.toolCallID != "" {
		o["tool_call_id"] = m.toolCallID
	}
	var calls []any
	for _, j := range slices.Sorted(maps.Keys(m.calls)) {
		c := m.calls[j]
		args := any(c.arguments)
		if v := parseJSON(c.arguments); v != nil {
			args = v
		}
		calls = append(calls, map[string]any{"id": c.id, "function": map[string]any{"name": c.name, "arguments": args}})
	}
	if len(calls) > 0 {
		o["tool_calls"] = calls
	}
	return o
}

// isPartList reports whether list is a list of content parts, each an
// object with a type ([{"type":"text","text":...}]).
func isPartList(list []any) bool {
	for _, p := range list {
		o, ok := p.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := o["type"].(string); !ok {
			return false
		}
	}
	return len(list) > 0
}

// setFinishReasons derives gen_ai.response.finish_reasons from the output
// messages' own.
func (n *normalizer) setFinishReasons(msgs []any) {
	var reasons []string
	for _, m := range msgs {
		if r, _ := m.(map[string]any)["finish_reason"].(string); r != "" {
			reasons = append(reasons, r)
		}
	}
	if len(reasons) > 0 {
		n.set(genai.ResponseFinishReasons.StringSlice(reasons))
	}
}

// jsonContent reads content held whole in one attribute: LangSmith's
// gen_ai.prompt / gen_ai.completion, OpenInference's input.value /
// output.value, OpenLLMetry's traceloop.entity.input / output. A tool's
// are its call's arguments and result; a model call's become messages;
// other spans' (chains, agents, workflows) are the span's own input and
// output, which win over what its children would give it.
func (n *normalizer) jsonContent() {
	op := n.str(genai.OperationName)
	pairs := [][2]attribute.Key{
		{vocab.LangSmithPrompt, vocab.LangSmithCompletion},
		{vocab.OpenInferenceInputValue, vocab.OpenInferenceOutputValue},
		{vocab.TraceloopEntityInput, vocab.TraceloopEntityOutput},
	}
	for _, p := range pairs {
		in, out := n.str(p[0]), n.str(p[1])
		if in == "" && out == "" {
			continue
		}
		switch {
		case op == genai.OpExecuteTool:
			n.set(genai.ToolCallArguments.String(in), p[0])
			n.set(genai.ToolCallResult.String(out), p[1])
		case IsModelOperation(op):
			n.setContent(genai.InputMessages, p[0], in, "user")
			n.setContent(genai.OutputMessages, p[1], out, "assistant")
		default:
			n.setOwnIO(p[0], p[1])
		}
	}
}

// setOwnIO takes the span's own input and output from the attributes
// holding them, which they then replace.
func (n *normalizer) setOwnIO(in, out attribute.Key) {
	if v := n.str(in); v != "" && n.ownInput == "" {
		n.ownInput = v
		n.replaced[in] = true
	}
	if v := n.str(out); v != "" && n.ownOutput == "" {
		n.ownOutput = v
		n.replaced[out] = true
	}
}

// setContent derives messages from a whole-value attribute, which they
// then replace; when the span's messages were already found (OpenInference
// records both llm.input_messages.* and the request as input.value), the
// value is as much a duplicate.
func (n *normalizer) setContent(k, from attribute.Key, raw, role string) {
	if raw == "" {
		return
	}
	if from == vocab.OpenInferenceInputValue || from == vocab.OpenInferenceOutputValue {
		// input.mime_type says how to read input.value, which goes.
		n.replaced[attribute.Key(strings.TrimSuffix(string(from), ".value")+".mime_type")] = true
	}
	if n.has(k) {
		n.replaced[from] = true
		return
	}
	n.set(k.String(contentMessages(raw, role)), from)
}

// contentMessages renders content held as one JSON (or plain text) value
// as a message list: a list of messages; an object holding one
// ({messages}, LangChain's nested [[...]], {generations}, OpenAI's
// {choices}); an object with one text field ({input}, {output}, {text});
// else the whole value as one text message, so that nothing is lost.
func contentMessages(raw, role string) string {
	if out := genai.MessagesJSON(messagesIn(parseJSON(raw)), role); out != "" {
		return out
	}
	return genai.TextMessage(role, raw)
}

func messagesIn(v any) any {
	o, ok := v.(map[string]any)
	if !ok {
		return flattenOnce(v)
	}
	for _, k := range []string{"messages", "generations", "choices"} {
		if list, ok := o[k].([]any); ok {
			return flattenOnce(list)
		}
	}
	for _, k := range []string{"input", "prompt", "question", "query", "output", "text", "answer", "result"} {
		if s, ok := o[k].(string); ok && len(o) == 1 {
			return s
		}
	}
	if _, ok := o["role"]; ok {
		return o
	}
	if m, ok := o["message"].(map[string]any); ok {
		return withFinish(m, o)
	}
	return nil
}

// flattenOnce turns LangChain's [[message, ...]] into [message, ...], and
// generation or choice objects into the messages they hold.
func flattenOnce(v any) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	var out []any
	for _, el := range list {
		switch el := el.(type) {
		case []any:
			for _, inner := range el {
				out = append(out, unwrapMessage(inner))
			}
		default:
			out = append(out, unwrapMessage(el))
		}
	}
	return out
}

// unwrapMessage takes the message out of a generation or a choice.
func unwrapMessage(v any) any {
	o, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if r, ok := o["reasoning"].(string); ok && r != "" && o["role"] != nil {
		// LangSmith's Responses API completion keeps the reasoning
		// summary beside the content (traceopenai/openaitrace.go).
		o = maps.Clone(o)
		o["ReasoningContent"] = r
	}
	if m, ok := o["message"].(map[string]any); ok {
		return withFinish(m, o)
	}
	if _, hasRole := o["role"]; !hasRole {
		if s, ok := o["text"].(string); ok {
			return map[string]any{"role": "assistant", "content": s}
		}
	}
	return o
}

func withFinish(m, around map[string]any) map[string]any {
	if r, ok := around["finish_reason"].(string); ok {
		m = maps.Clone(m)
		m["finish_reason"] = r
	}
	return m
}

// messageEvents turns the conventions' message events of before v1.37
// (gen_ai.user.message, gen_ai.choice, ...) and the content events of
// before that (gen_ai.content.prompt/completion) into messages, and copies
// gen_ai.client.inference.operation.details' attributes.
func (n *normalizer) messageEvents() {
	var input, output []any
	for _, e := range n.span.Events() {
		attrs := attribute.NewSet(e.Attributes...)
		text := func(k attribute.Key) string {
			if v, ok := attrs.Value(k); ok {
				return v.String()
			}
			return ""
		}
		switch e.Name {
		case vocab.EventSystemMessage, vocab.EventUserMessage, vocab.EventAssistantMessage, vocab.EventToolMessage:
			role := cmp.Or(text("role"), strings.TrimSuffix(strings.TrimPrefix(e.Name, "gen_ai."), ".message"))
			m := map[string]any{"role": role, "content": jsonOrText(text("content"))}
			if calls, ok := parseJSON(text("tool_calls")).([]any); ok {
				m["tool_calls"] = calls
			}
			if id := text("id"); id != "" && role == "tool" {
				m["tool_call_id"] = id
			}
			input = append(input, m)
		case vocab.EventChoice:
			m, ok := parseJSON(text("message")).(map[string]any)
			if !ok {
				m = map[string]any{"role": "assistant", "content": jsonOrText(cmp.Or(text("content"), text("message")))}
			}
			if r := text("finish_reason"); r != "" {
				m["finish_reason"] = r
			}
			output = append(output, m)
		case vocab.EventContentPrompt:
			n.set(genai.InputMessages.String(contentMessages(text(vocab.LangSmithPrompt), "user")))
		case vocab.EventContentCompletion:
			n.set(genai.OutputMessages.String(contentMessages(text(vocab.LangSmithCompletion), "assistant")))
		case vocab.EventOperationDetails:
			for _, k := range []attribute.Key{genai.InputMessages, genai.OutputMessages, genai.SystemInstructions} {
				n.set(k.String(text(k)))
			}
		default:
			continue
		}
		n.events = true
	}
	if len(input) > 0 {
		n.set(genai.InputMessages.String(genai.MessagesJSON(input, "user")))
	}
	if len(output) > 0 {
		n.setFinishReasons(output)
		n.set(genai.OutputMessages.String(genai.MessagesJSON(output, "assistant")))
	}
}

// jsonOrText is content that may be a JSON list of parts or plain text.
func jsonOrText(s string) any {
	if v, ok := parseJSON(s).([]any); ok {
		return v
	}
	return s
}
