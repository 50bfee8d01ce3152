package generator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Version is genaitrace-gen's version, written into generated headers.
const Version = "v0.1.0"

// Options configure one run.
type Options struct {
	// Mapping is the path of annotations.yaml.
	Mapping string
	// Dir is the directory of the package to generate into (default ".").
	Dir string
	// All generates every package of the mapping, not only Dir's.
	All bool
	// Tags are build tags for loading packages (GOFLAGS is honoured too).
	Tags []string
	// Check reports files that are out of date, with a diff, instead of
	// writing them.
	Check bool
	// Debug, when set, receives a dump of the resolved model.
	Debug io.Writer
}

// Report says what a run did.
type Report struct {
	Written   []string
	Unchanged []string
	// Stale lists out-of-date files found with Check; Diffs has a unified
	// diff for each.
	Stale []string
	Diffs map[string]string
}

// UsageError is a mistake in how the generator was invoked; the command
// exits with status 2 for it, and 1 for every other error.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Run generates (or checks) the wrappers the mapping asks for.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Dir == "" {
		opts.Dir = "."
	}
	data, err := os.ReadFile(opts.Mapping)
	if err != nil {
		return nil, &UsageError{fmt.Errorf("cannot read the mapping: %w; pass -config path/to/annotations.yaml", err)}
	}
	mapping, parseErr := ParseMapping(displayPath(opts.Mapping), data)
	if mapping == nil {
		return nil, parseErr
	}
	specs, dirs, err := selectPackages(ctx, opts, mapping)
	if err != nil {
		return nil, errors.Join(parseErr, err)
	}
	units, err := load(ctx, opts, specs, dirs)
	if err = errors.Join(parseErr, err); err != nil {
		return nil, sortErrors(err)
	}
	if opts.Debug != nil {
		dump(opts.Debug, units)
	}
	return write(opts, mapping, units)
}

// sortErrors orders errors by file, line and column, so a mapping's
// mistakes read top to bottom. Joined errors are flattened first; each
// error keeps its own lines together.
func sortErrors(err error) error {
	var flat []error
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		if e != nil {
			flat = append(flat, e)
		}
	}
	walk(err)
	key := func(e error) (string, int, int) {
		parts := strings.SplitN(e.Error(), ":", 4)
		if len(parts) < 4 {
			return e.Error(), 0, 0
		}
		line, err1 := strconv.Atoi(parts[1])
		col, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil {
			return e.Error(), 0, 0
		}
		return parts[0], line, col
	}
	slices.SortStableFunc(flat, func(a, b error) int {
		fa, la, ca := key(a)
		fb, lb, cb := key(b)
		return cmp.Or(strings.Compare(fa, fb), cmp.Compare(la, lb), cmp.Compare(ca, cb))
	})
	lines := make([]string, len(flat))
	for i, e := range flat {
		lines[i] = e.Error()
	}
	return errors.New(strings.Join(lines, "\n"))
}

// displayPath shortens the mapping's path for messages when it is under
// the working directory.
func displayPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

func buildFlags(tags []string) []string {
	if len(tags) == 0 {
		return nil
	}
	return []string{"-tags=" + strings.Join(tags, ",")}
}

