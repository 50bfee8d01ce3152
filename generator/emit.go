package generator

// The emitter: it renders a unit of the model as a Go file with jennifer.
// It reads the model and never writes it. One concern per file:
// emit_wrapper.go (types and constructors), emit_method.go (a method's
// span), emit_stream.go (streams), emit_attr.go (recording attributes),
// emit_access.go (reaching a value through its path, nil-safely).

import (
	"bytes"
	"fmt"
	"go/types"
	"slices"

	"github.com/dave/jennifer/jen"
)

// Packages the generated code uses besides those of the wrapped types.
const (
	pkgTrace     = "go.opentelemetry.io/otel/trace"
	pkgAttribute = "go.opentelemetry.io/otel/attribute"
	pkgCodes     = "go.opentelemetry.io/otel/codes"
	pkgGenai     = "github.com/genaitrace/genaitrace/runtime/genai"
	pkgContext   = "context"
)

var fixedImports = map[string]string{
	pkgTrace: "trace", pkgAttribute: "attribute", pkgCodes: "codes", pkgGenai: "genai", pkgContext: "context",
	"errors": "errors", "io": "io", "strconv": "strconv",
}

// emitter renders one unit (one output file).
type emitter struct {
	u       *unit
	f       *jen.File
	imports map[string]string // path → name in this file
	// files names the file's own package-level helpers, which yield to
	// the package's names and the imports.
	files *scope
	// errFuncs names, per wrapper and error_type mapping, the function
	// reading error.type from the SDK's error.
	errFuncs map[*wrapper]map[*ErrorTypeSpec]string
}

// render produces the formatted Go source of u.
func render(u *unit, header []string) ([]byte, error) {
	e := &emitter{u: u, imports: map[string]string{}, errFuncs: map[*wrapper]map[*ErrorTypeSpec]string{}}
	e.f = jen.NewFilePathName(u.pkg.Path(), u.pkg.Name())
	for _, h := range header {
		e.f.HeaderComment(h)
	}
	e.nameImports()
	for _, w := range u.wrappers {
		e.wrapper(w)
	}
	var buf bytes.Buffer
	if err := e.f.Render(&buf); err != nil {
		return nil, fmt.Errorf("generator: rendering %s: %w (a bug in genaitrace-gen; please report it with the mapping)", u.spec.Output, err)
	}
	return buf.Bytes(), nil
}

// nameImports picks every import's name: the package's own name unless it
// is taken by a declaration of the package, a parameter or result of a
// wrapped method, or another import; then name2, name3, ... Imports yield,
// user names stay.
func (e *emitter) nameImports() {
	taken := map[string]bool{}
	scope := e.u.pkg.Scope()
	for _, n := range scope.Names() {
		taken[n] = true
	}
	pkgs := map[string]*types.Package{}
	for _, w := range e.u.wrappers {
		taken[w.typeName], taken[w.ctorName] = true, true
		for _, m := range w.methods {
			collectPackages(m.sig, pkgs)
			for _, v := range append(slices.Clone(m.params), m.results...) {
				taken[v.name] = true
			}
		}
		if w.typeParams != nil {
			for i := range w.typeParams.Len() {
				collectPackages(w.typeParams.At(i).Constraint(), pkgs)
				taken[w.typeParams.At(i).Obj().Name()] = true
			}
		}
		if w.ifacePkg != nil {
			pkgs[w.ifacePkg.Path()] = w.ifacePkg
		}
	}
	delete(pkgs, e.u.pkg.Path())
	paths := make([]string, 0, len(pkgs)+len(fixedImports))
	names := map[string]string{}
	for p, pkg := range pkgs {
		paths = append(paths, p)
		names[p] = pkg.Name()
	}
	for p, n := range fixedImports {
		if _, ok := names[p]; !ok {
			paths = append(paths, p)
			names[p] = n
		}
	}
	slices.Sort(paths)
	s := newScope(taken)
	defer func() { e.files = newScope(taken, e.importNames()) }()
	for _, p := range paths {
		name := s.fresh(names[p])
		e.imports[p] = name
		if name == names[p] {
			e.f.ImportName(p, name)
		} else {
			e.f.ImportAlias(p, name)
		}
	}
}

func (e *emitter) importNames() map[string]bool {
	m := map[string]bool{}
	for _, n := range e.imports {
		m[n] = true
	}
	return m
}
