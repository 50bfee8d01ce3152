package jsonw

import (
	"encoding/json"
	"math"
	"testing"
)

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote \" back \\ nl \n tab \t", "\x00\x1f", "ünï", "\xff\xfe", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got string
		if err := json.Unmarshal(String(nil, s), &got); err != nil {
			t.Fatalf("%q: invalid JSON %s: %v", s, String(nil, s), err)
		}
		want, _ := json.Marshal(s) // encoding/json also maps invalid UTF-8 to U+FFFD
		var w string
		_ = json.Unmarshal(want, &w)
		if got != w {
			t.Fatalf("%q decodes to %q, want %q", s, got, w)
		}
	})
}

func TestObject(t *testing.T) {
	var o Object
	if o.String() != "{}" || !o.Empty() {
		t.Fatal("empty object")
	}
	o.Int("n", -3)
	o.Float("f", 0.25)
	o.Float("nan", math.NaN())
	o.Bool("b", true)
	o.Str("s", `x"y`)
	o.Strings("l", []string{"a", "b"})
	var m map[string]any
	if err := json.Unmarshal([]byte(o.String()), &m); err != nil {
		t.Fatalf("%s: %v", o.String(), err)
	}
	if m["n"] != -3.0 || m["f"] != 0.25 || m["nan"] != nil || m["b"] != true || m["s"] != `x"y` || len(m["l"].([]any)) != 2 {
		t.Errorf("%s", o.String())
	}
}
