package generator

import (
	"cmp"
	"fmt"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"

	"github.com/genaitrace/genaitrace/generator/mapping"
	"golang.org/x/tools/go/packages"
)

// buildUnits builds the model of every unit from the loaded packages:
// each wrapper's target type, methods and mapping, type-checked. Every
// mistake is added to errs.
func buildUnits(specs []*mapping.PackageSpec, byPath map[string]*packages.Package, missing, dirs map[string]string, errs *mapping.ErrorList) []*unit {
	var units []*unit
	deps := newDeprecations(byPath)
	for _, s := range specs {
		p := byPath[s.Path]
		if p == nil || p.Types == nil {
			errs.Add(s.Pos, "package %s was not found", s.Path)
			continue
		}
		u := &unit{spec: s, pkg: p.Types, dir: dirs[s.Path], fset: p.Fset}
		for _, ws := range s.Wrappers {
			if w := buildWrapper(u, ws, byPath, missing, deps, errs); w != nil {
				u.wrappers = append(u.wrappers, w)
			}
		}
		u.linkRewraps()
		units = append(units, u)
	}
	return units
}

// buildWrapper resolves a wrapper's target type and methods.
func buildWrapper(u *unit, ws *mapping.WrapperSpec, pkgs map[string]*packages.Package, missing map[string]string, deps *deprecations, errs *mapping.ErrorList) *wrapper {
	fail := func(pos mapping.Pos, format string, args ...any) *wrapper {
		errs.Add(pos, "%s: "+format, append([]any{ws.Name}, args...)...)
		return nil
	}
	w := &wrapper{spec: ws, typeName: "Traced" + ws.Name, ctorName: "NewTraced" + ws.Name}
	ref := ws.Type
	if ref == "" {
		ref = ws.Name
	}
	path, name, _ := mapping.SplitTypeRef(ref)
	pos := ws.TypePos
	if ws.Type == "" {
		pos = ws.Pos
	}
	src := u.pkg
	if path != "" && path != u.pkg.Path() {
		if help, ok := missing[path]; ok {
			if ws.Preset != "" {
				// The user's module lacks the SDK: say so where the user
				// named the preset, not in genaitrace's templates/ file.
				errs.Add(ws.PresetPos, "preset %s wraps %s, which no module this one requires provides; add the SDK's module: go get %s", ws.Preset, path, cmp.Or(ws.PresetSDK, path))
				return nil
			}
			return fail(pos, "type: %s", help)
		}
		p := pkgs[path]
		if p == nil || p.Types == nil {
			return fail(pos, "package %s was not loaded; check the import path in type:", path)
		}
		src = p.Types
	}
	t, err := lookupTarget(ref, src, u.pkg, pkgs, false)
	if err != nil {
		return fail(pos, "%v", err)
	}
	iface := t.iface
	switch {
	case t.concrete:
		w.emitIface, w.concrete = iface, "*"+src.Name()+"."+name
		w.concretePkg, w.concreteName = src, name
		if clash := u.pkg.Scope().Lookup(ws.Name); clash != nil && !declaredByUs(u, clash) {
			return fail(ws.Pos, "the interface %s to emit for %s is already declared in %s; choose another key", ws.Name, ref, u.pkg.Path())
		}
	default:
		if src != u.pkg || name != ws.Name {
			w.ifacePkg, w.ifaceName = src, name
		}
		if t.named != nil && t.named.TypeParams().Len() > 0 {
			w.typeParams = t.named.TypeParams()
		} else if t.named != nil {
			w.named = t.named
		}
	}
	for _, n := range []string{w.typeName, w.ctorName} {
		if clash := u.pkg.Scope().Lookup(n); clash != nil && !declaredByUs(u, clash) {
			return fail(ws.Pos, "%s is already declared in %s (at %s); rename it, or choose another key for this wrapper", n, u.pkg.Path(), u.position(clash.Pos()))
		}
	}
	specs := map[string]*mapping.MethodSpec{}
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
		m := buildMethod(u.pkg, w, fn, specs[fn.Name()], pkgs, deps, errs)
		m.deprecated = deps.of(fn)
		w.methods = append(w.methods, m)
		switch {
		case m.deprecated != "" && w.emitIface != nil: // the emitted interface declares it
			u.usesDeprecated = true
		case m.deprecated == "" && (m.readsDeprecated || deps.namesDeprecated(m.sig)):
			u.usesDeprecated = true
		}
	}
	for _, ms := range ws.Methods {
		if !slices.Contains(names, ms.Name) {
			errs.Add(ms.Pos, "%s: no method %s%s (methods: %s)", ws.Name, ms.Name, mapping.DidYouMean(ms.Name, names), strings.Join(names, ", "))
		}
	}
	renameShadowing(w)
	return w
}

