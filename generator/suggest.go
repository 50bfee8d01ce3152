package generator

import (
	"context"
	"errors"
	"fmt"
	"go/types"
	"path/filepath"
	"slices"
	"strings"

	"github.com/genaitrace/genaitrace/generator/mapping"
	"golang.org/x/tools/go/packages"
)

// Suggest returns a commented annotations.yaml for the types refs name, for
// the package in opts.Dir: an interface ("example.com/llm.Client", or
// "Client" in that package), or a concrete type's exported method set
// ("*github.com/openai/openai-go/v3.ChatCompletionService"; the * may be
// left out). A package may also be named as the package in opts.Dir
// imports it ("llms.Model").
//
// The mapping is inferred from the methods' parameter and result types:
// fields named like a model, messages, token counts, finish reasons, tool
// names and arguments, streamed results and callbacks. Every line is
// type-checked as generation would check it before it is printed; a line
// the inference is unsure of says so in a comment.
func Suggest(ctx context.Context, opts Options, refs ...string) ([]byte, error) {
	s, env, err := infer(ctx, opts, refs)
	if err != nil {
		return nil, err
	}
	if err := s.check(env); err != nil {
		return nil, err
	}
	return []byte(s.render()), nil
}

// loaded is what one load gave: the packages by path, and the problems
// of the ones that did not load.
type loaded struct {
	pkgs    map[string]*packages.Package
	missing map[string]string
}

// infer loads the package in opts.Dir and the types refs name, and infers
// their mapping, not yet checked.
func infer(ctx context.Context, opts Options, refs []string) (*suggestion, *loaded, error) {
	if len(refs) == 0 {
		return nil, nil, &UsageError{errors.New("-suggest: name a type, e.g. -suggest '*github.com/openai/openai-go/v3.ChatCompletionService'")}
	}
	if opts.Dir == "" {
		opts.Dir = "."
	}
	here, err := packagePathOf(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	spec := &mapping.PackageSpec{Path: here}
	if err := hasGoFiles(opts.Dir, here); err != nil {
		return nil, nil, err
	}
	for _, ref := range refs {
		// Every package is loaded by its path; one named as the output
		// package imports it (llms.Model) does not load, and is found
		// among the output package's imports instead.
		spec.Wrappers = append(spec.Wrappers, &mapping.WrapperSpec{Type: ref})
	}
	pkgs, missing, err := load(ctx, opts, []*mapping.PackageSpec{spec})
	if err != nil {
		return nil, nil, err
	}
	out := pkgs[here]
	if out == nil || out.Types == nil {
		return nil, nil, fmt.Errorf("-suggest: package %s in %s did not load", here, opts.Dir)
	}
	s := &suggestion{pkg: here, refs: refs}
	var errs mapping.ErrorList
	for _, ref := range refs {
		w, err := suggestWrapper(ref, out.Types, pkgs, missing)
		if err != nil {
			errs.Add(mapping.Pos{}, "-suggest %s: %v", ref, err)
			continue
		}
		s.wrappers = append(s.wrappers, w)
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	return s, &loaded{pkgs, missing}, nil
}

// findTarget resolves a -suggest reference: an import path, a package as
// the output package imports it, or a name of the output package.
func findTarget(ref string, out *types.Package, pkgs map[string]*packages.Package, missing map[string]string) (*target, error) {
	path, _, _ := mapping.SplitTypeRef(ref)
	src := out
	switch {
	case path == "":
	case pkgs[path] != nil && pkgs[path].Types != nil && missing[path] == "":
		src = pkgs[path].Types
	case importedAs(out, path) != nil:
		src = importedAs(out, path)
	case strings.Contains(path, "/") && missing[path] != "":
		return nil, errors.New(missing[path])
	default:
		return nil, fmt.Errorf("package %s was not found; give its import path (%s does not import a package of that name)", path, out.Path())
	}
	return lookupTarget(ref, src, out, pkgs, true)
}

// hasGoFiles reports a directory -suggest cannot load a package from:
// the go command's "no required module provides" would be its words.
func hasGoFiles(dir, path string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	if len(files) == 0 {
		return &UsageError{fmt.Errorf("-suggest: %s has no Go files; create package %s first (a file with its package clause), then run -suggest in it", dir, path)}
	}
	return nil
}

// importedAs finds the package out imports under the name (llms for
// github.com/tmc/langchaingo/llms).
func importedAs(out *types.Package, name string) *types.Package {
	for _, p := range out.Imports() {
		if p.Name() == name || p.Path() == name {
			return p
		}
	}
	return nil
}

// typeRef is how the mapping's type: names the target, "" for an
// interface of the output package under its own name.
func (t *target) typeRef(out *types.Package) string {
	switch {
	case t.concrete:
		return "*" + t.pkg.Path() + "." + t.name
	case t.pkg == out:
		return ""
	}
	return t.pkg.Path() + "." + t.name
}

// wrapperKey is the wrapper's key: the type's name, unless the output
// package declares that name already (another type, or the key a concrete
// type's interface would be emitted under).
func wrapperKey(t *target, out *types.Package) string {
	if t.pkg == out && !t.concrete {
		return t.name
	}
	key := t.name
	if taken(out, key) {
		key = exportedName(t.pkg.Name()) + t.name
	}
	return key
}

func taken(out *types.Package, key string) bool {
	for _, n := range []string{key, "Traced" + key, "NewTraced" + key} {
		if out.Scope().Lookup(n) != nil {
			return true
		}
	}
	return false
}

func exportedName(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// check type-checks the suggestion as generation would, and drops each
// line in error until none is: the printed mapping generates as it is.
func (s *suggestion) check(env *loaded) error {
	for range 20 {
		text := s.render()
		m, err := mapping.ParseMapping(suggestFile, []byte(text))
		if m == nil {
			return fmt.Errorf("-suggest: internal error: the suggestion does not parse: %w", err)
		}
		var errs mapping.ErrorList
		errs.AddErr(err)
		buildUnits(m.Packages, env.pkgs, env.missing, map[string]string{}, &errs)
		if len(errs) == 0 {
			return nil
		}
		dropped := false
		for _, e := range errs {
			if l := s.lineAt(e.Pos.Line); l != nil && !l.dropped {
				l.dropped, dropped = true, true
			}
		}
		if !dropped {
			return fmt.Errorf("-suggest: internal error: the suggestion does not generate:\n%w\n%s", errs, text)
		}
	}
	return errors.New("-suggest: internal error: the suggestion does not settle")
}

// suggestFile names the suggestion in the errors check reads.
const suggestFile = "suggested.yaml"

// lineAt finds the suggested line rendered at line n.
func (s *suggestion) lineAt(n int) *line {
	for _, w := range s.wrappers {
		for _, l := range w.lines() {
			if l.at == n || (l.alt != 0 && l.alt == n) {
				return l
			}
		}
	}
	return nil
}

func (w *wrapperSuggestion) lines() []*line {
	out := []*line{w.provider}
	for _, m := range w.methods {
		out = append(out, m.op)
		out = append(out, m.attrs...)
		if m.stream != nil {
			out = append(out, m.stream.head)
			out = append(out, m.stream.attrs...)
		}
	}
	return slices.DeleteFunc(out, func(l *line) bool { return l == nil })
}
