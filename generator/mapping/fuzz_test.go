package mapping

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// FuzzParseMapping: no input makes the mapping parser panic, and every
// error it reports carries a position.
func FuzzParseMapping(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "golden", "*.txtar"))
	if len(files) == 0 {
		f.Fatal("no golden cases to seed the fuzzer with")
	}
	for _, path := range files {
		a, err := txtar.ParseFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, af := range a.Files {
			if af.Name == "annotations.yaml" {
				f.Add(af.Data)
			}
		}
	}
	if root, err := os.ReadFile(filepath.Join("..", "..", "annotations.yaml")); err == nil {
		f.Add(root)
	}
	f.Add([]byte("packages: {a: {wrappers: {X: {methods: {M: {input: {path: x[*].y, role: {const: user}, content: Text()}}}}}}}"))
	f.Add([]byte("packages:\n  a:\n    wrappers: [1, 2]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMapping("annotations.yaml", data)
		if err == nil {
			if m == nil {
				t.Fatal("no mapping and no error")
			}
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, "annotations.yaml:") {
				t.Fatalf("error without a position: %q", line)
			}
		}
	})
}

// FuzzParsePath: paths never panic the parser.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"req.Model", "len(resp.Data)", "resp.Choices[*].FinishReason", "r.GetX().Y[3]", "a[", "len(", "x..y", `r.Info["k"]`, `r.Info["k\"]`, `r.M["a"]["b"].C`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePath(s)
		if err == nil && p.Root == "" {
			t.Fatalf("%q parsed without a root", s)
		}
	})
}
