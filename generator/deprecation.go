package generator

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/packages"
)

// deprecations reads the "Deprecated:" paragraphs of doc comments from
// the syntax of the packages loaded from source (those the mapping names;
// a method an interface embeds from a third package has none to read),
// indexing each package's declarations once, when first asked.
//
// A wrapper of a deprecated method carries its paragraph, so users keep
// the warning (and staticcheck, which does not flag a deprecated
// function's own uses of deprecated names, stays quiet on it); a file
// naming deprecated API elsewhere says so to staticcheck (write.go).
type deprecations struct {
	pkgs  map[string]*packages.Package
	index map[string]map[token.Pos]string // package path → a declaration's name → its paragraph
}

func newDeprecations(pkgs map[string]*packages.Package) *deprecations {
	return &deprecations{pkgs: pkgs, index: map[string]map[token.Pos]string{}}
}

// of returns obj's "Deprecated:" paragraph, or "".
func (d *deprecations) of(obj types.Object) string {
	if d == nil || obj == nil || obj.Pkg() == nil {
		return ""
	}
	path := obj.Pkg().Path()
	idx, ok := d.index[path]
	if !ok {
		idx = indexDeprecations(d.pkgs[path])
		d.index[path] = idx
	}
	return idx[obj.Pos()]
}

// namesDeprecated reports whether t refers to a deprecated named type.
func (d *deprecations) namesDeprecated(t types.Type) bool {
	found := false
	walkTypes(t, func(obj *types.TypeName) {
		found = found || d.of(obj) != ""
	})
	return found
}

// indexDeprecations maps the name of every deprecated declaration of p
// (func or method, type, struct field, interface method) to its
// paragraph. A type declared alone may carry its doc on the declaration.
func indexDeprecations(p *packages.Package) map[token.Pos]string {
	idx := map[token.Pos]string{}
	if p == nil {
		return idx
	}
	note := func(name *ast.Ident, docs ...*ast.CommentGroup) {
		for _, doc := range docs {
			if doc != nil {
				if para := deprecatedParagraph(doc.Text()); para != "" {
					idx[name.Pos()] = para
				}
				return
			}
		}
	}
	for _, f := range p.Syntax {
		var decl *ast.GenDecl
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GenDecl:
				decl = n
			case *ast.FuncDecl:
				note(n.Name, n.Doc)
			case *ast.TypeSpec:
				var alone *ast.CommentGroup
				if decl != nil && !decl.Lparen.IsValid() {
					alone = decl.Doc
				}
				note(n.Name, n.Doc, alone)
			case *ast.Field:
				for _, name := range n.Names {
					note(name, n.Doc)
				}
			}
			return true
		})
	}
	return idx
}

// deprecatedParagraph is the paragraph of a doc text that starts with
// "Deprecated: ", as Go's convention has it.
func deprecatedParagraph(text string) string {
	for _, para := range strings.Split(text, "\n\n") {
		if strings.HasPrefix(para, "Deprecated: ") {
			return strings.TrimSpace(para)
		}
	}
	return ""
}
