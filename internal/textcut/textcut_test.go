package textcut

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPrefix(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abc", 2, "ab"}, {"aé", 2, "a"}, {"aé", 3, "aé"}, {"é", 1, ""}, {"abc", -1, ""}} {
		if got := Prefix(tc.s, tc.n); got != tc.want {
			t.Errorf("Prefix(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestTo(t *testing.T) {
	long := strings.Repeat("é", 100)
	got := To(long, 50)
	if len(got) > 50 || !strings.HasSuffix(got, Mark) || !utf8.ValidString(got) {
		t.Errorf("To: %d bytes %q", len(got), got)
	}
	if To("short", 50) != "short" || To(long, 0) != long {
		t.Error("To cut text within its limit")
	}
	if got := To(long, 3); got != Mark {
		t.Errorf("To below the mark's length = %q, want the mark alone", got)
	}
}
