package generator

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/genaitrace/genaitrace/generator/mapping"
	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/packages"
)

func buildFlags(tags []string) []string {
	if len(tags) == 0 {
		return nil
	}
	return []string{"-tags=" + strings.Join(tags, ",")}
}

// selectPackages finds the packages to generate into: every package of the
// mapping with All, else the one in Dir, whose import path comes from the
// enclosing go.mod (asking the go command only outside a module): one
// packages.Load fewer on every go generate.
func selectPackages(ctx context.Context, opts Options, m *mapping.Mapping) ([]*mapping.PackageSpec, error) {
	if opts.All {
		return m.Packages, nil
	}
	here, err := packagePathOf(ctx, opts)
	if err != nil {
		return nil, err
	}
	for _, p := range m.Packages {
		if p.Path == here {
			return []*mapping.PackageSpec{p}, nil
		}
	}
	var known []string
	for _, p := range m.Packages {
		known = append(known, p.Path)
	}
	return nil, &mapping.Error{Text: fmt.Sprintf("%s: no entry for package %s under packages: (entries: %s); add one, or run with -all to generate every package of the mapping", m.File, here, orNone(known))}
}

// packagePathOf is the import path of the package in opts.Dir: its
// module's path (from the nearest go.mod) joined with the directory's
// place in the module.
func packagePathOf(ctx context.Context, opts Options) (string, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return "", err
	}
	for root := dir; ; root = filepath.Dir(root) {
		if data, err := os.ReadFile(filepath.Join(root, "go.mod")); err == nil {
			if mod := modfile.ModulePath(data); mod != "" {
				rel, err := filepath.Rel(root, dir)
				if err != nil {
					return "", err
				}
				if rel == "." {
					return mod, nil
				}
				return mod + "/" + filepath.ToSlash(rel), nil
			}
			break
		}
		if filepath.Dir(root) == root {
			break
		}
	}
	cfg := &packages.Config{Context: ctx, Mode: packages.NeedName, Dir: opts.Dir, BuildFlags: buildFlags(opts.Tags)}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil {
		return "", fmt.Errorf("loading packages: %w", err)
	}
	if len(pkgs) == 0 || pkgs[0].PkgPath == "" {
		return "", fmt.Errorf("no Go package in %s", opts.Dir)
	}
	return pkgs[0].PkgPath, nil
}