// linkRewraps finds the results that are a wrapped interface of the
// unit: a method returning the model it was called on (eino's WithTools),
// or another wrapped interface, returns it wrapped.
func (u *unit) linkRewraps() {
	for _, w := range u.wrappers {
		for _, m := range w.methods {
			for i, v := range m.results {
				if i == m.err {
					continue
				}
				for _, other := range u.wrappers {
					if other.named != nil && types.Identical(v.typ, other.named) {
						if m.rewrap == nil {
							m.rewrap = map[int]*wrapper{}
						}
						m.rewrap[i] = other
						break
					}
				}
			}
		}
	}
}

// target is what a wrapper wraps: an interface, or the exported method
// set of a concrete type.
type target struct {
	pkg      *types.Package
	name     string
	named    *types.Named
	iface    *types.Interface
	concrete bool
}

// lookupTarget finds ref's type in src: an interface, or for "*Name" the
// exported methods of a named, non-generic, non-interface type. With
// starOptional (-suggest), a non-interface named without the * is taken
// as "*Name". Its errors say what is wrong and the fix, without position.
func lookupTarget(ref string, src, out *types.Package, pkgs map[string]*packages.Package, starOptional bool) (*target, error) {
	_, name, concrete := mapping.SplitTypeRef(ref)
	found := src.Scope().Lookup(name)
	tn, _ := found.(*types.TypeName)
	switch {
	case found == nil:
		return nil, fmt.Errorf("%s has no type %s%s", src.Path(), name, typeSuggestion(name, concrete, src, out, pkgs))
	case tn == nil:
		return nil, fmt.Errorf("%s.%s is a %s, not a type; name the interface or type whose methods to wrap%s", src.Path(), name, objectKind(found), typeSuggestion(name, concrete, src, out, pkgs))
	}
	named, _ := types.Unalias(tn.Type()).(*types.Named)
	it, isIface := tn.Type().Underlying().(*types.Interface)
	if starOptional && !isIface && named != nil {
		concrete = true
	}
	t := &target{pkg: src, name: name, named: named, iface: it, concrete: concrete}
	switch {
	case !concrete && isIface:
		return t, nil
	case !concrete:
		return nil, fmt.Errorf("%s is %s, not an interface; to wrap a concrete type's methods, set type: \"*%s\"", ref, kindOf(tn.Type()), strings.TrimPrefix(ref, "*"))
	case named == nil:
		return nil, fmt.Errorf("%s is not a named type; type: \"*Name\" wraps the method set of a named type", ref)
	case isIface:
		return nil, fmt.Errorf("%s is an interface; drop the * to wrap it", ref)
	case named.TypeParams().Len() > 0:
		return nil, fmt.Errorf("%s is generic; wrapping the method set of a generic concrete type is not supported, declare an interface for it", ref)
	}
	if t.iface = exportedMethodSet(named); t.iface.NumMethods() == 0 {
		if fields := fieldsWithMethods(named); len(fields) > 0 {
			// google.golang.org/genai's Client: its services are fields.
			return nil, fmt.Errorf("%s has no exported methods, on %s or *%s, to wrap; its fields do: %s; wrap one of their types, such as type: \"%s\"", name, name, name, strings.Join(fields, ", "), fieldTypeRef(named, fields[0]))
		}
		return nil, fmt.Errorf("%s has no exported methods, on %s or *%s, to wrap; name an interface, or a type with methods", name, name, name)
	}
	return t, nil
}

// fieldsWithMethods lists a struct's exported fields whose types have
// exported methods, as "Name (*Type)".
func fieldsWithMethods(named *types.Named) []string {
	s, ok := named.Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	var out []string
	for i := range s.NumFields() {
		f := s.Field(i)
		fn, ok := types.Unalias(deref(f.Type())).(*types.Named)
		if !f.Exported() || !ok {
			continue
		}
		if _, isIface := fn.Underlying().(*types.Interface); !isIface && exportedMethodSet(fn).NumMethods() > 0 {
			out = append(out, f.Name()+" ("+typeName(f.Type())+")")
		}
	}
	return out
}

