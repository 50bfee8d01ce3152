package generator

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of golden/*.txtar")

// goldenModule is the temporary module all golden cases are unpacked into:
// example.com/golden, requiring genaitrace from this checkout.
type goldenModule struct {
	dir   string
	cases []*goldenCase
}

type goldenCase struct {
	name    string
	file    string
	archive *txtar.Archive
	dir     string
}

func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// newGoldenModule writes go.mod (the root's requirements, so the root's
// go.sum covers everything) and unpacks every golden archive.
func newGoldenModule(t *testing.T) *goldenModule {
	t.Helper()
	root := repoRoot(t)
	dir := t.TempDir()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(gomod), "module example.com/golden")
	mod += "\nrequire github.com/genaitrace/genaitrace v0.0.0\n\nreplace github.com/genaitrace/genaitrace => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "go.sum"), string(sum))

	files, _ := filepath.Glob(filepath.Join(root, "golden", "*.txtar"))
	if len(files) == 0 {
		t.Fatal("no golden cases")
	}
	m := &goldenModule{dir: dir}
	for _, f := range files {
		a, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".txtar")
		c := &goldenCase{name: name, file: f, archive: a, dir: filepath.Join(dir, name)}
		for _, af := range a.Files {
			if !strings.HasPrefix(af.Name, "want/") {
				writeFile(t, filepath.Join(c.dir, af.Name), string(af.Data))
			}
		}
		m.cases = append(m.cases, c)
		// A case's "gomod" file adds lines to the shared go.mod (a replace
		// standing in for an SDK).
		for _, af := range a.Files {
			if af.Name == "gomod" {
				mod += "\n" + string(af.Data)
			}
		}
	}
	writeFile(t, filepath.Join(dir, "go.mod"), mod)
	return m
}

func writeFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tags are the build tags a case's "tags" file lists.
func (c *goldenCase) tags() []string {
	tags, _ := c.input("tags")
	return strings.Fields(tags)
}

// want returns the archive's want section named name, if any.
func (c *goldenCase) want(name string) ([]byte, bool) {
	for _, f := range c.archive.Files {
		if f.Name == "want/"+name {
			return f.Data, true
		}
	}
	return nil, false
}

func (c *goldenCase) setWant(name string, data []byte) {
	for i, f := range c.archive.Files {
		if f.Name == "want/"+name {
			c.archive.Files[i].Data = data
			return
		}
	}
	c.archive.Files = append(c.archive.Files, txtar.File{Name: "want/" + name, Data: data})
}

// TestGolden generates every case and compares the output (or the errors)
// with the archive's want/ sections. Then the generated code must compile,
// vet clean and pass each case's own tests, which drive the wrappers
// against the OpenTelemetry SDK's span recorder.
func TestGolden(t *testing.T) {
	m := newGoldenModule(t)
	for _, c := range m.cases {
		t.Run(c.name, func(t *testing.T) {
			got := map[string][]byte{}
			rep, err := c.run(t, got)
			if err != nil {
				got["errors.txt"] = []byte(strings.ReplaceAll(err.Error(), c.dir+string(filepath.Separator), "") + "\n")
			} else {
				for _, path := range rep.Written {
					b, _ := os.ReadFile(path)
					rel, _ := filepath.Rel(c.dir, path)
					got[filepath.ToSlash(rel)] = b
				}
			}
			if *update {
				kept := c.archive.Files[:0]
				for _, f := range c.archive.Files {
					if !strings.HasPrefix(f.Name, "want/") {
						kept = append(kept, f)
					}
				}
				c.archive.Files = kept
				for _, name := range slices.Sorted(mapKeys(got)) {
					c.setWant(name, got[name])
				}
				if err := os.WriteFile(c.file, txtar.Format(c.archive), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			var wantNames []string
			for _, f := range c.archive.Files {
				if name, ok := strings.CutPrefix(f.Name, "want/"); ok {
					wantNames = append(wantNames, name)
				}
			}
			if diff := cmp.Diff(wantNames, slices.Sorted(mapKeys(got))); diff != "" {
				t.Errorf("generated files (-want +got):\n%s\nerror: %v", diff, err)
			}
			for _, name := range wantNames {
				want, _ := c.want(name)
				if diff := cmp.Diff(string(want), string(got[name])); diff != "" {
					t.Errorf("%s (-want +got):\n%s", name, diff)
				}
			}
		})
	}
	if t.Failed() || *update {
		return
	}
	t.Run("compile and behaviour", func(t *testing.T) {
		goCmd(t, m.dir, "vet", "./...")
		goCmd(t, m.dir, "test", "-count=1", "./...")
		for _, c := range m.cases {
			if tags := c.tags(); len(tags) > 0 {
				goCmd(t, m.dir, "vet", "-tags="+strings.Join(tags, ","), "./"+c.name+"/...")
			}
		}
	})
}

// run generates the case. A case with a "suggest" file ("dir refs") has
// its mappingFile suggested first (want/annotations.yaml) and generated from
// as it is: suggest, generate, compile, then its tests call the wrappers.
func (c *goldenCase) run(t *testing.T, got map[string][]byte) (*Report, error) {
	ctx := context.Background()
	mappingFile := filepath.Join(c.dir, "annotations.yaml")
	if line, ok := c.input("suggest"); ok {
		dir, refs, _ := strings.Cut(strings.TrimSpace(line), " ")
		out, err := Suggest(ctx, Options{Dir: filepath.Join(c.dir, dir), Tags: c.tags()}, strings.Split(refs, ",")...)
		if err != nil {
			return nil, err
		}
		got["annotations.yaml"] = out
		writeFile(t, mappingFile, string(out))
	}
	return Run(ctx, Options{Mapping: mappingFile, Dir: c.dir, All: true, Tags: c.tags()})
}

// input returns the archive's file named name, if any.
func (c *goldenCase) input(name string) (string, bool) {
	for _, f := range c.archive.Files {
		if f.Name == name {
			return string(f.Data), true
		}
	}
	return "", false
}

func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