// selectPackages finds the packages to generate into and their directories
// with a cheap load (names and files only).
func selectPackages(ctx context.Context, opts Options, m *Mapping) ([]*PackageSpec, map[string]string, error) {
	cfg := &packages.Config{Context: ctx, Mode: packages.NeedName | packages.NeedFiles, Dir: opts.Dir, BuildFlags: buildFlags(opts.Tags)}
	var patterns []string
	if opts.All {
		for _, p := range m.Packages {
			patterns = append(patterns, p.Path)
		}
	} else {
		patterns = []string{"."}
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, nil, fmt.Errorf("loading packages: %w", err)
	}
	dirs := map[string]string{}
	var errs []error
	for _, p := range pkgs {
		files := append(slices.Clone(p.GoFiles), p.IgnoredFiles...)
		if len(files) == 0 {
			errs = append(errs, fmt.Errorf("package %s: no Go files found%s", p.PkgPath, pkgErrors(p)))
			continue
		}
		dirs[p.PkgPath] = filepath.Dir(files[0])
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	if opts.All {
		return m.Packages, dirs, nil
	}
	here := pkgs[0].PkgPath
	for _, p := range m.Packages {
		if p.Path == here {
			return []*PackageSpec{p}, dirs, nil
		}
	}
	var known []string
	for _, p := range m.Packages {
		known = append(known, p.Path)
	}
	return nil, nil, fmt.Errorf("%s: no entry for package %s under packages: (entries: %s); add one, or run with -all to generate every package of the mapping", m.File, here, orNone(known))
}

func pkgErrors(p *packages.Package) string {
	if len(p.Errors) == 0 {
		return ""
	}
	return ": " + p.Errors[0].Msg
}

// load type-checks everything the selected specs need in one
// packages.Load. The generator's own earlier output stays in place: type
// errors in a package being generated into are tolerated, and declarations
// in files it generated do not count as clashes.
func load(ctx context.Context, opts Options, specs []*PackageSpec, dirs map[string]string) ([]*unit, error) {
	patterns := map[string]bool{}
	for _, s := range specs {
		patterns[s.Path] = true
		for _, w := range s.Wrappers {
			if path, _, _ := splitTypeRef(w.Type); path != "" {
				patterns[path] = true
			}
		}
	}
	// Roots are type-checked from source (dependencies come from export
	// data), so an output package that already calls the constructors
	// about to be generated still yields its types.
	cfg := &packages.Config{
		Context:    ctx,
		Mode:       packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes,
		Dir:        opts.Dir,
		BuildFlags: buildFlags(opts.Tags),
	}
	pkgs, err := packages.Load(cfg, slices.Sorted(mapsKeys(patterns))...)
	if err != nil {
		return nil, fmt.Errorf("loading packages: %w", err)
	}
	outputs := map[string]bool{}
	for _, s := range specs {
		outputs[s.Path] = true
	}
	byPath := map[string]*packages.Package{}
	var errs []error
	for _, p := range pkgs {
		byPath[p.PkgPath] = p
		for _, e := range p.Errors {
			// Type errors in a package being generated into are expected
			// (it may use the wrappers before they exist); anything the
			// wrappers need is checked by the resolver.
			if outputs[p.PkgPath] && compileError(e) {
				continue
			}
			errs = append(errs, fmt.Errorf("%s (package %s does not load; fix it first)", e, p.PkgPath))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var units []*unit
	for _, s := range specs {
		p := byPath[s.Path]
		if p == nil || p.Types == nil {
			errs = append(errs, fmt.Errorf("%s: package %s was not found", s.Pos, s.Path))
			continue
		}
		u := &unit{spec: s, pkg: p.Types, dir: dirs[s.Path], fset: p.Fset}
		for _, ws := range s.Wrappers {
			if w := buildWrapper(u, ws, byPath, &errs); w != nil {
				u.wrappers = append(u.wrappers, w)
			}
		}
		units = append(units, u)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return units, nil
}

// compileError reports a type error, or the compiler's output that go list
// reports when it builds export data ("# pkg" followed by type errors).
func compileError(e packages.Error) bool {
	return e.Kind == packages.TypeError || (e.Kind == packages.ListError && strings.HasPrefix(strings.TrimPrefix(e.Msg, "-: "), "# "))
}

func mapsKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// declaredByUs reports whether obj is declared in a file the generator
// wrote, which the new output replaces.
func declaredByUs(u *unit, obj types.Object) bool {
	if u.fset == nil || !obj.Pos().IsValid() {
		return false
	}
	ours, _ := isOurs(u.fset.Position(obj.Pos()).Filename)
	return ours
}

// splitTypeRef splits "*example.com/pkg.Name" into its path, name and
// whether it names a concrete type's method set.
func splitTypeRef(ref string) (path, name string, concrete bool) {
	ref, concrete = strings.CutPrefix(strings.TrimSpace(ref), "*")
	slash := strings.LastIndexByte(ref, '/')
	dot := strings.LastIndexByte(ref, '.')
	if dot <= slash {
		return "", ref, concrete
	}
	return ref[:dot], ref[dot+1:], concrete
}

// buildWrapper resolves a wrapper's target type and methods.
func buildWrapper(u *unit, ws *WrapperSpec, pkgs map[string]*packages.Package, errs *[]error) *wrapper {
	fail := func(pos Pos, format string, args ...any) *wrapper {
		*errs = append(*errs, fmt.Errorf("%s: %s: "+format, append([]any{pos, ws.Name}, args...)...))
		return nil
	}
	w := &wrapper{spec: ws, typeName: "Traced" + ws.Name, ctorName: "NewTraced" + ws.Name}
	ref := ws.Type
	if ref == "" {
		ref = ws.Name
	}
	path, name, concrete := splitTypeRef(ref)
	pos := ws.TypePos
	if ws.Type == "" {
		pos = ws.Pos
	}
	src := u.pkg
	if path != "" && path != u.pkg.Path() {
		p := pkgs[path]
		if p == nil || p.Types == nil {
			return fail(pos, "package %s was not loaded; check the import path in type:", path)
		}
		src = p.Types
	}
	obj := src.Scope().Lookup(name)
	if obj == nil {
		return fail(pos, "%s has no type %s%s", src.Path(), name, suggest(name, src.Scope().Names()))
	}
	tn, ok := obj.(*types.TypeName)
	if !ok {
		return fail(pos, "%s.%s is not a type", src.Path(), name)
	}
	named, _ := types.Unalias(tn.Type()).(*types.Named)
	var iface *types.Interface
	switch {
	case concrete:
		if named == nil {
			return fail(pos, "%s is not a named type; type: \"*Name\" wraps the method set of a named type", ref)
		}
		if _, isIface := named.Underlying().(*types.Interface); isIface {
			return fail(pos, "%s is an interface; drop the * to wrap it", ref)
		}
		if named.TypeParams().Len() > 0 {
			return fail(pos, "%s is generic; wrapping the method set of a generic concrete type is not supported, declare an interface for it", ref)
		}
		iface = exportedMethodSet(named)
		if iface.NumMethods() == 0 {
			return fail(pos, "*%s has no exported methods to wrap", name)
		}
		w.emitIface, w.concrete = iface, "*"+src.Name()+"."+name
		w.concretePkg, w.concreteName = src, name
		if clash := u.pkg.Scope().Lookup(ws.Name); clash != nil && !declaredByUs(u, clash) {
			return fail(ws.Pos, "the interface %s to emit for %s is already declared in %s; choose another key", ws.Name, ref, u.pkg.Path())
		}
	default:
		it, isIface := tn.Type().Underlying().(*types.Interface)
		if !isIface {
			return fail(pos, "%s is %s, not an interface; to wrap a concrete type's methods, set type: \"*%s\"", ref, kindOf(tn.Type()), strings.TrimPrefix(ref, "*"))
		}
		iface = it
		if src != u.pkg {
			w.ifacePkg, w.ifaceName = src, name
		} else if name != ws.Name {
			w.ifacePkg, w.ifaceName = src, name
		}
		if named != nil && named.TypeParams().Len() > 0 {
			w.typeParams = named.TypeParams()
		}
	}
	for _, n := range []string{w.typeName, w.ctorName} {
		if clash := u.pkg.Scope().Lookup(n); clash != nil && !declaredByUs(u, clash) {
			return fail(ws.Pos, "%s is already declared in %s (at %s); rename it, or choose another key for this wrapper", n, u.pkg.Path(), clash.Pos())
		}
	}
	specs := map[string]*MethodSpec{}
	for _, ms := range ws.Methods {
		specs[ms.Name] = ms
	}
	var names []string
	for i := range iface.NumMethods() {
		fn := iface.Method(i)
		names = append(names, fn.Name())
		if !fn.Exported() && fn.Pkg() != u.pkg {
			return fail(pos, "%s has the unexported method %s of package %s; only that package can implement it", ref, fn.Name(), fn.Pkg().Path())
		}
		w.methods = append(w.methods, buildMethod(u.pkg, w, fn, specs[fn.Name()], errs))
	}
	for _, ms := range ws.Methods {
		if !slices.Contains(names, ms.Name) {
			*errs = append(*errs, fmt.Errorf("%s: %s: no method %s%s (methods: %s)", ms.Pos, ws.Name, ms.Name, suggest(ms.Name, names), strings.Join(names, ", ")))
		}
	}
	renameShadowing(w)
	return w
}

// exportedMethodSet is the interface of *T's exported methods.
func exportedMethodSet(named *types.Named) *types.Interface {
	ms := types.NewMethodSet(types.NewPointer(named))
	var fns []*types.Func
	for i := range ms.Len() {
		fn, ok := ms.At(i).Obj().(*types.Func)
		if !ok || !fn.Exported() {
			continue
		}
		sig := fn.Type().(*types.Signature)
		plain := types.NewSignatureType(nil, nil, nil, sig.Params(), sig.Results(), sig.Variadic())
		fns = append(fns, types.NewFunc(fn.Pos(), fn.Pkg(), fn.Name(), plain))
	}
	return types.NewInterfaceType(fns, nil).Complete()
}

// renameShadowing gives every parameter and result its name in the wrapper:
// the user's, unless blank, missing, or a predeclared identifier the
// generated code needs (a parameter named len or string); generated names
// yield to user names, so these get fresh ones.
func renameShadowing(w *wrapper) {
	for _, m := range w.methods {
		s := newScope()
		vars := append(slices.Clone(m.params), m.results...)
		sig := m.sig
		for i, v := range vars {
			var orig string
			if i < len(m.params) {
				orig = sig.Params().At(i).Name()
			} else {
				orig = sig.Results().At(i - len(m.params)).Name()
			}
			if orig != "" && orig != "_" && !isKeywordOrPredeclared(orig) {
				v.name = orig
				s.reserve(orig)
			}
		}
		for i, v := range vars {
			if v.name != "" {
				continue
			}
			switch {
			case i < len(m.params):
				v.name = s.fresh("p" + strings.TrimPrefix(v.mapName, "arg"))
			case i-len(m.params) == m.err:
				v.name = s.fresh("err")
			default:
				v.name = s.fresh("r" + strings.TrimPrefix(strings.TrimPrefix(v.mapName, "result"), "_"))
			}
		}
	}
}
