package runtime

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEveryVariableIsDocumentedAndCleared: every variable env.go declares
// is in the README's configuration table (the table users read) and in
// allEnv (the list tests clear, so that none leaks from the machine into
// a test). A variable added without either fails here.
func TestEveryVariableIsDocumentedAndCleared(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "env.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Values) != 1 || !strings.HasPrefix(vs.Names[0].Name, "env") {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		name, _ := strconv.Unquote(lit.Value)
		seen++
		if !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("%s (%s) is not in the README's configuration table", name, vs.Names[0].Name)
		}
		if !slices.Contains(allEnv, name) {
			t.Errorf("%s (%s) is not in allEnv: tests would read it from the machine", name, vs.Names[0].Name)
		}
		return true
	})
	if seen < 40 {
		t.Fatalf("found %d variables in env.go: the parse is broken", seen)
	}
}
