package messages

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
)

func TestWithInstructions(t *testing.T) {
	const user = `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`
	const sysMsg = `{"role":"system","parts":[{"type":"text","content":"Be brief."}]}`
	for _, tc := range []struct{ name, input, system, want string }{
		{"no instructions", user, "", user},
		{"parts", user, `[{"type":"text","content":"Be brief."}]`, "[" + sysMsg + "," + user[1:]},
		{"no input", "", `[{"type":"text","content":"Be brief."}]`, "[" + sysMsg + "]"},
		{"empty input", "[]", `[{"type":"text","content":"Be brief."}]`, "[" + sysMsg + "]"},
		{"messages", user, "[" + sysMsg + "]", "[" + sysMsg + "," + user[1:]},
		{"plain text", user, "Be brief.", "[" + sysMsg + "," + user[1:]},
		{"text input", "hi", "Be brief.", "[" + sysMsg + "," + user[1:]},
		{"empty list", user, "[]", user},
	} {
		got := WithInstructions(tc.input, tc.system)
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
		if got != "" && !json.Valid([]byte(got)) {
			t.Errorf("%s: invalid JSON %s", tc.name, got)
		}
	}
}

// TestGeminiShapedMessagesFlatten: messages a span holds in Gemini's shape
// still give Instana their text.
func TestGeminiShapedMessagesFlatten(t *testing.T) {
	got := AppendFlat(nil, "gen_ai.prompt.", "user", `[{"role":"model","parts":[{"text":"Sunny."}]}]`, 0)
	want := []attribute.KeyValue{attribute.String("gen_ai.prompt.0.role", "model"), attribute.String("gen_ai.prompt.0.content", "Sunny.")}
	if !cmp.Equal(got, want, cmp.Comparer(func(a, b attribute.KeyValue) bool { return a == b })) {
		t.Errorf("got %v, want %v", got, want)
	}
}
