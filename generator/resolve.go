package generator

import (
	"fmt"
	"go/types"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/genaitrace/genaitrace/generator/mapping"
	"go.opentelemetry.io/otel/attribute"
	"golang.org/x/tools/go/packages"
)

// resolver type-checks one wrapper's mapping against go/types, collecting
// every error.
type resolver struct {
	out   *types.Package // the output package
	where string         // "Client.Complete", for messages
	errs  *mapping.ErrorList
	pkgs  map[string]*packages.Package // the load, for the functions and types a mapping names
	// options is the SDK's getter of struct options the mapping names
	// (options:), and where.
	options    string
	optionsPos mapping.Pos
	// deprecatedUse is set when a path reads something deps says is
	// deprecated.
	deps          *deprecations
	deprecatedUse *bool
}

func (r *resolver) errorf(pos mapping.Pos, format string, args ...any) {
	r.errs.Add(pos, "%s: "+format, append([]any{r.where}, args...)...)
}

// buildMethod resolves one interface method and its mapping.
func buildMethod(out *types.Package, w *wrapper, fn *types.Func, spec *mapping.MethodSpec, pkgs map[string]*packages.Package, deps *deprecations, errs *mapping.ErrorList) *method {
	sig := fn.Type().(*types.Signature)
	m := &method{name: fn.Name(), sig: sig, ctx: -1, err: -1}
	r := &resolver{out: out, where: w.spec.Name + "." + fn.Name(), errs: errs, pkgs: pkgs, deps: deps, deprecatedUse: &m.readsDeprecated}
	m.params = variables(sig.Params(), "arg", sig.Variadic())
	m.results = variables(sig.Results(), "result", false)
	for i, p := range m.params {
		if m.ctx < 0 && isContext(p.typ) {
			m.ctx = i
		}
	}
	if n := len(m.results); n > 0 && isError(m.results[n-1].typ) {
		m.err = n - 1
		m.errType = errorTypeName(m.results[n-1].typ, out)
		m.results[n-1].mapName = "err"
		if nonErr := n - 1; nonErr == 1 && m.results[0].mapName == "result0" {
			m.results[0].mapName = "result"
		}
	}
	if len(m.results) == 1 && m.err < 0 && m.results[0].mapName == "result0" {
		m.results[0].mapName = "result"
	}

	d := &w.spec.Defaults
	pick := func(own, def *mapping.Value) *mapping.Value {
		if own != nil {
			return own
		}
		return def
	}
	var own mapping.MethodSpec
	if spec != nil {
		own = *spec
	}
	m.skip = own.Skip
	m.op = valueText(pick(own.Operation, d.Operation), "span")
	m.provider = valueText(pick(own.Provider, d.Provider), "")
	m.kind = valueText(pick(own.Kind, d.Kind), mapping.Operations[m.op].Kind)
	m.spanName = valueText(pick(own.SpanName, d.SpanName), "")
	if m.skip {
		return m
	}
	r.options, r.optionsPos = own.Options, own.OptionsPos
	if r.options == "" {
		r.options, r.optionsPos = d.Options, d.OptionsPos
	}
	if own.Stream != nil {
		m.stream = r.resolveStream(m, w, own.Stream)
	}
	et := own.ErrorType
	if et == nil {
		et = d.ErrorType
	}
	// A wrapper-level error_when applies where its root exists.
	if ew := pick(own.ErrorWhen, d.ErrorWhen); ew != nil && (own.ErrorWhen != nil || m.lookup(ew.Path.Root) != nil) {
		r.resolveErrorWhen(m, ew, et)
	}
	for _, key := range mapping.FieldOrder {
		v, f := own.Fields[key], mapping.Fields[key]
		if v == nil {
			v = d.Fields[key]
			// An interface-level path applies where its root exists.
			if v == nil || (!v.Const && m.lookup(v.Path.Root) == nil) {
				continue
			}
		}
		a := r.resolveAttr(m, v, f)
		if a == nil {
			continue
		}
		if a.root != nil && a.root.isResult(m) {
			m.after = append(m.after, a)
		} else {
			m.before = append(m.before, a)
		}
		if key == mapping.Operations[m.op].NameFrom {
			m.nameFrom = a
		}
	}
	unmapped := !spec.Says() && len(m.before)+len(m.after) == 0 && m.stream == nil && m.failWhen == nil
	switch {
	case unmapped && (m.ctx < 0 || w.spec.Unmapped == "skip"):
		// Nothing of the mapping applies to this method and it has no
		// entry of its own. Without a context its span would start a
		// trace of its own (eino's WithTools, an ID() getter, a Wait()
		// lasting the session): it is called straight through, as every
		// such method is with unmapped: skip.
		m.skip = true
		return m
	case unmapped && isModelCall(m.op):
		// Close, Ping: a plain span, not a model call of the wrapper's
		// operation. A method taking a context keeps a non-model
		// operation (a store's Get is a retrieval whether or not anything
		// is recorded).
		m.op, m.provider, m.nameFrom = "span", "", nil
		m.kind = valueText(d.Kind, mapping.Operations["span"].Kind)
	}
	if m.stream == nil {
		// An iterator's work happens as it is ranged over: the span
		// covers the iteration, as a stream's.
		for i, v := range m.results {
			if sig, ok := v.typ.Underlying().(*types.Signature); ok && i != m.err {
				if _, ok := yieldFunc(sig); ok {
					m.stream = r.resolveStream(m, w, &mapping.StreamSpec{Pos: w.spec.Pos, Result: v.mapName})
					break
				}
			}
		}
	}
	if pv := pick(own.Propagate, d.Propagate); pv != nil && (own.Propagate != nil || m.lookup(pv.Path.Root) != nil) {
		m.propagate = r.resolvePropagate(m, pv)
	}
	// error_type reads the error the call returns and those its stream
	// reports (a stream of its own, as anthropic-sdk-go's NewStreaming,
	// whose method returns no error).
	if et != nil && (m.err >= 0 || m.stream != nil) {
		rr := *r
		if own.ErrorType == nil {
			rr.where = w.spec.Name // the wrapper's mistakes, reported once
		}
		rr.resolveErrorType(m, et)
	}
	return m
}

