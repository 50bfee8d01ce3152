package generator

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

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
	var errs ErrorList
	for _, p := range pkgs {
		files := append(slices.Clone(p.GoFiles), p.IgnoredFiles...)
		if len(files) == 0 {
			errs = append(errs, &Error{Msg: fmt.Sprintf("package %s: no Go files found%s", p.PkgPath, pkgErrors(p))})
			continue
		}
		dirs[p.PkgPath] = filepath.Dir(files[0])
	}
	if err := errs.err(); err != nil {
		return nil, nil, err
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
	return nil, nil, &Error{text: fmt.Sprintf("%s: no entry for package %s under packages: (entries: %s); add one, or run with -all to generate every package of the mapping", m.File, here, orNone(known))}
}

func pkgErrors(p *packages.Package) string {
	if len(p.Errors) == 0 {
		return ""
	}
	return ": " + p.Errors[0].Msg
}

// load type-checks everything the selected specs need in one
// packages.Load and returns the packages by path. The generator's own
// earlier output stays in place: type errors in a package being generated
// into are tolerated (buildUnits checks what the wrappers need).
func load(ctx context.Context, opts Options, specs []*PackageSpec) (map[string]*packages.Package, error) {
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
	var errs ErrorList
	for _, p := range pkgs {
		byPath[p.PkgPath] = p
		for _, e := range p.Errors {
			// Type errors in a package being generated into are expected
			// (it may use the wrappers before they exist); anything the
			// wrappers need is checked when the model is built.
			if outputs[p.PkgPath] && compileError(e) {
				continue
			}
			errs = append(errs, toolError(e.Pos, fmt.Sprintf("%s (package %s does not load; fix it first)", e, p.PkgPath)))
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return byPath, nil
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
