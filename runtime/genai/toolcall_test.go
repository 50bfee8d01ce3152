package genai

import "testing"

func TestMessagesToolCalls(t *testing.T) {
	var m Messages
	m.Add("assistant", "", "tool_calls")
	m.AddToolCall("call_1", "weather", `{"city":"Paris"}`)
	m.AddToolCall("call_2", "time", "")
	m.Add("assistant", "Checking.", "")
	m.AddToolCall("call_3", "search", "{}")
	const want = `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"weather","arguments":"{\"city\":\"Paris\"}"},{"type":"tool_call","id":"call_2","name":"time"}],"finish_reason":"tool_calls"},` +
		`{"role":"assistant","parts":[{"type":"text","content":"Checking."},{"type":"tool_call","id":"call_3","name":"search","arguments":"{}"}]}]`
	if got := m.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	var alone Messages
	alone.AddToolCall("c", "f", "")
	if got := alone.String(); got != `[{"role":"assistant","parts":[{"type":"tool_call","id":"c","name":"f"}]}]` {
		t.Errorf("a call without a message: %s", got)
	}
}