func valueText(v *mapping.Value, def string) string {
	if v == nil {
		return def
	}
	return v.Text
}

func (v *variable) isResult(m *method) bool { return slices.Contains(m.results, v) }

// variables names a tuple's members for the mapping: their Go names, or
// prefix0, prefix1, ... when unnamed or blank.
func variables(t *types.Tuple, prefix string, variadic bool) []*variable {
	out := make([]*variable, t.Len())
	for i := range out {
		v := t.At(i)
		mapName := v.Name()
		if mapName == "" || mapName == "_" {
			mapName = prefix + strconv.Itoa(i)
		}
		out[i] = &variable{mapName: mapName, typ: v.Type(), variadic: variadic && i == t.Len()-1}
	}
	return out
}

func (m *method) lookup(name string) *variable {
	for _, v := range m.params {
		if v.mapName == name {
			return v
		}
	}
	for _, v := range m.results {
		if v.mapName == name {
			return v
		}
	}
	// result always names the single non-error result, named or not, so a
	// mapping survives an SDK renaming its results.
	if name == "result" {
		var only *variable
		for i, v := range m.results {
			if i == m.err {
				continue
			}
			if only != nil {
				return nil
			}
			only = v
		}
		return only
	}
	return nil
}

func (m *method) names() string {
	var ps, rs []string
	for _, v := range m.params {
		ps = append(ps, v.mapName)
	}
	for _, v := range m.results {
		rs = append(rs, v.mapName)
	}
	return fmt.Sprintf("parameters: %s; results: %s", orNone(ps), orNone(rs))
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// errorTypeName is the error.type fallback for a statically typed error:
// the type's name when it is more precise than error.
func errorTypeName(t types.Type, out *types.Package) string {
	t = types.Unalias(t)
	if t == types.Universe.Lookup("error").Type() {
		return ""
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		if pkg := n.Obj().Pkg(); pkg != nil {
			return pkg.Name() + "." + n.Obj().Name()
		}
	}
	return ""
}

// resolveAttr resolves one field's value.
func (r *resolver) resolveAttr(m *method, v *mapping.Value, f mapping.Field) *attr {
	a := &attr{field: f, value: v, each: -1}
	if v.Const {
		if f.Type != mapping.TypeString && f.Type != mapping.TypeMessages && f.Type != mapping.TypeText {
			if _, err := strconv.ParseFloat(v.Text, 64); err != nil && f.Type != mapping.TypeBool {
				r.errorf(v.Pos, "%s: const %q is not a number", f.Key, v.Text)
				return nil
			}
		}
		a.konst = v.Text
		return a
	}
	if len(v.Sum) > 0 {
		return r.resolveSum(m, a, v, f)
	}
	if len(v.First) > 0 {
		return r.resolveFirst(m, a, v, f)
	}
	a.root = m.lookup(v.Path.Root)
	if v.Path.RootCall {
		r.errorf(v.Pos, "%s: %s is a parameter or result, not a method; drop the ()", v.Text, v.Path.Root)
		return nil
	}
	if a.root == nil {
		r.errorf(v.Pos, "%s: no parameter or result named %s (%s)", v.Text, v.Path.Root, m.names())
		return nil
	}
	leaf, ok := r.walk(v, v.Path, a.root.typ, &a.chain)
	if !ok {
		return nil
	}
	a.each = v.Path.EachIndex()
	if a.each >= 0 {
		a.each = eachHop(a.chain)
	}
	if v.Path.Len {
		t, guard := derefGuard(leaf)
		if guard {
			a.chain = append(a.chain, hop{kind: hopDeref, guard: guardNil})
		}
		switch u := t.Underlying().(type) {
		case *types.Slice, *types.Array, *types.Map, *types.Chan:
		case *types.Basic:
			if u.Info()&types.IsString == 0 {
				r.errorf(v.Pos, "%s: len of %s; want a slice, array, map or string", v.Text, typeName(t))
				return nil
			}
		default:
			r.errorf(v.Pos, "%s: len of %s; want a slice, array, map or string", v.Text, typeName(t))
			return nil
		}
		a.length = true
		leaf = types.Typ[types.Int]
	}
	if v.When != nil {
		if a.when = r.resolveWhen(m, v.When); a.when == nil {
			return nil
		}
	}
	if f.Type == mapping.TypeMessages {
		return r.resolveMessages(m, a, leaf)
	}
	if v.JSON { // text content read as the JSON its value marshals to
		return r.resolveJSONValue(a, leaf, "the whole value")
	}
	a.leaf = leaf
	return r.convert(a, f, v)
}

// resolveSum resolves each part of a summed value; all parts must be read
// on the same side of the call (all parameters, or all results).
func (r *resolver) resolveFirst(m *method, a *attr, v *mapping.Value, f mapping.Field) *attr {
	for _, alt := range v.First {
		aa := r.resolveAttr(m, alt, f)
		if aa == nil {
			return nil
		}
		if aa.each >= 0 {
			r.errorf(alt.Pos, "%s: first: wants single values, not [*]", alt.Text)
			return nil
		}
		a.first = append(a.first, aa)
	}
	a.root = a.first[0].root
	for _, aa := range a.first[1:] {
		if aa.root != nil && a.root != nil && aa.root.isResult(m) != a.root.isResult(m) {
			r.errorf(v.Pos, "%s: the alternatives mix parameters and results", v.Text)
			return nil
		}
	}
	return a
}

func (r *resolver) resolveSum(m *method, a *attr, v *mapping.Value, f mapping.Field) *attr {
	for _, part := range v.Sum {
		pa := r.resolveAttr(m, part, f)
		if pa == nil {
			return nil
		}
		if pa.each >= 0 {
			r.errorf(part.Pos, "%s: [*] cannot be summed", part.Text)
			return nil
		}
		a.sum = append(a.sum, pa)
	}
	a.root = a.sum[0].root
	for _, pa := range a.sum[1:] {
		if pa.root != nil && a.root != nil && pa.root.isResult(m) != a.root.isResult(m) {
			r.errorf(v.Pos, "%s: the parts mix parameters and results", v.Text)
			return nil
		}
	}
	return a
}

// resolveWhen resolves a when: path, which must end at a bool.
func (r *resolver) resolveWhen(m *method, v *mapping.Value) *attr {
	return r.resolveBool(m, v, "when", "p.Temperature.Valid()")
}

// resolveBool resolves a bool path for key (when, error_when).
func (r *resolver) resolveBool(m *method, v *mapping.Value, key, example string) *attr {
	w := &attr{field: mapping.Field{Key: key, Type: mapping.TypeBool}, value: v, each: -1, root: m.lookup(v.Path.Root)}
	if w.root == nil {
		r.errorf(v.Pos, "%s: no parameter or result named %s (%s)", v.Text, v.Path.Root, m.names())
		return nil
	}
	leaf, ok := r.walk(v, v.Path, w.root.typ, &w.chain)
	if !ok {
		return nil
	}
	if t, ptr := derefGuard(leaf); ptr {
		w.chain = append(w.chain, hop{kind: hopDeref, guard: guardNil})
		leaf = t
	}
	if b, ok := types.Unalias(leaf).Underlying().(*types.Basic); !ok || b.Info()&types.IsBoolean == 0 || v.Path.Len || eachHop(w.chain) >= 0 {
		r.errorf(v.Pos, "%s: %s: type %s is not a bool; want a path such as %s", v.Text, key, typeName(leaf), example)
		return nil
	}
	w.leaf = leaf
	return w
}

// resolveErrorWhen resolves error_when: a bool path into the results (the
// call's own report of a failure).
func (r *resolver) resolveErrorWhen(m *method, v *mapping.Value, typ *mapping.ErrorTypeSpec) {
	root := m.lookup(v.Path.Root)
	if root != nil && !root.isResult(m) {
		r.errorf(v.Pos, "%s: error_when: reads the results (result.IsError); %s is a parameter", v.Text, v.Path.Root)
		return
	}
	if m.stream != nil {
		r.errorf(v.Pos, "%s: error_when: a streaming method's span ends with its stream; mark failed chunks with stream: chunk_error: instead", v.Text)
		return
	}
	w := r.resolveBool(m, v, "error_when", "result.IsError")
	if w == nil {
		return
	}
	m.failWhen = w
	m.failType = map[bool]string{true: "tool_error", false: "_OTHER"}[m.op == "execute_tool"]
	if typ != nil && typ.Const != "" {
		m.failType = typ.Const
	}
}

// resolveErrorType resolves error_type for a method returning an error:
// each alternative's type (errors.As's target: as:, else the error
// result's own type) and its path to a string or an integer.
func (r *resolver) resolveErrorType(m *method, et *mapping.ErrorTypeSpec) {
	m.errConst = et.Const
	for _, alt := range et.Alts {
		if alt.Is != "" {
			v, problem := r.lookupSentinel(alt.Is)
			if problem != "" {
				r.errorf(alt.IsPos, "error_type: is: %s", problem)
				continue
			}
			m.errAlts = append(m.errAlts, &errAlt{sentinel: v, constant: alt.Const})
			continue
		}
		target, pos := types.Universe.Lookup("error").Type(), alt.AsPos
		if alt.Path != nil {
			pos = alt.Path.Pos
		}
		if m.err >= 0 {
			target = m.results[m.err].typ
		}
		if alt.As != "" {
			t, problem := r.lookupType(alt.As)
			if problem != "" {
				r.errorf(alt.AsPos, "error_type: as: %s", problem)
				continue
			}
			target, pos = t, alt.AsPos
		} else if types.Identical(target, types.Universe.Lookup("error").Type()) {
			r.errorf(pos, "error_type: %s: err is an error, whose fields are its type's; name the SDK's error type: {as: \"*pkg.APIError\", path: %s}", alt.Path.Text, alt.Path.Text)
			continue
		}
		if !types.Implements(target, errorIface) {
			r.errorf(pos, "error_type: as: %s is not an error; errors.As needs the SDK's error type (with a *, when its Error method has a pointer receiver)", typeName(target))
			continue
		}
		if alt.Path == nil {
			m.errAlts = append(m.errAlts, &errAlt{target: target, constant: alt.Const})
			continue
		}
		scope := &method{params: []*variable{{mapName: "err", typ: target}}, ctx: -1, err: -1}
		if a := r.resolveAttr(scope, alt.Path, mapping.Field{Key: "error_type", Name: "error.type", Type: mapping.TypeString}); a != nil {
			m.errAlts = append(m.errAlts, &errAlt{target: target, attr: a})
		}
	}
	if len(m.errAlts) > 0 {
		m.errSpec = et
	}
}

// resolvePropagate checks propagate:, the path of a request's metadata:
// a parameter (a struct, or a pointer to one), then fields of structs held
// by value, to a map of string keys and string or any values.
func (r *resolver) resolvePropagate(m *method, v *mapping.Value) *propagation {
	root := m.lookup(v.Path.Root)
	switch {
	case root == nil || root.isResult(m):
		r.errorf(v.Pos, "propagate: %s: want a path into a parameter, the request, such as params.Meta (%s)", v.Text, m.names())
		return nil
	case m.ctx < 0:
		r.errorf(v.Pos, "propagate: %s takes no context.Context, so its call has no trace context to carry", m.name)
		return nil
	case len(v.Path.Steps) == 0 || v.Path.Len:
		r.errorf(v.Pos, "propagate: %s: want the path of the request's metadata map, such as params.Meta", v.Text)
		return nil
	}
	p := &propagation{root: root, structT: root.typ}
	if ptr, ok := types.Unalias(root.typ).Underlying().(*types.Pointer); ok {
		p.ptr, p.structT = true, ptr.Elem()
	}
	var chain []hop
	leaf, ok := r.walk(v, v.Path, root.typ, &chain)
	if !ok {
		return nil
	}
	for i, h := range chain {
		if h.kind != hopField || (i > 0 && h.guard != guardNone) {
			r.errorf(v.Pos, "propagate: %s: want fields held by value down to the map (the request is copied, not what it points to)", v.Text)
			return nil
		}
		p.fields = append(p.fields, h.name)
	}
	mp, isMap := types.Unalias(leaf).Underlying().(*types.Map)
	var elemOK bool
	if isMap && types.Identical(mp.Key(), types.Typ[types.String]) {
		iface, isIface := types.Unalias(mp.Elem()).Underlying().(*types.Interface)
		p.strings = types.Identical(mp.Elem(), types.Typ[types.String])
		elemOK = (isIface && iface.Empty()) || p.strings
	}
	if !elemOK {
		r.errorf(v.Pos, "propagate: %s is %s; want a map[string]any or map[string]string the server reads the trace context from (MCP's params.Meta)", v.Text, typeName(leaf))
		return nil
	}
	return p
}

// lookupSentinel finds "import/path.ErrName", an SDK's exported error
// variable, among the loaded packages, or says what is wrong.
func (r *resolver) lookupSentinel(ref string) (*types.Var, string) {
	path, name, _ := mapping.SplitTypeRef(ref)
	pkg := r.findPackage(path)
	if pkg == nil {
		return nil, fmt.Sprintf("package %s was not loaded; check the import path of %s", path, ref)
	}
	switch obj := pkg.Scope().Lookup(name).(type) {
	case *types.Var:
		if !obj.Exported() {
			return nil, fmt.Sprintf("%s is not exported, so the generated code cannot name it", ref)
		}
		if !types.Implements(obj.Type(), errorIface) {
			return nil, fmt.Sprintf("%s is %s, not an error; errors.Is compares the error with the SDK's sentinel error", ref, typeName(obj.Type()))
		}
		return obj, ""
	case *types.TypeName:
		return nil, fmt.Sprintf("%s is a type, and errors.Is compares with a value (a sentinel error such as io.EOF); for an error type, write {as: %q, const: ...}", ref, ref)
	case nil:
		var names []string
		for _, n := range pkg.Scope().Names() {
			if v, ok := pkg.Scope().Lookup(n).(*types.Var); ok && v.Exported() && types.Implements(v.Type(), errorIface) {
				names = append(names, n)
			}
		}
		return nil, fmt.Sprintf("%s has no error variable %s%s", path, name, mapping.DidYouMean(name, names))
	default:
		return nil, fmt.Sprintf("%s is not a variable; errors.Is compares the error with the SDK's sentinel error variable", ref)
	}
}

// lookupType finds "*import/path.Name" (or without the *) among the
// loaded packages, or says what is wrong.
func (r *resolver) lookupType(ref string) (types.Type, string) {
	path, name, star := mapping.SplitTypeRef(ref)
	pkg := r.findPackage(path)
	if pkg == nil {
		return nil, fmt.Sprintf("package %s was not loaded; check the import path of %s", path, ref)
	}
	tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
	if !ok {
		var names []string
		for _, n := range pkg.Scope().Names() {
			if tn, ok := pkg.Scope().Lookup(n).(*types.TypeName); ok && tn.Exported() {
				names = append(names, n)
			}
		}
		return nil, fmt.Sprintf("%s has no type %s%s", path, name, mapping.DidYouMean(name, names))
	}
	if star {
		return types.NewPointer(tn.Type()), ""
	}
	return tn.Type(), ""
}

func eachHop(chain []hop) int {
	for i, h := range chain {
		if h.kind == hopEach {
			return i
		}
	}
	return -1
}

// convert picks how the leaf becomes the attribute's value, dereferencing
// a pointer leaf (guarded) first.
func (r *resolver) convert(a *attr, f mapping.Field, v *mapping.Value) *attr {
	t, ptr := derefGuard(a.leaf)
	if ptr && f.Type != mapping.TypeStrings {
		a.chain = append(a.chain, hop{kind: hopDeref, guard: guardNil})
		a.leaf = t
	}
	b, _ := types.Unalias(a.leaf).Underlying().(*types.Basic)
	is := func(info types.BasicInfo) bool { return b != nil && b.Info()&info != 0 }
	if iface, ok := types.Unalias(a.leaf).Underlying().(*types.Interface); ok && iface.Empty() && f.Type != mapping.TypeStrings {
		a.conv = convAny // a value in map[string]any: its dynamic type decides
		return a
	}
	switch f.Type {
	case mapping.TypeString, mapping.TypeText:
		switch {
		case f.Key == "error_type" && is(types.IsInteger):
			a.conv = convItoa // an HTTP status code
		case is(types.IsString):
			a.conv = convString
		case f.Type == mapping.TypeText && isByteSlice(a.leaf):
			a.conv = convBytes
		case hasStringMethod(a.leaf):
			a.conv = convStringer
		}
	case mapping.TypeInt:
		if is(types.IsInteger) {
			a.conv = convInt
		}
	case mapping.TypeFloat:
		if is(types.IsFloat | types.IsInteger) {
			a.conv = convFloat
		}
	case mapping.TypeBool:
		if is(types.IsBoolean) {
			a.conv = convBool
		}
	case mapping.TypeStrings:
		a.conv = r.stringsConversion(a)
	}
	if a.conv == convNone {
		hint := want(f.Type)
		if f.Key == "error_type" {
			hint = "want a string, an integer (an HTTP status), or a type with a String() string method"
		}
		r.errorf(v.Pos, "%s: type %s cannot be recorded as %s (%s) by %s; %s", v.Text, typeName(a.leaf), f.Name, f.Type, f.Key, hint)
		return nil
	}
	return a
}

func want(t mapping.AttrType) string {
	switch t {
	case mapping.TypeString:
		return "want a string, or a type with a String() string method"
	case mapping.TypeText:
		return "want a string, a []byte, or a type with a String() string method"
	case mapping.TypeInt:
		return "want an integer"
	case mapping.TypeFloat:
		return "want a number"
	case mapping.TypeBool:
		return "want a bool"
	case mapping.TypeStrings:
		return "want a string, a []string, or a path with [*] ending at a string"
	}
	return ""
}

func (r *resolver) stringsConversion(a *attr) conversion {
	if a.each >= 0 {
		if isStringKind(a.leaf) {
			return convString // each element converted
		}
		return convNone
	}
	if isStringKind(a.leaf) {
		return convOneString
	}
	if s, ok := types.Unalias(a.leaf).Underlying().(*types.Slice); ok && isStringKind(s.Elem()) {
		if types.Identical(a.leaf, types.NewSlice(types.Typ[types.String])) {
			return convStrings
		}
		return convStringsEl
	}
	return convNone
}

// optionsGetter finds, for a variadic parameter of struct options ([]E,
// E a named struct whose fields are not the caller's to read: eino's
// model.Option), the SDK's function that reads them,
// func([base *T, ...,] opts ...E) *T: the one options: names, else the
// only one E's package declares. It returns it with its result type, or
// nil when there is none; a mistake in options: is reported there.
func (r *resolver) optionsGetter(v *mapping.Value, t types.Type) (*types.Func, types.Type) {
	s, ok := types.Unalias(t).Underlying().(*types.Slice)
	if !ok {
		return nil, nil
	}
	elem := s.Elem()
	if r.options != "" {
		path, name, _ := mapping.SplitTypeRef(r.options)
		pkg := r.findPackage(path)
		if pkg == nil {
			r.errs.Add(r.optionsPos, "%s: options: package %s was not loaded; check the import path of %s", r.where, path, r.options)
			return nil, nil
		}
		fn, ok := pkg.Scope().Lookup(name).(*types.Func)
		if !ok {
			r.errs.Add(r.optionsPos, "%s: options: %s has no func %s%s", r.where, path, name, mapping.DidYouMean(name, funcNames(pkg)))
			return nil, nil
		}
		res := getterResult(fn, elem)
		if res == nil {
			r.errs.Add(r.optionsPos, "%s: options: %s.%s is not a getter of %s options; want func(base *T, opts ...%s) *T (leading arguments passed nil)", r.where, pkg.Name(), name, typeName(elem), typeName(elem))
			return nil, nil
		}
		return fn, res
	}
	return soleOptionsGetter(elem)
}

// soleOptionsGetter is the getter of elem options its package declares,
// when it declares exactly one.
func soleOptionsGetter(elem types.Type) (*types.Func, types.Type) {
	named, ok := types.Unalias(elem).(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return nil, nil
	}
	if _, isStruct := named.Underlying().(*types.Struct); !isStruct {
		return nil, nil
	}
	var found *types.Func
	var res types.Type
	scope := named.Obj().Pkg().Scope()
	for _, name := range scope.Names() {
		if fn, ok := scope.Lookup(name).(*types.Func); ok && fn.Exported() {
			if t := getterResult(fn, elem); t != nil {
				if found != nil {
					return nil, nil // more than one: options: must say which
				}
				found, res = fn, t
			}
		}
	}
	return found, res
}

// getterResult is what fn returns when it is a getter of elem options:
// non-generic, func(nilable..., opts ...elem) with one struct (or pointer
// to struct) result; else nil.
func getterResult(fn *types.Func, elem types.Type) types.Type {
	sig := fn.Type().(*types.Signature)
	if sig.TypeParams().Len() > 0 || !sig.Variadic() || sig.Results().Len() != 1 {
		return nil
	}
	ps := sig.Params()
	if last, ok := ps.At(ps.Len() - 1).Type().(*types.Slice); !ok || !types.Identical(last.Elem(), elem) {
		return nil
	}
	for i := range ps.Len() - 1 {
		if !nilable(ps.At(i).Type()) {
			return nil
		}
	}
	res := sig.Results().At(0).Type()
	if _, ok := types.Unalias(deref(res)).Underlying().(*types.Struct); !ok {
		return nil
	}
	return res
}

// mapKey resolves ["key"] on a map with string keys, through one pointer.
func (r *resolver) mapKey(v *mapping.Value, done string, st mapping.Step, t types.Type, chain *[]hop) (types.Type, bool) {
	base := t
	if p, ok := types.Unalias(t).Underlying().(*types.Pointer); ok {
		base = p.Elem()
		*chain = append(*chain, hop{kind: hopDeref, guard: guardNil})
	}
	m, ok := types.Unalias(base).Underlying().(*types.Map)
	if !ok || !isStringKind(m.Key()) {
		r.errorf(v.At(st), "%s: %s is %s, not a map with string keys; %s cannot be looked up", v.Text, done, typeName(base), st)
		return nil, false
	}
	*chain = append(*chain, hop{kind: hopKey, name: st.Name})
	return m.Elem(), true
}

func (r *resolver) walk(v *mapping.Value, p mapping.Path, t types.Type, chain *[]hop) (types.Type, bool) {
	done := p.Root
	if len(p.Steps) > 0 && (p.Steps[0].Kind == mapping.StepField || p.Steps[0].Kind == mapping.StepMethod) {
		if target, ok := optionsTarget(t); ok {
			// Functional options: read what they set on their target.
			*chain = append(*chain, hop{kind: hopApply, name: p.Root, target: target})
			t = target
		} else if getter, target := r.optionsGetter(v, t); getter != nil {
			// Struct options: read what the SDK's getter makes of them.
			*chain = append(*chain, hop{kind: hopApply, name: p.Root, target: target, getter: getter})
			t = target
		}
	}
	for _, st := range p.Steps {
		var ok bool
		t, ok = r.step(v, done, st, t, chain)
		if !ok {
			return nil, false
		}
		done += st.String()
	}
	return t, true
}

func (r *resolver) step(v *mapping.Value, done string, st mapping.Step, t types.Type, chain *[]hop) (types.Type, bool) {
	switch st.Kind {
	case mapping.StepField, mapping.StepMethod:
		return r.selector(v, done, st, t, chain)
	case mapping.StepKey:
		return r.mapKey(v, done, st, t, chain)
	}
	// [N] and [*]: through one pointer to a slice or array.
	guard := guardNone
	base := t
	if p, ok := types.Unalias(t).Underlying().(*types.Pointer); ok {
		base = p.Elem()
		*chain = append(*chain, hop{kind: hopDeref, guard: guardNil})
	}
	var elem types.Type
	switch u := types.Unalias(base).Underlying().(type) {
	case *types.Slice:
		elem, guard = u.Elem(), guardLen
	case *types.Array:
		elem = u.Elem()
		if st.Kind == mapping.StepIndex && int64(st.Index) >= u.Len() {
			r.errorf(v.At(st), "%s: index %d out of range for %s of length %d", v.Text, st.Index, typeName(base), u.Len())
			return nil, false
		}
	default:
		r.errorf(v.At(st), "%s: %s is %s, not a slice or array; %s cannot be indexed", v.Text, done, typeName(base), st)
		return nil, false
	}
	if st.Kind == mapping.StepEach {
		*chain = append(*chain, hop{kind: hopEach})
	} else {
		*chain = append(*chain, hop{kind: hopIndex, idx: st.Index, guard: guard})
	}
	return elem, true
}

// selector resolves .Field or .Method(): through pointers and embedded
// structs, expanding promoted fields so every pointer on the way is
// guarded.
func (r *resolver) selector(v *mapping.Value, done string, st mapping.Step, t types.Type, chain *[]hop) (types.Type, bool) {
	obj, index, _ := types.LookupFieldOrMethod(t, true, r.out, st.Name)
	if obj != nil && r.deprecatedUse != nil && r.deps.of(obj) != "" {
		*r.deprecatedUse = true
	}
	if obj == nil {
		if obj2, _, _ := types.LookupFieldOrMethod(t, true, nil, st.Name); obj2 == nil {
			r.errorf(v.At(st), "%s: type %s has no %s %s (%s)", v.Text, typeName(deref(t)), kindWord(st), st.Name, members(t, st.Kind))
			return nil, false
		}
		r.errorf(v.At(st), "%s: %s of type %s is unexported; the wrapper's package cannot read it", v.Text, st.Name, typeName(deref(t)))
		return nil, false
	}
	switch o := obj.(type) {
	case *types.Var:
		if st.Kind == mapping.StepMethod {
			r.errorf(v.At(st), "%s: %s is a field of %s, not a method; drop the ()", v.Text, st.Name, typeName(deref(t)))
			return nil, false
		}
		// Walk the embedded fields the selector goes through.
		cur := t
		for _, i := range index {
			guard := guardNone
			if _, ok := types.Unalias(cur).Underlying().(*types.Pointer); ok {
				guard = guardNil
				cur = cur.Underlying().(*types.Pointer).Elem()
			}
			st := types.Unalias(cur).Underlying().(*types.Struct)
			fv := st.Field(i)
			*chain = append(*chain, hop{kind: hopField, name: fv.Name(), guard: guard, omitEmpty: omitsEmpty(st.Tag(i))})
			cur = fv.Type()
		}
		return o.Type(), true
	case *types.Func:
		if st.Kind == mapping.StepField {
			r.errorf(v.At(st), "%s: %s is a method of %s; call it: %s()", v.Text, st.Name, typeName(deref(t)), st.Name)
			return nil, false
		}
		sig := o.Type().(*types.Signature)
		if sig.Params().Len() != 0 || sig.Results().Len() != 1 {
			r.errorf(v.At(st), "%s: method %s of %s takes %d argument(s) and returns %d value(s); want a method with no arguments and one result", v.Text, st.Name, typeName(deref(t)), sig.Params().Len(), sig.Results().Len())
			return nil, false
		}
		guard := guardNone
		switch types.Unalias(t).Underlying().(type) {
		case *types.Pointer, *types.Interface:
			guard = guardNil
		}
		*chain = append(*chain, hop{kind: hopMethod, name: st.Name, guard: guard})
		return sig.Results().At(0).Type(), true
	}
	return nil, false
}

// omitsEmpty reports a struct tag whose json key is omitempty or
// omitzero: the field's zero is not sent.
func omitsEmpty(tag string) bool {
	_, opts, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" || o == "omitzero" {
			return true
		}
	}
	return false
}

