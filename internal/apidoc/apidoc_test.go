package apidoc

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/api from go doc -all")

// packages are the public packages whose API is listed.
var packages = []string{"runtime", "runtime/export", "runtime/genai", "runtime/breaker", "runtime/pricing", "generator", "generator/mapping"}

func TestAPIListingIsCurrent(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the go command is needed to list the API: ", err)
	}
	root := filepath.Join("..", "..")
	for _, pkg := range packages {
		cmd := exec.Command(goTool, "doc", "-all", "./"+pkg)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go doc -all ./%s: %v", pkg, err)
		}
		file := filepath.Join(root, "docs", "api", strings.ReplaceAll(pkg, "/", "_")+".txt")
		if *update {
			if err := os.WriteFile(file, out, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v; run go test ./internal/apidoc -update", err)
		}
		if !bytes.Equal(out, want) {
			t.Errorf("the public API of %s differs from %s: %s\nif the change is intended, run go test ./internal/apidoc -update and commit the listing",
				pkg, file, firstDifference(string(want), string(out)))
		}
	}
}

// firstDifference shows the first line that differs.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n  listed: " + a + "\n  now:    " + b
		}
	}
	return "(no line differs)"
}