// outputDirs finds the directory of every package generated into from the
// load, or reports the ones with no Go files.
func outputDirs(specs []*mapping.PackageSpec, byPath map[string]*packages.Package) (map[string]string, error) {
	dirs := map[string]string{}
	var errs mapping.ErrorList
	for _, s := range specs {
		p := byPath[s.Path]
		if p == nil {
			continue // reported when the model is built
		}
		files := append(slices.Clone(p.GoFiles), p.IgnoredFiles...)
		if len(files) == 0 {
			errs = append(errs, &mapping.Error{Msg: fmt.Sprintf("package %s: no Go files found%s", p.PkgPath, pkgErrors(p))})
			continue
		}
		dirs[p.PkgPath] = filepath.Dir(files[0])
	}
	return dirs, errs.Err()
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
//
// A package named only by a type: that does not load is no reason to stop:
// its problem is returned in missing, for the wrappers naming it to report
// at their type: line.
func load(ctx context.Context, opts Options, specs []*mapping.PackageSpec) (byPath map[string]*packages.Package, missing map[string]string, err error) {
	patterns := map[string]bool{}
	for _, s := range specs {
		patterns[s.Path] = true
		for _, w := range s.Wrappers {
			if path, _, _ := mapping.SplitTypeRef(w.Type); path != "" {
				patterns[path] = true
			}
			for _, path := range w.PackagePaths() {
				patterns[path] = true
			}
		}
	}
	// Roots are type-checked from source (dependencies come from export
	// data), so an output package that already calls the constructors
	// about to be generated still yields its types.
	cfg := &packages.Config{
		Context:    ctx,
		Mode:       packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedModule,
		Dir:        opts.Dir,
		BuildFlags: buildFlags(opts.Tags),
		ParseFile:  parseSkippingOwnOutput,
	}
	pkgs, err := packages.Load(cfg, slices.Sorted(mapsKeys(patterns))...)
	if err != nil {
		return nil, nil, fmt.Errorf("loading packages: %w", err)
	}
	outputs := map[string]bool{}
	for _, s := range specs {
		outputs[s.Path] = true
	}
	byPath = map[string]*packages.Package{}
	missing = map[string]string{}
	var errs mapping.ErrorList
	for _, p := range pkgs {
		byPath[p.PkgPath] = p
		for _, e := range p.Errors {
			switch {
			case outputs[p.PkgPath] && compileError(e):
				// Type errors in a package being generated into are
				// expected (it may use the wrappers before they exist);
				// anything the wrappers need is checked when the model is
				// built.
			case !outputs[p.PkgPath] && notProvided(e):
				missing[p.PkgPath] = notProvidedHelp(p.PkgPath, requiredModules(pkgs))
			default:
				errs = append(errs, mapping.ToolError(e.Pos, fmt.Sprintf("%s (package %s does not load; fix it first)", e, p.PkgPath)))
			}
		}
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	return byPath, missing, nil
}

// parseSkippingOwnOutput parses a file for the load, but reads only the
// package clause of a file genaitrace-gen wrote: it is about to be
// written again, and is most of the package's code (a few thousand lines
// for a hundred methods), whose parsing and type-checking were a fifth of
// a run. Code that refers to its declarations meets type errors, which a
// package being generated into is allowed.
func parseSkippingOwnOutput(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
	mode := goparser.AllErrors | goparser.ParseComments | goparser.SkipObjectResolution
	if bytes.HasPrefix(src, []byte("// Code generated by genaitrace-gen ")) {
		mode = goparser.PackageClauseOnly
	}
	return goparser.ParseFile(fset, filename, src, mode)
}

// notProvided reports the go command's "no module provides this package".
func notProvided(e packages.Error) bool {
	return strings.Contains(e.Msg, "no required module provides package") || strings.Contains(e.Msg, "cannot find module providing package") ||
		strings.Contains(e.Msg, "is not in std")
}

// notProvidedHelp says what to do about a type: package no required module
// provides: the path with the major version go.mod requires when only that
// differs (openai-go for openai-go/v3), else how to add the module.
func notProvidedHelp(path string, required []string) string {
	base := withoutMajor(path)
	for _, mod := range required {
		mb := withoutMajor(mod)
		if base == mb || strings.HasPrefix(base, mb+"/") {
			if fix := mod + base[len(mb):]; fix != path {
				return fmt.Sprintf("no module this one requires provides package %s; did you mean %s (go.mod requires %s)?", path, fix, mod)
			}
		}
	}
	return fmt.Sprintf("no module this one requires provides package %s; check the import path, or add its module with go get", path)
}

// withoutMajor drops a path's major-version elements (/v2, /v3, ...).
func withoutMajor(path string) string {
	parts := strings.Split(path, "/")
	out := parts[:0]
	for _, p := range parts {
		if len(p) >= 2 && p[0] == 'v' && strings.Trim(p[1:], "0123456789") == "" && p != "v0" && p != "v1" {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, "/")
}

// requiredModules lists the main module and what its go.mod requires.
func requiredModules(pkgs []*packages.Package) []string {
	for _, p := range pkgs {
		if p.Module == nil || !p.Module.Main || p.Module.GoMod == "" {
			continue
		}
		data, err := os.ReadFile(p.Module.GoMod)
		if err != nil {
			return nil
		}
		f, err := modfile.ParseLax(p.Module.GoMod, data, nil)
		if err != nil {
			return nil
		}
		mods := []string{p.Module.Path}
		for _, r := range f.Require {
			mods = append(mods, r.Mod.Path)
		}
		return mods
	}
	return nil
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
