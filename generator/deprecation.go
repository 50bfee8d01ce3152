package generator

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/packages"
)

// deprecation returns the "Deprecated:" paragraph of fn's doc comment, or
// "": a wrapper of a deprecated method carries it, so users keep the
// warning (and staticcheck, which does not flag a deprecated function's
// own uses of deprecated names, stays quiet on the generated file). Docs
// are read from the syntax of the packages loaded from source: those the
// mapping names; a method an interface embeds from a third package has
// none to read.
func deprecation(fn *types.Func, pkgs map[string]*packages.Package) string {
	if fn.Pkg() == nil {
		return ""
	}
	p := pkgs[fn.Pkg().Path()]
	if p == nil {
		return ""
	}
	doc := docAt(p, fn)
	if doc == nil {
		return ""
	}
	return deprecatedParagraph(doc.Text())
}

// docAt finds the doc comment of the method or interface method declared
// at fn's position.
func docAt(p *packages.Package, fn *types.Func) *ast.CommentGroup {
	for _, f := range p.Syntax {
		if fn.Pos() < f.FileStart || fn.Pos() >= f.FileEnd {
			continue
		}
		var doc *ast.CommentGroup
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Name.Pos() == fn.Pos() {
					doc = n.Doc
				}
			case *ast.Field:
				for _, name := range n.Names {
					if name.Pos() == fn.Pos() {
						doc = n.Doc
					}
				}
			}
			return doc == nil
		})
		return doc
	}
	return nil
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
