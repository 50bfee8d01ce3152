package export

import (
	"encoding/json"
	"testing"
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
		got := withInstructions(tc.input, tc.system)
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
		if got != "" && !json.Valid([]byte(got)) {
			t.Errorf("%s: invalid JSON %s", tc.name, got)
		}
	}
}