// fieldTypeRef is type: for the first field fieldsWithMethods lists.
func fieldTypeRef(named *types.Named, field string) string {
	name, _, _ := strings.Cut(field, " ")
	s := named.Underlying().(*types.Struct)
	for i := range s.NumFields() {
		if f := s.Field(i); f.Name() == name {
			fn := types.Unalias(deref(f.Type())).(*types.Named)
			return "*" + fn.Obj().Pkg().Path() + "." + fn.Obj().Name()
		}
	}
	return ""
}

func objectKind(o types.Object) string {
	switch o.(type) {
	case *types.Func:
		return "func"
	case *types.Const:
		return "const"
	}
	return "var"
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

// declaredByUs reports whether obj is declared in a file the generator
// wrote, which the new output replaces.
func declaredByUs(u *unit, obj types.Object) bool {
	if u.fset == nil || !obj.Pos().IsValid() {
		return false
	}
	ours, _ := isOurs(u.fset.Position(obj.Pos()).Filename)
	return ours
}

// position is where a declaration of the output package is, as
// file:line:col, the file relative to the working directory when under it.
func (u *unit) position(p token.Pos) string {
	if u.fset == nil || !p.IsValid() {
		return "unknown position"
	}
	pos := u.fset.Position(p)
	pos.Filename = displayPath(pos.Filename)
	return pos.String()
}

// typeSuggestion helps with a type: that names nothing: the package's
// closest type of the kind asked for (an interface, or a type with
// methods for "*Name"), else the same name in another package loaded, else
// the package's types of that kind.
func typeSuggestion(name string, concrete bool, src, out *types.Package, pkgs map[string]*packages.Package) string {
	kinds := wrappable(src, concrete)
	if best := closest(name, kinds); best != "" {
		return fmt.Sprintf("; did you mean %s?", best)
	}
	var elsewhere []string
	for _, p := range append([]*types.Package{out}, loadedTypes(pkgs)...) {
		if p != src && slices.Contains(wrappable(p, concrete), name) {
			elsewhere = append(elsewhere, p.Path()+"."+name)
		}
	}
	if len(elsewhere) > 0 {
		slices.Sort(elsewhere)
		return fmt.Sprintf("; did you mean %s?", strings.Join(slices.Compact(elsewhere), " or "))
	}
	what := "interfaces"
	if concrete {
		what = "types with exported methods"
	}
	if len(kinds) == 0 {
		return fmt.Sprintf("; it declares no %s", what)
	}
	if len(kinds) > 12 {
		kinds = append(kinds[:12:12], "...")
	}
	return fmt.Sprintf(" (its %s: %s)", what, strings.Join(kinds, ", "))
}

// wrappable lists a package's exported interfaces, or its exported named
// types with exported methods, sorted.
func wrappable(p *types.Package, concrete bool) []string {
	var out []string
	for _, n := range p.Scope().Names() {
		tn, ok := p.Scope().Lookup(n).(*types.TypeName)
		if !ok || !tn.Exported() {
			continue
		}
		_, isIface := tn.Type().Underlying().(*types.Interface)
		named, _ := types.Unalias(tn.Type()).(*types.Named)
		switch {
		case !concrete && isIface:
			out = append(out, n)
		case concrete && !isIface && named != nil && exportedMethodSet(named).NumMethods() > 0:
			out = append(out, n)
		}
	}
	return out
}

// closest is the known name nearest to got: within an edit distance of a
// third of its length (at least 2), or one being a prefix of the other
// (Chatter for Chat); "" when none is.
func closest(got string, known []string) string {
	best, bestD := "", max(2, len(got)/3)+1
	for _, k := range known {
		d := mapping.EditDistance(strings.ToLower(got), strings.ToLower(k))
		if lg, lk := strings.ToLower(got), strings.ToLower(k); strings.HasPrefix(lg, lk) || strings.HasPrefix(lk, lg) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func loadedTypes(pkgs map[string]*packages.Package) []*types.Package {
	var out []*types.Package
	for _, path := range slices.Sorted(maps.Keys(pkgs)) {
		if t := pkgs[path].Types; t != nil {
			out = append(out, t)
		}
	}
	return out
}