func kindWord(st mapping.Step) string {
	if st.Kind == mapping.StepMethod {
		return "method"
	}
	return "field"
}

// members lists what a type offers in place of a missing field or method.
func members(t types.Type, kind mapping.StepKind) string {
	var names []string
	if kind == mapping.StepMethod {
		ms := types.NewMethodSet(types.NewPointer(deref(t)))
		for i := range ms.Len() {
			if fn := ms.At(i).Obj(); fn.Exported() {
				names = append(names, fn.Name()+"()")
			}
		}
		if len(names) == 0 {
			return "it has no exported methods"
		}
		return "methods: " + strings.Join(names, ", ")
	}
	seen := map[string]bool{}
	var visit func(t types.Type, depth int)
	visit = func(t types.Type, depth int) {
		s, ok := types.Unalias(deref(t)).Underlying().(*types.Struct)
		if !ok || depth > 4 {
			return
		}
		for i := range s.NumFields() {
			f := s.Field(i)
			if f.Exported() && !seen[f.Name()] {
				seen[f.Name()] = true
				names = append(names, f.Name())
			}
			if f.Embedded() {
				visit(f.Type(), depth+1)
			}
		}
	}
	visit(t, 0)
	if len(names) == 0 {
		if _, ok := types.Unalias(deref(t)).Underlying().(*types.Struct); !ok {
			return fmt.Sprintf("it is %s, not a struct", kindOf(deref(t)))
		}
		return "it has no exported fields"
	}
	return "fields: " + strings.Join(names, ", ")
}

