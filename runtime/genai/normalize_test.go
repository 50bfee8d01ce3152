package genai

import (
	"encoding/json"
	"testing"
)

func TestMessagesJSONReadsSDKShapes(t *testing.T) {
	for _, tc := range []struct {
		name, in, role, want string
	}{
		{"openai chat", `[{"role":"developer","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"x"}}]},
			{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},
			{"role":"tool","tool_call_id":"call_1","content":"sunny"}]`, "user",
			`[{"role":"developer","parts":[{"type":"text","content":"Be brief."}]},{"role":"user","parts":[{"type":"text","content":"hi"},{"type":"image_url"}]},` +
				`{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"weather","arguments":"{\"city\":\"Paris\"}"}]},` +
				`{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":"sunny"}]}]`},
		{"openai-go choices", `[{"finish_reason":"tool_calls","index":0,"logprobs":{"content":null,"refusal":null},"message":{"content":"","refusal":"","role":"assistant",` +
			`"tool_calls":[{"id":"call_1","function":{"arguments":"{\"city\":\"Paris\"}","name":"weather"},"type":"function"}]}}]`, "assistant",
			`[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"weather","arguments":"{\"city\":\"Paris\"}"}],"finish_reason":"tool_calls"}]`},
		{"go-openai choices", `[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"},` +
			`{"index":1,"message":{"role":"assistant","tool_calls":[{"id":"c2","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]`, "assistant",
			`[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"stop"},{"role":"assistant","parts":[{"type":"tool_call","id":"c2","name":"f","arguments":"{}"}],"finish_reason":"tool_calls"}]`},
		{"openai-go responses union arguments", `[{"type":"function_call","call_id":"c1","name":"f","arguments":{"OfString":"{\"q\":1}","OfResponseToolSearchCallArguments":"{\"q\":1}"}}]`, "assistant",
			`[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"f","arguments":"{\"q\":1}"}]}]`},
		{"eino message", `{"role":"assistant","content":"","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{}"}}],"response_meta":{"finish_reason":"tool_calls","usage":{"prompt_tokens":3}}}`, "assistant",
			`[{"role":"assistant","parts":[{"type":"tool_call","id":"t1","name":"f","arguments":"{}"}],"finish_reason":"tool_calls"}]`},
		{"openai responses string", `"hi"`, "user", `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`},
		{"openai responses items", `[{"role":"user","content":[{"type":"input_text","text":"hi"}]},{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},{"type":"function_call","call_id":"c2","name":"g","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"42"}]`, "user",
			`[{"role":"user","parts":[{"type":"text","content":"hi"}]},{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"f","arguments":"{}"},{"type":"tool_call","id":"c2","name":"g","arguments":"{}"}]},{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"42"}]}]`},
		{"anthropic", `[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":[{"type":"thinking","thinking":"hmm"},{"type":"tool_use","id":"tu1","name":"f","input":{"n":1}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1","content":"ok"}]}]`, "user",
			`[{"role":"user","parts":[{"type":"text","content":"hi"}]},{"role":"assistant","parts":[{"type":"reasoning","content":"hmm"},{"type":"tool_call","id":"tu1","name":"f","arguments":{"n":1}}]},{"role":"user","parts":[{"type":"tool_call_response","id":"tu1","response":"ok"}]}]`},
		{"anthropic output blocks", `[{"type":"text","text":"Hello!","citations":null},{"type":"tool_use","id":"t","name":"f","input":{}}]`, "assistant",
			`[{"role":"assistant","parts":[{"type":"text","content":"Hello!"},{"type":"tool_call","id":"t","name":"f","arguments":{}}]}]`},
		{"anthropic message", `{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","usage":{"input_tokens":1}}`, "assistant",
			`[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"end_turn"}]`},
		{"gemini contents", `[{"role":"user","parts":[{"text":"hi"}]},{"role":"model","parts":[{"text":"plan","thought":true},{"functionCall":{"name":"f","args":{"a":"b"}}}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"r":1}}}]}]`, "user",
			`[{"role":"user","parts":[{"type":"text","content":"hi"}]},{"role":"assistant","parts":[{"type":"reasoning","content":"plan"},{"type":"tool_call","name":"f","arguments":{"a":"b"}}]},{"role":"user","parts":[{"type":"tool_call_response","response":{"r":1}}]}]`},
		{"gemini candidates", `[{"content":{"role":"model","parts":[{"text":"Hello!"}]},"finishReason":"STOP","index":0}]`, "assistant",
			`[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"STOP"}]`},
		{"bedrock", `[{"Content":[{"Value":"hi"},{"Value":{"Input":{"x":1},"Name":"f","ToolUseId":"t1"}}],"Role":"user"}]`, "user",
			`[{"role":"user","parts":[{"type":"text","content":"hi"},{"type":"tool_call","id":"t1","name":"f","arguments":{"x":1}}]}]`},
		{"bedrock output union", `{"Value":{"Content":[{"Value":"Hello!"}],"Role":"assistant"}}`, "assistant", `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}]}]`},
		{"langchaingo messages", `[{"role":"system","text":"Be brief."},{"role":"human","parts":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"x"}}]},` +
			`{"role":"ai","parts":[{"type":"tool_call","tool_call":{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}}]},` +
			`{"role":"tool","parts":[{"type":"tool_response","tool_response":{"tool_call_id":"c1","name":"f","content":"42"}}]}]`, "user",
			`[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},{"role":"user","parts":[{"type":"text","content":"hi"},{"type":"image_url"}]},` +
				`{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"f","arguments":"{}"}]},{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"42"}]}]`},
		{"langchaingo choices", `[{"Content":"Hello!","StopReason":"stop","GenerationInfo":{"PromptTokens":3},"FuncCall":null,"ReasoningContent":"think",` +
			`"ToolCalls":[{"type":"tool_call","tool_call":{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}}]},null]`, "assistant",
			`[{"role":"assistant","parts":[{"type":"reasoning","content":"think"},{"type":"text","content":"Hello!"},{"type":"tool_call","id":"c1","name":"f","arguments":"{}"}],"finish_reason":"stop"}]`},
		{"strings", `["a","b"]`, "user", `[{"role":"user","parts":[{"type":"text","content":"a"}]},{"role":"user","parts":[{"type":"text","content":"b"}]}]`},
		{"nothing", `null`, "user", ``},
		{"empty", `[]`, "user", ``},
		{"numbers", `[1,true]`, "user", ``},
	} {
		if got := MessagesJSON(json.RawMessage(tc.in), tc.role); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestPartsJSONFlattens(t *testing.T) {
	for in, want := range map[string]string{
		`[{"type":"text","text":"Be brief."},{"type":"text","text":"Cite."}]`: `[{"type":"text","content":"Be brief."},{"type":"text","content":"Cite."}]`,
		`{"parts":[{"text":"Be brief."}],"role":"user"}`:                      `[{"type":"text","content":"Be brief."}]`,
		`[{"Value":"Be brief."}]`:                                             `[{"type":"text","content":"Be brief."}]`,
		`null`:                                                                ``,
	} {
		if got := PartsJSON(json.RawMessage(in)); got != want {
			t.Errorf("%s:\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestMessagesJSONUnmarshalable(t *testing.T) {
	if got := MessagesJSON(make(chan int), "user"); got != "" {
		t.Errorf("got %q from a channel", got)
	}
}

func FuzzMessagesJSON(f *testing.F) {
	f.Add(`[{"role":"user","content":[{"type":"text","text":"hi"}]}]`)
	f.Add(`{"Value":{"Content":[{"Value":"x"}]}}`)
	f.Add(`[{"content":{"parts":[{"functionCall":{}}]}}]`)
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return
		}
		for _, out := range []string{MessagesJSON(json.RawMessage(in), "user"), PartsJSON(json.RawMessage(in))} {
			if out != "" && !json.Valid([]byte(out)) {
				t.Fatalf("invalid JSON %s from %s", out, in)
			}
		}
	})
}

func TestValuesOfAny(t *testing.T) {
	type named int32
	for _, tc := range []struct {
		in   any
		want int64
	}{{7, 7}, {int32(7), 7}, {uint64(1 << 63), 1<<63 - 1}, {7.9, 7}, {json.Number("12"), 12}, {json.Number("1.5"), 1}, {"7", 0}, {nil, 0}, {named(3), 0}} {
		if got := Int64Of(tc.in); got != tc.want {
			t.Errorf("Int64Of(%#v) = %d, want %d", tc.in, got, tc.want)
		}
	}
	if Float64Of(float32(0.5)) != 0.5 || Float64Of(3) != 3 || Float64Of("x") != 0 {
		t.Error("Float64Of")
	}
	if StringOf("a") != "a" || StringOf([]byte("b")) != "b" || StringOf(json.Number("1")) != "1" || StringOf(1) != "" {
		t.Error("StringOf")
	}
	if !BoolOf(true) || BoolOf("true") {
		t.Error("BoolOf")
	}
}
