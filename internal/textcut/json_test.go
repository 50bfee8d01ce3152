package textcut

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestContentStaysJSON: content cut at a destination's limit is still
// JSON when it was JSON, cut inside its structure and marked, and text
// when it was text.
func TestContentStaysJSON(t *testing.T) {
	long := strings.Repeat("é", 3000)
	msgs := `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},{"role":"user","parts":[{"type":"text","content":"` + long + `"}]},{"role":"user","parts":[{"type":"text","content":"last"}]}]`
	for _, limit := range []int{60, 100, 200, 1000, 4000} {
		got := Content(msgs, limit)
		if len(got) > limit || !json.Valid([]byte(got)) || !strings.Contains(got, Mark) {
			t.Errorf("limit %d: %d bytes, valid %v: %s", limit, len(got), json.Valid([]byte(got)), got)
		}
	}
	if got := Content(msgs, 200); !strings.HasPrefix(got, `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},{"role":"user"`) {
		t.Errorf("the cut is not inside the structure, in order: %s", got)
	}
	obj := `{"a":"` + long + `","b":{"c":[1,2,3]}}`
	if got := Content(obj, 120); len(got) > 120 || !json.Valid([]byte(got)) {
		t.Errorf("object: %s", got)
	}
	if got := Content(long, 100); len(got) > 100 || !strings.HasSuffix(got, Mark) {
		t.Errorf("text: %s", got)
	}
	if Content(msgs, 0) != msgs || Content(msgs, len(msgs)) != msgs {
		t.Error("content within its limit was cut")
	}
}

// FuzzCutContent: whatever the JSON and the limit, what comes out fits
// the limit and is JSON when JSON went in (or text cut as text when not
// even the outermost structure fits).
func FuzzCutContent(f *testing.F) {
	f.Add(`[{"role":"user","parts":[{"type":"text","content":"hello"}]}]`, 20)
	f.Add(`{"a":[1,2,{"b":"\u00e9\u00e9\u00e9"}],"c":null,"d":true}`, 15)
	f.Add(`"just a string, and a long one at that, longer than the limit, the mark and more"`, 5)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit %= 4096
		if limit < 0 {
			limit = -limit
		}
		limit += 64 // room for the mark
		got := Content(s, limit)
		if len(s) <= limit {
			if got != s {
				t.Fatalf("cut content within its limit")
			}
			return
		}
		if len(got) > limit {
			t.Fatalf("%d bytes for a limit of %d", len(got), limit)
		}
		if json.Valid([]byte(s)) && (s[0] == '[' || s[0] == '{') && !json.Valid([]byte(got)) && !strings.HasSuffix(got, Mark) {
			t.Fatalf("JSON in, neither JSON nor marked text out: %q", got)
		}
	})
}