func kindOf(t types.Type) string {
	switch types.Unalias(t).Underlying().(type) {
	case *types.Interface:
		return "an interface; call one of its methods"
	case *types.Basic:
		return "a " + t.Underlying().String()
	case *types.Slice:
		return "a slice; index it with [N] or [*]"
	case *types.Map:
		return "a map"
	}
	return t.Underlying().String()
}

// typeName renders a type for messages without package paths.
func typeName(t types.Type) string {
	return types.TypeString(t, func(*types.Package) string { return "" })
}

// resolveJSONMessages checks a {json: path} mapping: the value is passed
// to genai.MessagesJSON, which marshals it, so it must be a type
// encoding/json can marshal, and one value, not [*].
func (r *resolver) resolveJSONMessages(a *attr, leaf types.Type) *attr {
	return r.resolveJSONValue(a, leaf, "the whole message list")
}

// resolveJSONValue checks a {json: path}: one value, of a type
// encoding/json can marshal; what names what the value should be.
func (r *resolver) resolveJSONValue(a *attr, leaf types.Type, what string) *attr {
	v := a.value
	if a.each >= 0 || v.Path.Len {
		r.errorf(v.Pos, "%s: json: wants one value (%s), not [*] or len()", v.Text, what)
		return nil
	}
	base, _ := derefGuard(leaf)
	switch types.Unalias(base).Underlying().(type) {
	case *types.Chan, *types.Signature:
		r.errorf(v.Pos, "%s: type %s has no JSON; json: wants %s (a slice, struct or union)", v.Text, typeName(leaf), what)
		return nil
	}
	a.leaf = leaf
	return a
}

