package redact

import (
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://cloud.langfuse.com/api/public/otel/v1/traces": "https://cloud.langfuse.com/api/public/otel/v1/traces",
		"http://user:pass@collector:4318/v1/traces":            "http://collector:4318/v1/traces",
		"https://ingest.example/v1/traces?api_key=k#frag":      "https://ingest.example/v1/traces",
		"collector:4318/?token=secret":                         "collector:4318/",
		"::bad@host?token=secret":                              "::bad",
		"http://[::1]:4318/v1/traces?x=1":                      "http://[::1]:4318/v1/traces",
		"":                                                     "",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzURL(f *testing.F) {
	f.Add("http://u:p@h/p?q=1#f")
	f.Fuzz(func(t *testing.T, raw string) {
		got := URL(raw)
		for _, c := range []string{"?", "#"} {
			if strings.Contains(got, c) {
				t.Errorf("URL(%q) = %q keeps %q", raw, got, c)
			}
		}
	})
}
