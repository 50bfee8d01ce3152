package generator

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/genaitrace/genaitrace/generator/mapping"
	"github.com/google/go-cmp/cmp"
)

// TestSuggestedPresetMappingsAreCurrent runs -suggest on the SDK types
// the presets wrap, in each preset's test module (templates/tests/*/
// suggested): the output must be the committed annotations.yaml, and the
// committed wrappers what it generates. There, unedited, the wrappers
// compile, vet and staticcheck clean, and a test calls them over the SDK's
// wire format and checks the model and token counts they record (CI's
// preset step).
func TestSuggestedPresetMappingsAreCurrent(t *testing.T) {
	docs, _ := filepath.Glob(filepath.Join(repoRoot(t), "templates", "tests", "*", "suggested", "doc.go"))
	if len(docs) < 7 {
		t.Fatalf("%d suggested preset packages, want one per preset SDK (7)", len(docs))
	}
	refsOf := regexp.MustCompile(`genaitrace-gen -suggest '([^']+)' > annotations\.yaml`)
	for _, doc := range docs {
		dir := filepath.Dir(doc)
		t.Run(filepath.Base(filepath.Dir(dir)), func(t *testing.T) {
			src, err := os.ReadFile(doc)
			if err != nil {
				t.Fatal(err)
			}
			m := refsOf.FindSubmatch(src)
			if m == nil {
				t.Fatalf("%s has no //go:generate line running -suggest", doc)
			}
			got, err := Suggest(context.Background(), Options{Dir: dir}, strings.Split(string(m[1]), ",")...)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(dir, "annotations.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("-suggest's output changed; run go generate in %s (-committed +now):\n%s", dir, diff)
			}
			rep, err := Run(context.Background(), Options{Mapping: filepath.Join(dir, "annotations.yaml"), Dir: dir, Check: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, stale := range rep.Stale {
				t.Errorf("%s is out of date; run go generate in %s:\n%s", stale, dir, rep.Diffs[stale])
			}
		})
	}
}

// TestSuggestOnExamples runs -suggest on the interfaces of the
// repository's examples and compares it with the mapping written for them
// by hand (annotations.yaml): the operation, model, token counts and
// finish reasons must be suggested as written; the share of all keys
// suggested as written is logged.
func TestSuggestOnExamples(t *testing.T) {
	root := repoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "annotations.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	hand, err := mapping.ParseMapping("annotations.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	core := map[string]bool{"operation": true, "request_model": true, "response_model": true, "input_tokens": true, "output_tokens": true, "finish_reasons": true}
	same, total := 0, 0
	for _, p := range hand.Packages {
		if !strings.Contains(p.Path, "/examples/") {
			continue // benchmark scaffolding, not an example
		}
		var refs []string
		for _, w := range p.Wrappers {
			refs = append(refs, w.Name)
		}
		dir := filepath.Join(root, strings.TrimPrefix(p.Path, "github.com/genaitrace/genaitrace/"))
		out, err := Suggest(context.Background(), Options{Dir: dir}, refs...)
		if err != nil {
			t.Fatal(err)
		}
		sug, err := mapping.ParseMapping(suggestFile, out)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range p.Wrappers {
			for _, ms := range w.Methods {
				got := specOf(sug, w.Name, ms.Name)
				for key, want := range specOf(hand, w.Name, ms.Name) {
					total++
					switch {
					case got[key] == want:
						same++
					case core[key]:
						t.Errorf("%s %s.%s: %s suggested as %q, written as %q", p.Path, w.Name, ms.Name, key, got[key], want)
					default:
						t.Logf("%s.%s: %s suggested as %q, written as %q", w.Name, ms.Name, key, got[key], want)
					}
				}
			}
		}
	}
	t.Logf("%d of the %d keys written by hand for the examples are suggested as written", same, total)
}

// specOf is what a method's mapping says, key by key, its wrapper's
// defaults included.
func specOf(m *mapping.Mapping, wrapper, method string) map[string]string {
	out := map[string]string{}
	for _, p := range m.Packages {
		for _, w := range p.Wrappers {
			if w.Name != wrapper {
				continue
			}
			for _, ms := range append([]*mapping.MethodSpec{&w.Defaults}, w.Methods...) {
				if ms != &w.Defaults && ms.Name != method {
					continue
				}
				for k, v := range ms.Fields {
					out[k] = spelled(v)
				}
				if ms.Operation != nil {
					out["operation"] = ms.Operation.Text
				}
			}
		}
	}
	return out
}

// spelled writes a value with its parts, for comparing two mappings.
func spelled(v *mapping.Value) string {
	if v == nil {
		return ""
	}
	s := v.Text
	for _, part := range []*mapping.Value{v.Role, v.Content, v.FinishReason, v.When} {
		if part != nil {
			s += "|" + part.Text
		}
	}
	return s
}
