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
	"github.com/genaitrace/genaitrace/generator/mapping"
)

// Packages the generated code uses besides those of the wrapped types.
const (
	pkgTrace     = "go.opentelemetry.io/otel/trace"
	pkgAttribute = "go.opentelemetry.io/otel/attribute"
	pkgCodes     = "go.opentelemetry.io/otel/codes"
	pkgGenai     = "github.com/genaitrace/genaitrace/runtime/genai"
	pkgContext   = "context"
)

// yieldingNames are the names the generated code's own imports take when
// their package's name is taken (by an SDK of the same name).
var yieldingNames = map[string]string{
	pkgGenai: "genaitrace", pkgTrace: "oteltrace", pkgAttribute: "otelattribute", pkgCodes: "otelcodes",
}

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
	errFuncs map[*wrapper]map[*mapping.ErrorTypeSpec]string
}

// render produces the formatted Go source of u.
func render(u *unit, header []string) ([]byte, error) {
	e := &emitter{u: u, imports: map[string]string{}, errFuncs: map[*wrapper]map[*mapping.ErrorTypeSpec]string{}}
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
	return groupImports(buf.Bytes()), nil
}

// groupImports splits the import block jennifer writes (one group, sorted
// by path) into the standard library's, then the others', as goimports
// writes them.
func groupImports(src []byte) []byte {
	start := bytes.Index(src, []byte("\nimport (\n"))
	if start < 0 {
		return src
	}
	start += len("\nimport (\n")
	end := bytes.Index(src[start:], []byte("\n)\n"))
	if end < 0 {
		return src
	}
	var std, other [][]byte
	for _, l := range bytes.Split(src[start:start+end], []byte("\n")) {
		q := bytes.IndexByte(l, '"')
		if q < 0 {
			return src // not the block jennifer writes
		}
		first, _, _ := bytes.Cut(l[q+1:], []byte("/"))
		if bytes.Contains(first, []byte(".")) {
			other = append(other, l)
		} else {
			std = append(std, l)
		}
	}
	if len(std) == 0 || len(other) == 0 {
		return src
	}
	var out bytes.Buffer
	out.Write(src[:start])
	out.Write(bytes.Join(std, []byte("\n")))
	out.WriteString("\n\n")
	out.Write(bytes.Join(other, []byte("\n")))
	out.Write(src[start+end:])
	return out.Bytes()
}

// nameImports picks every import's name: the package's own name unless it
// is taken by a declaration of the package, a parameter or result of a
// wrapped method, or another import; then name2, name3, ... Imports yield,
// user names stay. The packages of the wrapped types are named first, so
// an SDK keeps its name (google.golang.org/genai stays genai) and the
// packages the generated code adds yield with a name of their own
// (genaitrace for genaitrace's genai, oteltrace for trace).
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
			for _, alt := range m.errAlts {
				collectPackages(alt.target, pkgs)
				if alt.sentinel != nil {
					pkgs[alt.sentinel.Pkg().Path()] = alt.sentinel.Pkg()
				}
			}
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
	slices.Sort(paths)
	var ours []string
	for p, n := range fixedImports {
		if _, ok := names[p]; !ok {
			ours = append(ours, p)
			names[p] = n
		}
	}
	slices.Sort(ours)
	s := newScope(taken)
	defer func() { e.files = newScope(taken, e.importNames()) }()
	for _, p := range append(paths, ours...) {
		name := names[p]
		if alt, ok := yieldingNames[p]; ok && s.taken[name] {
			name = alt
		}
		name = s.fresh(name)
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