// resolveMessages resolves an input/output/system_instructions mapping:
// a string, a []string, or a list of messages with role and content paths
// relative to each element.
func (r *resolver) resolveMessages(m *method, a *attr, leaf types.Type) *attr {
	v := a.value
	if v.JSON {
		return r.resolveJSONMessages(a, leaf)
	}
	if v.Content == nil && v.ToolCalls == nil {
		a.leaf = leaf
		t, ptr := derefGuard(leaf)
		if ptr {
			a.chain = append(a.chain, hop{kind: hopDeref, guard: guardNil})
			a.leaf = t
		}
		switch {
		case a.each >= 0 && isStringKind(a.leaf):
			a.conv = convString
		case a.each < 0 && isStringKind(a.leaf):
			a.conv = convOneString
		default:
			if s, ok := types.Unalias(a.leaf).Underlying().(*types.Slice); ok && isStringKind(s.Elem()) && a.each < 0 {
				a.chain = append(a.chain, hop{kind: hopEach})
				a.each = len(a.chain) - 1
				a.leaf = s.Elem()
				a.conv = convString
				return a
			}
			r.errorf(v.Pos, "%s: type %s cannot be recorded as messages by %s; want a string, a []string, or {path: ..., role: ..., content: ...} for a list of messages", v.Text, typeName(a.leaf), a.field.Key)
			return nil
		}
		return a
	}
	// A list of messages: iterate unless the path already has [*]; a
	// single message (eino's *schema.Message) is one.
	elem := leaf
	if a.each < 0 {
		base := leaf
		p, ptr := types.Unalias(leaf).Underlying().(*types.Pointer)
		if ptr {
			base = p.Elem()
		}
		switch u := types.Unalias(base).Underlying().(type) {
		case *types.Slice, *types.Array:
			if ptr {
				a.chain = append(a.chain, hop{kind: hopDeref, guard: guardNil})
			}
			elem = u.(interface{ Elem() types.Type }).Elem()
			a.chain = append(a.chain, hop{kind: hopEach})
			a.each = len(a.chain) - 1
		case *types.Struct:
			// One message: its parts are read through the pointer,
			// nil-checked.
		default:
			r.errorf(v.Pos, "%s: type %s is neither a message nor a list of messages; %s with content: wants a struct (one message) or a slice or array of them, or write %s: {json: %s} to read its JSON", v.Text, typeName(leaf), a.field.Key, a.field.Key, v.Text)
			return nil
		}
	}
	a.leaf = elem
	part := func(pv *mapping.Value, key string, def string, on types.Type) *attr {
		if pv == nil {
			if def == "" {
				return nil
			}
			return &attr{konst: def, field: mapping.Field{Key: key, Type: mapping.TypeString}, each: -1}
		}
		if pv.Const {
			return &attr{konst: pv.Text, value: pv, field: mapping.Field{Key: key, Type: mapping.TypeString}, each: -1}
		}
		pa := &attr{field: mapping.Field{Key: a.field.Key + "." + key, Type: mapping.TypeString}, value: pv, each: -1}
		chain, t, ok := r.relative(pv, on, "each element")
		if !ok {
			return nil
		}
		pa.chain, pa.leaf = chain, t
		if pv.JSON { // tool call arguments kept as a structured value
			return r.resolveJSONValue(pa, t, "the arguments")
		}
		f := mapping.Field{Key: pa.field.Key, Attr: a.field.Attr, Name: a.field.Name + " " + attribute.Key(key), Type: mapping.TypeString}
		if key == "arguments" {
			f.Type = mapping.TypeText
		}
		return r.convert(pa, f, pv)
	}
	a.role = part(v.Role, "role", a.field.Role, elem)
	if v.Content != nil {
		if a.content = part(v.Content, "content", "", elem); a.content == nil {
			return nil
		}
	}
	a.finish = part(v.FinishReason, "finish_reason", "", elem)
	if (v.Role != nil && a.role == nil) || (v.FinishReason != nil && a.finish == nil) {
		return nil
	}
	if tc := v.ToolCalls; tc != nil {
		chain, t, ok := r.relative(tc.Path, elem, "each element")
		if !ok {
			return nil
		}
		if _, isSlice := types.Unalias(deref(t)).Underlying().(*types.Slice); !isSlice {
			r.errorf(tc.Path.Pos, "%s: tool_calls: type %s is not a list of tool calls; want the path of a slice in each message, such as Message.ToolCalls", tc.Path.Text, typeName(t))
			return nil
		}
		if _, ptr := types.Unalias(t).Underlying().(*types.Pointer); ptr {
			chain = append(chain, hop{kind: hopDeref, guard: guardNil})
		}
		call := types.Unalias(deref(t)).Underlying().(*types.Slice).Elem()
		a.calls = &toolCalls{chain: append(chain, hop{kind: hopEach})}
		a.calls.id = part(tc.ID, "id", "", call)
		a.calls.name = part(tc.Name, "name", "", call)
		a.calls.args = part(tc.Arguments, "arguments", "", call)
		if (tc.ID != nil && a.calls.id == nil) || (tc.Name != nil && a.calls.name == nil) || (tc.Arguments != nil && a.calls.args == nil) {
			return nil
		}
	}
	return a
}

// relative resolves a path relative to a value of type t: its root names
// a field or method of t (a message's Role, a tool call's Function.Name).
func (r *resolver) relative(pv *mapping.Value, t types.Type, done string) ([]hop, types.Type, bool) {
	first := mapping.Step{Kind: mapping.StepField, Name: pv.Path.Root}
	if pv.Path.RootCall {
		first.Kind = mapping.StepMethod
	}
	var chain []hop
	for _, st := range append([]mapping.Step{first}, pv.Path.Steps...) {
		var ok bool
		t, ok = r.step(pv, done, st, t, &chain)
		if !ok {
			return nil, nil, false
		}
		done += st.String()
	}
	return chain, t, true
}

// isModelCall reports the operations that call a model, which a span
// recording nothing of the call cannot be.
func isModelCall(op string) bool {
	switch op {
	case "chat", "text_completion", "generate_content", "embeddings":
		return true
	}
	return false
}
