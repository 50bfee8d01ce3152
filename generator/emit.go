package generator

import (
	"bytes"
	"fmt"
	"go/types"
	"slices"
	"strconv"
	"strings"

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
}

// emitter renders one unit (one output file).
type emitter struct {
	u       *unit
	f       *jen.File
	imports map[string]string // path → name in this file
}

// render produces the formatted Go source of u.
func render(u *unit, header []string) ([]byte, error) {
	e := &emitter{u: u, imports: map[string]string{}}
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

func (e *emitter) wrapper(w *wrapper) {
	var tparams, targs []jen.Code
	if w.typeParams != nil {
		tparams, targs = typeParamsCode(w.typeParams), typeArgsCode(w.typeParams)
	}
	iface := e.ifaceCode(w)
	if len(targs) > 0 {
		iface = jen.Add(iface).Types(targs...)
	}
	self := jen.Id(w.typeName)
	if len(targs) > 0 {
		self = self.Types(targs...)
	}

	var innerType jen.Code = iface
	if w.emitIface != nil {
		innerType = e.emitInterfaces(w)
	}

	inner, tracer := e.fieldNames(w)
	e.f.Commentf("%s records an OpenTelemetry GenAI span for every call to the %s it wraps.", w.typeName, w.spec.Name)
	e.f.Type().Id(w.typeName).Types(tparams...).Struct(
		jen.Id(inner).Add(innerType),
		jen.Id(tracer).Qual(pkgTrace, "Tracer"),
	)
	e.f.Line()
	e.f.Commentf("%s wraps inner. Spans go to the global TracerProvider unless an option names another.", w.ctorName)
	e.f.Func().Id(w.ctorName).Types(tparams...).Params(
		jen.Id("inner").Add(innerType),
		jen.Id("opts").Op("...").Qual(pkgGenai, "Option"),
	).Op("*").Add(self).Block(
		jen.Return(jen.Op("&").Add(self.Clone()).Values(jen.Dict{
			jen.Id(inner):  jen.Id("inner"),
			jen.Id(tracer): jen.Qual(pkgGenai, "NewTracer").Call(jen.Id("opts").Op("...")),
		})),
	)
	e.f.Line()
	if len(tparams) > 0 {
		e.f.Func().Id("_").Types(tparams...).Params().Block(
			jen.Var().Id("_").Add(iface).Op("=").Parens(jen.Op("*").Add(self.Clone())).Parens(jen.Nil()),
		)
	} else {
		e.f.Var().Id("_").Add(iface).Op("=").Parens(jen.Op("*").Add(self.Clone())).Parens(jen.Nil())
	}
	e.f.Line()
	recv := e.receiverName(w)
	for _, m := range w.methods {
		me := &methodEmitter{e: e, w: w, m: m, recv: recv, inner: inner, tracer: tracer, nameVars: map[*attr]string{}}
		if m.skip {
			e.f.Commentf("%s calls the wrapped %s's %s without a span.", m.name, w.spec.Name, m.name)
		} else {
			e.f.Commentf("%s calls the wrapped %s's %s in a span.", m.name, w.spec.Name, m.name)
		}
		e.f.Func().Params(jen.Id(recv).Op("*").Add(self.Clone())).Id(m.name).
			ParamsFunc(me.params).Add(me.resultTypes()).BlockFunc(me.body)
		e.f.Line()
	}
	for _, m := range w.methods {
		if m.stream != nil && m.stream.form == streamSDK {
			e.sdkStreamType(w, m)
		}
	}
}

// emitInterfaces declares, for a concrete SDK type, the interface of its
// exported methods, checked against the type at compile time. When a method
// returns an SDK stream, whose traced form is another type, that interface
// is <Key>API (what the wrapper wraps) and <Key> declares the traced
// signatures (what the wrapper offers). It returns the inner field's type.
func (e *emitter) emitInterfaces(w *wrapper) jen.Code {
	streams := slices.ContainsFunc(w.methods, func(m *method) bool { return m.stream != nil && m.stream.form == streamSDK })
	api := w.spec.Name
	if streams {
		api += "API"
	}
	e.f.Commentf("%s is the exported method set of %s, so it can be wrapped and replaced.", api, w.concrete)
	methods := make([]jen.Code, 0, w.emitIface.NumMethods())
	for i := range w.emitIface.NumMethods() {
		fn := w.emitIface.Method(i)
		methods = append(methods, jen.Id(fn.Name()).Add(namedSignatureCode(fn.Type().(*types.Signature))))
	}
	e.f.Type().Id(api).Interface(methods...)
	e.f.Line()
	// The SDK type must keep satisfying the interface: a changed SDK
	// fails here, at compile time, not at the call.
	e.f.Var().Id("_").Id(api).Op("=").Parens(jen.Op("*").Add(jen.Qual(w.concretePkg.Path(), w.concreteName))).Parens(jen.Nil())
	e.f.Line()
	if !streams {
		return jen.Id(api)
	}
	e.f.Commentf("%s is what %s offers: %s with its streams traced.", w.spec.Name, w.typeName, api)
	traced := make([]jen.Code, 0, len(w.methods))
	for _, m := range w.methods {
		traced = append(traced, jen.Id(m.name).Add(namedParams(m.sig)).Add(tracedResults(m)))
	}
	e.f.Type().Id(w.spec.Name).Interface(traced...)
	e.f.Line()
	return jen.Id(api)
}

// sdkStreamType declares the traced form of an SDK stream: the stream,
// embedded so every other method passes through, with Next recording each
// chunk and ending the span when the stream is drained or fails, and Close
// ending it too.
func (e *emitter) sdkStreamType(w *wrapper, m *method) {
	si := m.stream
	embedded, field := si.sdkType, sdkField(si.sdkType)
	me := &methodEmitter{e: e, w: w, m: m, s: newScope(e.importNames()), nameVars: map[*attr]string{}}
	me.s.reserve("s")
	me.s.reserve("err")
	e.f.Commentf("%s is the stream %s.%s returns, traced: the call's span stays open until the stream is drained, fails or is closed.", si.wrapperName, w.typeName, m.name)
	e.f.Type().Id(si.wrapperName).Struct(
		jen.Add(typeCode(embedded)),
		jen.Id("st").Op("*").Qual(pkgGenai, "Stream"),
	)
	e.f.Line()
	self := jen.Id("s").Dot(field)
	e.f.Commentf("%s advances the stream, recording each chunk.", si.spec.Next)
	e.f.Func().Params(jen.Id("s").Op("*").Id(si.wrapperName)).Id(si.spec.Next).Params().Bool().BlockFunc(func(g *jen.Group) {
		g.If(self.Clone().Dot(si.spec.Next).Call()).BlockFunc(func(g *jen.Group) {
			c := me.s.fresh("chunk")
			g.Id(c).Op(":=").Add(self.Clone()).Dot(si.spec.Current).Call()
			me.chunk(g, c, "s.st")
			g.Return(jen.True())
		})
		g.Id("s").Dot("st").Dot("Fail").Call(self.Clone().Dot(si.spec.Err).Call(), jen.Lit(""))
		g.Id("s").Dot("st").Dot("End").Call()
		g.Return(jen.False())
	})
	e.f.Line()
	e.f.Commentf("%s closes the stream and ends its span.", si.spec.Close)
	e.f.Func().Params(jen.Id("s").Op("*").Id(si.wrapperName)).Id(si.spec.Close).Params().Error().Block(
		jen.Id("err").Op(":=").Add(self.Clone()).Dot(si.spec.Close).Call(),
		jen.Id("s").Dot("st").Dot("End").Call(),
		jen.Return(jen.Id("err")),
	)
	e.f.Line()
}

// namedParams renders a signature's parameters, named when every one has
// a distinct name.
func namedParams(sig *types.Signature) *jen.Statement {
	params := sig.Params()
	named := true
	seen := map[string]bool{}
	for i := range params.Len() {
		n := params.At(i).Name()
		if n == "" || n == "_" || seen[n] {
			named = false
		}
		seen[n] = true
	}
	list := make([]jen.Code, params.Len())
	for i := range list {
		t := params.At(i).Type()
		var c *jen.Statement
		if sig.Variadic() && i == len(list)-1 {
			c = jen.Op("...").Add(typeCode(t.(*types.Slice).Elem()))
		} else {
			c = jen.Add(typeCode(t))
		}
		if named {
			c = jen.Id(params.At(i).Name()).Add(c)
		}
		list[i] = c
	}
	return jen.Params(list...)
}

func (e *emitter) ifaceCode(w *wrapper) *jen.Statement {
	if w.ifacePkg == nil {
		return jen.Id(w.spec.Name)
	}
	return jen.Qual(w.ifacePkg.Path(), w.ifaceName)
}

// fieldNames picks the wrapper's field names, yielding to methods of the
// same name.
func (e *emitter) fieldNames(w *wrapper) (inner, tracer string) {
	s := newScope()
	for _, m := range w.methods {
		s.reserve(m.name)
	}
	return s.fresh("inner"), s.fresh("tracer")
}

// receiverName picks a receiver name no parameter or result uses.
func (e *emitter) receiverName(w *wrapper) string {
	s := newScope(e.importNames())
	for _, m := range w.methods {
		for _, v := range append(slices.Clone(m.params), m.results...) {
			s.reserve(v.name)
		}
	}
	if w.typeParams != nil {
		for i := range w.typeParams.Len() {
			s.reserve(w.typeParams.At(i).Obj().Name())
		}
	}
	return s.fresh("w")
}

func (e *emitter) importNames() map[string]bool {
	m := map[string]bool{}
	for _, n := range e.imports {
		m[n] = true
	}
	return m
}

// methodEmitter renders one method.
type methodEmitter struct {
	e                   *emitter
	w                   *wrapper
	m                   *method
	recv, inner, tracer string
	s                   *scope
	// inChunk is set while emitting a stream chunk's attributes: a chunk
	// without a value (an empty string, a zero count) must not overwrite
	// the value an earlier chunk carried.
	inChunk bool
	// args replaces parameters in the call to the wrapped method (a
	// stream's callback, wrapped).
	args map[int]string
	// applied names, per options parameter, the variable its options were
	// applied to.
	applied map[string]string
	// spanCtx is the context the span lives in, or "" if the method takes
	// none.
	spanCtx string
	// nameVars names, per attribute, the variable its value was read into
	// for the span name, so that it is read once. The model is never
	// written: this is the emitter's own state.
	nameVars map[*attr]string
}

func (me *methodEmitter) params(g *jen.Group) {
	sig := me.m.sig
	for i, v := range me.m.params {
		t := sig.Params().At(i).Type()
		if v.variadic {
			g.Id(v.name).Op("...").Add(typeCode(t.(*types.Slice).Elem()))
			continue
		}
		g.Id(v.name).Add(typeCode(t))
	}
}

func (me *methodEmitter) resultTypes() jen.Code { return tracedResults(me.m) }

// tracedResults renders a method's result types as the wrapper declares
// them: as wrapped, except an SDK stream, which becomes its traced type.
func tracedResults(m *method) jen.Code {
	res := m.sig.Results()
	list := make([]jen.Code, res.Len())
	for i := range list {
		list[i] = typeCode(res.At(i).Type())
		if m.stream != nil && m.stream.form == streamSDK && i == m.stream.result {
			list[i] = jen.Op("*").Id(m.stream.wrapperName)
		}
	}
	switch len(list) {
	case 0:
		return jen.Null()
	case 1:
		return list[0]
	}
	return jen.Params(list...)
}

func (me *methodEmitter) call(ctxName string) *jen.Statement {
	args := make([]jen.Code, len(me.m.params))
	for i, v := range me.m.params {
		switch {
		case me.args[i] != "":
			args[i] = jen.Id(me.args[i])
		case i == me.m.ctx && ctxName != "":
			args[i] = jen.Id(ctxName)
		case v.variadic:
			args[i] = jen.Id(v.name).Op("...")
		default:
			args[i] = jen.Id(v.name)
		}
	}
	return jen.Id(me.recv).Dot(me.inner).Dot(me.m.name).Call(args...)
}

func (me *methodEmitter) body(g *jen.Group) {
	m := me.m
	me.s = newScope(me.e.importNames())
	me.s.reserve(me.recv)
	for _, v := range append(slices.Clone(m.params), m.results...) {
		me.s.reserve(v.name)
	}
	if me.w.typeParams != nil {
		for i := range me.w.typeParams.Len() {
			me.s.reserve(me.w.typeParams.At(i).Obj().Name())
		}
	}
	if m.skip {
		if len(m.results) == 0 {
			g.Add(me.call(""))
		} else {
			g.Return(me.call(""))
		}
		return
	}

	// Before the call: options applied, the span name and the request
	// attributes.
	me.applyOptions(g)
	name := me.spanName(g)
	startOpts := []jen.Code{jen.Qual(pkgTrace, "WithSpanKind").Call(jen.Qual(pkgTrace, spanKinds[m.kind]))}
	fixed := me.fixedAttrs()
	if size := len(fixed) + len(m.before); size > 0 {
		attrs, n := me.s.fresh("attrs"), me.s.fresh("n")
		g.Var().Id(attrs).Index(jen.Lit(size)).Qual(pkgAttribute, "KeyValue")
		for i, kv := range fixed {
			g.Id(attrs).Index(jen.Lit(i)).Op("=").Add(kv)
		}
		g.Id(n).Op(":=").Lit(len(fixed))
		me.attrList(g, m.before, attrs, n)
		startOpts = append(startOpts, jen.Qual(pkgTrace, "WithAttributes").Call(jen.Id(attrs).Index(jen.Empty(), jen.Id(n)).Op("...")))
	}

	ctx, span := me.s.fresh("ctx"), me.s.fresh("span")
	parent := jen.Qual(pkgContext, "Background").Call()
	if m.ctx >= 0 {
		parent = jen.Id(m.params[m.ctx].name)
	}
	ctxOut := jen.Id("_")
	if m.ctx >= 0 {
		ctxOut = jen.Id(ctx)
	} else {
		ctx = ""
	}
	me.spanCtx = ctx
	g.List(ctxOut, jen.Id(span)).Op(":=").Id(me.recv).Dot(me.tracer).Dot("Start").Call(append([]jen.Code{parent, name}, startOpts...)...)
	st := ""
	if m.stream != nil {
		// The stream owns the span: it ends when the stream is drained,
		// fails or is closed (or sits idle past genai.StreamIdleTimeout).
		st = me.s.fresh("stream")
		g.Id(st).Op(":=").Qual(pkgGenai, "StartStream").Call(jen.Id(span))
		if m.stream.form == streamCallback {
			me.wrapCallback(g, st)
		}
	} else {
		g.Defer().Id(span).Dot("End").Call()
	}

	// The call.
	results := make([]jen.Code, len(m.results))
	for i, v := range m.results {
		results[i] = jen.Id(v.name)
	}
	if len(results) == 0 {
		g.Add(me.call(ctx))
	} else {
		g.List(results...).Op(":=").Add(me.call(ctx))
	}
	if m.err >= 0 {
		errName := m.results[m.err].name
		g.If(jen.Id(errName).Op("!=").Nil()).BlockFunc(func(g *jen.Group) {
			if st != "" {
				g.Id(st).Dot("Fail").Call(jen.Id(errName), jen.Lit(m.errType))
				g.Id(st).Dot("End").Call()
				g.Return(me.streamResults(results, jen.Nil())...)
				return
			}
			g.Id(span).Dot("SetStatus").Call(jen.Qual(pkgCodes, "Error"), jen.Id(errName).Dot("Error").Call())
			g.Id(span).Dot("SetAttributes").Call(jen.Qual(pkgGenai, "ErrorType").Dot("String").Call(
				jen.Qual(pkgGenai, "ErrorTypeOf").Call(jen.Id(errName), jen.Lit(m.errType))))
			g.Return(results...)
		})
	}
	// After the call: the response attributes.
	if len(m.after) > 0 {
		out, k := me.s.fresh("out"), me.s.fresh("k")
		g.Var().Id(out).Index(jen.Lit(len(m.after))).Qual(pkgAttribute, "KeyValue")
		g.Id(k).Op(":=").Lit(0)
		me.attrList(g, m.after, out, k)
		g.If(jen.Id(k).Op(">").Lit(0)).Block(
			jen.Id(span).Dot("SetAttributes").Call(jen.Id(out).Index(jen.Empty(), jen.Id(k)).Op("...")))
	}
	if st != "" {
		g.Return(me.wrapStream(g, st, results)...)
		return
	}
	if len(results) > 0 {
		g.Return(results...)
	}
}

// streamResults is the result list with the stream result replaced.
func (me *methodEmitter) streamResults(results []jen.Code, stream jen.Code) []jen.Code {
	out := slices.Clone(results)
	if me.m.stream.form == streamSDK {
		out[me.m.stream.result] = stream
	}
	return out
}

// wrapStream replaces the stream result by one that records its chunks and
// ends the span, and returns the results to return.
func (me *methodEmitter) wrapStream(g *jen.Group, st string, results []jen.Code) []jen.Code {
	si := me.m.stream
	if si.form == streamCallback {
		g.Id(st).Dot("End").Call() // the call returned: the stream is over
		return results
	}
	r := me.m.results[si.result].name
	elem := si.chunk.typ
	if si.form == streamSDK {
		g.If(jen.Id(r).Op("==").Nil()).Block(
			jen.Id(st).Dot("End").Call(),
			jen.Return(me.streamResults(results, jen.Nil())...),
		)
		return me.streamResults(results, jen.Op("&").Id(si.wrapperName).Values(jen.Dict{
			jen.Id(sdkField(si.sdkType)): jen.Id(r),
			jen.Id("st"):                 jen.Id(st),
		}))
	}
	inner := me.s.fresh("inner")
	c, e := me.s.fresh("chunk"), me.s.fresh("e")
	g.If(jen.Id(r).Op("==").Nil()).Block(
		jen.Id(st).Dot("End").Call(),
		jen.Return(results...),
	)
	g.Id(inner).Op(":=").Id(r)
	end := jen.Id(st).Dot("End").Call()
	if me.spanCtx != "" {
		end = jen.Id(st).Dot("EndContext").Call(jen.Id(me.spanCtx))
	}
	switch si.form {
	case streamSeq:
		yield := me.s.fresh("yield")
		g.Id(r).Op("=").Func().Params(jen.Id(yield).Func().Params(typeCode(elem)).Bool()).BlockFunc(func(g *jen.Group) {
			g.Defer().Add(end)
			g.For(jen.Id(c).Op(":=").Range().Id(inner)).BlockFunc(func(g *jen.Group) {
				me.chunk(g, c, st)
				g.If(jen.Op("!").Id(yield).Call(jen.Id(c))).Block(jen.Return())
			})
		})
	case streamSeq2:
		yield := me.s.fresh("yield")
		g.Id(r).Op("=").Func().Params(jen.Id(yield).Func().Params(typeCode(elem), typeCode(si.second)).Bool()).BlockFunc(func(g *jen.Group) {
			g.Defer().Add(end)
			g.For(jen.List(jen.Id(c), jen.Id(e)).Op(":=").Range().Id(inner)).BlockFunc(func(g *jen.Group) {
				if si.errPairs {
					g.If(jen.Id(e).Op("!=").Nil()).Block(
						jen.Id(st).Dot("Fail").Call(jen.Id(e), jen.Lit("")),
					).Else().BlockFunc(func(g *jen.Group) { me.chunk(g, c, st) })
				} else {
					me.chunk(g, c, st)
				}
				g.If(jen.Op("!").Id(yield).Call(jen.Id(c), jen.Id(e))).Block(jen.Return())
			})
		})
	case streamChan:
		out := me.s.fresh("out")
		g.Id(out).Op(":=").Make(jen.Chan().Add(typeCode(elem)), jen.Cap(jen.Id(inner)))
		g.Go().Func().Params().BlockFunc(func(g *jen.Group) {
			g.Defer().Close(jen.Id(out))
			g.Defer().Add(end)
			g.For(jen.Id(c).Op(":=").Range().Id(inner)).BlockFunc(func(g *jen.Group) {
				// A chunk counts once delivered.
				if me.spanCtx == "" {
					g.Id(out).Op("<-").Id(c)
					me.chunk(g, c, st)
					return
				}
				// A consumer that stops reading cancels the context: the
				// forwarding goroutine must not outlive it.
				g.Select().Block(
					jen.Case(jen.Id(out).Op("<-").Id(c)).BlockFunc(func(g *jen.Group) { me.chunk(g, c, st) }),
					jen.Case(jen.Op("<-").Id(me.spanCtx).Dot("Done").Call()).Block(jen.Return()),
				)
			})
		}).Call()
		g.Id(r).Op("=").Id(out)
	}
	return results
}

// wrapCallback passes the wrapped method a callback that records each
// chunk, then calls the caller's.
func (me *methodEmitter) wrapCallback(g *jen.Group, st string) {
	si := me.m.stream
	p := me.m.params[si.param]
	sig := p.typ.Underlying().(*types.Signature)
	cb, c := me.s.fresh("callback"), me.s.fresh("chunk")
	g.Var().Id(cb).Add(typeCode(p.typ)).Op("=").Id(p.name)
	g.If(jen.Id(p.name).Op("!=").Nil()).BlockFunc(func(g *jen.Group) {
		fn := jen.Func().Params(jen.Id(c).Add(typeCode(sig.Params().At(0).Type())))
		if sig.Results().Len() == 1 {
			fn.Error()
		}
		g.Id(cb).Op("=").Add(fn.BlockFunc(func(g *jen.Group) {
			me.chunk(g, c, st)
			if sig.Results().Len() == 1 {
				g.Return(jen.Id(p.name).Call(jen.Id(c)))
			} else {
				g.Id(p.name).Call(jen.Id(c))
			}
		}))
	})
	me.args = map[int]string{si.param: cb}
}

// sdkField is the field name of an embedded stream type.
func sdkField(t types.Type) string {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}

// chunk records one chunk: the attributes read from it, then Chunk.
func (me *methodEmitter) chunk(g *jen.Group, c, st string) {
	si := me.m.stream
	si.chunk.name = c
	if si.chunkErr != nil {
		// A chunk carrying an error fails the stream instead of counting.
		failed := me.s.fresh("failed")
		g.Var().Id(failed).Error()
		me.access(g, jen.Id(c), true, si.chunkErr.chain, func(g *jen.Group, x *jen.Statement) {
			if _, iface := types.Unalias(si.chunkErr.leaf).Underlying().(*types.Interface); iface {
				g.Id(failed).Op("=").Add(x)
				return
			}
			// A nil *T in an error interface is not nil: test the pointer.
			g.If(x.Clone().Op("!=").Nil()).Block(jen.Id(failed).Op("=").Add(x))
		})
		g.If(jen.Id(failed).Op("!=").Nil()).Block(
			jen.Id(st).Dot("Fail").Call(jen.Id(failed), jen.Lit("")),
		).Else().BlockFunc(func(g *jen.Group) { me.chunkAttrs(g, c, st) })
		return
	}
	me.chunkAttrs(g, c, st)
}

// chunkAttrs records a chunk's attributes and output text, then Chunk.
func (me *methodEmitter) chunkAttrs(g *jen.Group, c, st string) {
	si := me.m.stream
	var attrs []*attr
	for _, a := range si.attrs {
		if a.field.delta {
			me.delta(g, a, st)
		} else {
			attrs = append(attrs, a)
		}
	}
	if len(attrs) == 0 {
		g.Id(st).Dot("Chunk").Call()
		return
	}
	arr, n := me.s.fresh("ca"), me.s.fresh("cn")
	g.Var().Id(arr).Index(jen.Lit(len(attrs))).Qual(pkgAttribute, "KeyValue")
	g.Id(n).Op(":=").Lit(0)
	me.inChunk = true
	me.attrList(g, attrs, arr, n)
	me.inChunk = false
	g.Id(st).Dot("Chunk").Call(jen.Id(arr).Index(jen.Empty(), jen.Id(n)).Op("..."))
}

// delta hands the chunk's output text to the stream, which joins the
// deltas into the output message; only when content capture is on.
func (me *methodEmitter) delta(g *jen.Group, a *attr, st string) {
	g.If(jen.Qual(pkgGenai, "CaptureContent").Call()).BlockFunc(func(g *jen.Group) {
		me.access(g, jen.Id(a.root.name), true, a.chain, func(g *jen.Group, x *jen.Statement) {
			s := me.s.fresh("s")
			g.If(jen.Id(s).Op(":=").Add(me.convert(a, x)), jen.Id(s).Op("!=").Lit("")).Block(
				jen.Id(st).Dot("Text").Call(jen.Id(s)))
		})
	})
}

// applyOptions applies, once, each functional-options parameter the
// mapping reads to a zero value of its target, so paths read what the
// caller's options set. The caller's options run again inside the wrapped
// call; options are setters, so running them twice is harmless.
func (me *methodEmitter) applyOptions(g *jen.Group) {
	me.applied = map[string]string{}
	for _, a := range append(append(slices.Clone(me.m.before), me.m.after...), me.m.nameFrom) {
		a.nested(func(a *attr) {
			if len(a.chain) == 0 || a.chain[0].kind != hopApply || me.applied[a.chain[0].name] != "" {
				return
			}
			h := a.chain[0]
			v, o := me.s.fresh("opts"), me.s.fresh("o")
			me.applied[h.name] = v
			g.Var().Id(v).Add(typeCode(h.target))
			g.For(jen.List(jen.Id("_"), jen.Id(o)).Op(":=").Range().Id(a.root.name)).Block(
				jen.If(jen.Id(o).Op("!=").Nil()).Block(jen.Id(o).Call(jen.Op("&").Id(v))))
		})
	}
}

// fixedAttrs are the operation and provider, known at generation time.
func (me *methodEmitter) fixedAttrs() []jen.Code {
	var out []jen.Code
	if me.m.op != "span" {
		out = append(out, jen.Qual(pkgGenai, "OperationName").Dot("String").Call(jen.Lit(me.m.op)))
	}
	if me.m.provider != "" {
		out = append(out, jen.Qual(pkgGenai, "ProviderName").Dot("String").Call(jen.Lit(me.m.provider)))
	}
	if me.m.stream != nil {
		out = append(out, jen.Qual(pkgGenai, "RequestStream").Dot("Bool").Call(jen.True()))
	}
	return out
}

// spanName returns the span name expression, declaring what it needs.
func (me *methodEmitter) spanName(g *jen.Group) jen.Code {
	m := me.m
	switch {
	case m.spanName != "":
		return jen.Lit(m.spanName)
	case m.op == "span":
		return jen.Lit(me.w.spec.Name + "." + m.name)
	case m.nameFrom == nil || slices.Index(m.after, m.nameFrom) >= 0:
		return jen.Lit(m.op)
	case m.nameFrom.root == nil:
		return jen.Lit(m.op + " " + m.nameFrom.konst)
	}
	if m.nameFrom.first != nil {
		val, _ := me.firstValue(g, m.nameFrom)
		me.nameVars[m.nameFrom] = val
		return jen.Qual(pkgGenai, "SpanName").Call(jen.Lit(m.op), jen.Id(val))
	}
	v := me.s.fresh(strings.TrimSuffix(strings.TrimPrefix(m.nameFrom.field.key, "request_"), "_name"))
	g.Var().Id(v).String()
	me.access(g, jen.Id(m.nameFrom.root.name), true, m.nameFrom.chain, func(g *jen.Group, x *jen.Statement) {
		g.Id(v).Op("=").Add(me.convert(m.nameFrom, x))
	})
	me.nameVars[m.nameFrom] = v
	return jen.Qual(pkgGenai, "SpanName").Call(jen.Lit(m.op), jen.Id(v))
}

// attrList emits the attributes of list into arr, counting in n. Content
// is recorded only when content capture is on.
func (me *methodEmitter) attrList(g *jen.Group, list []*attr, arr, n string) {
	var content []*attr
	for _, a := range list {
		if a.field.typ == typeMessages || a.field.typ == typeText {
			content = append(content, a)
			continue
		}
		me.attr(g, a, arr, n)
	}
	if len(content) > 0 {
		g.If(jen.Qual(pkgGenai, "CaptureContent").Call()).BlockFunc(func(g *jen.Group) {
			for _, a := range content {
				me.attr(g, a, arr, n)
			}
		})
	}
}

func (me *methodEmitter) set(g *jen.Group, arr, n string, kv jen.Code) {
	g.Id(arr).Index(jen.Id(n)).Op("=").Add(kv)
	g.Id(n).Op("++")
}

func (me *methodEmitter) key(a *attr) *jen.Statement { return jen.Qual(pkgGenai, a.field.attr) }

func (me *methodEmitter) attr(g *jen.Group, a *attr, arr, n string) {
	if a.when != nil {
		w, unguarded := a.when, *a
		unguarded.when = nil
		if v, ok := me.nameVars[a]; ok {
			me.nameVars[&unguarded] = v
		}
		me.access(g, jen.Id(w.root.name), true, w.chain, func(g *jen.Group, x *jen.Statement) {
			g.If(x).BlockFunc(func(g *jen.Group) { me.attr(g, &unguarded, arr, n) })
		})
		return
	}
	key := me.key(a)
	nameVar := me.nameVars[a]
	switch {
	case a.sum != nil:
		me.sum(g, a, arr, n)
	case a.first != nil && nameVar == "":
		me.first(g, a, arr, n)
	case nameVar != "":
		g.If(jen.Id(nameVar).Op("!=").Lit("")).Block(
			jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("String").Call(jen.Id(nameVar))),
			jen.Id(n).Op("++"))
	case a.root == nil:
		me.set(g, arr, n, me.constKV(a))
	case a.field.typ == typeMessages:
		me.messages(g, a, arr, n)
	case a.each >= 0:
		list := me.s.fresh("list")
		g.Var().Id(list).Index().String()
		me.access(g, jen.Id(a.root.name), true, a.chain, func(g *jen.Group, x *jen.Statement) {
			g.Id(list).Op("=").Append(jen.Id(list), me.convert(a, x))
		})
		g.If(jen.Len(jen.Id(list)).Op(">").Lit(0)).Block(
			jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("StringSlice").Call(jen.Id(list))),
			jen.Id(n).Op("++"))
	default:
		me.access(g, jen.Id(a.root.name), true, a.chain, func(g *jen.Group, x *jen.Statement) {
			me.leaf(g, a, x, arr, n)
		})
	}
}

func (me *methodEmitter) constKV(a *attr) jen.Code {
	key := me.key(a)
	switch a.field.typ {
	case typeInt:
		v, _ := strconv.ParseFloat(a.konst, 64)
		return key.Dot("Int64").Call(jen.Lit(int64(v)))
	case typeFloat:
		v, _ := strconv.ParseFloat(a.konst, 64)
		return key.Dot("Float64").Call(jen.Lit(v))
	case typeBool:
		return key.Dot("Bool").Call(jen.Lit(a.konst == "true"))
	case typeStrings:
		return key.Dot("StringSlice").Call(jen.Index().String().Values(jen.Lit(a.konst)))
	case typeMessages:
		return key.Dot("String").Call(textContent(a.field, jen.Lit(a.konst)))
	}
	return key.Dot("String").Call(jen.Lit(a.konst))
}

// sum adds the parts present (nil pointers skipped) and records the total
// when at least one was.
func (me *methodEmitter) sum(g *jen.Group, a *attr, arr, n string) {
	total, seen := me.s.fresh("total"), me.s.fresh("seen")
	method := a.field.typ.setter()
	g.Var().Id(total).Add(a.field.typ.goType())
	g.Var().Id(seen).Bool()
	for _, part := range a.sum {
		me.access(g, jen.Id(part.root.name), true, part.chain, func(g *jen.Group, x *jen.Statement) {
			g.Id(total).Op("+=").Add(me.convert(part, x))
			g.Id(seen).Op("=").True()
		})
	}
	cond := jen.Id(seen)
	if me.inChunk {
		cond = cond.Op("&&").Id(total).Op("!=").Lit(0)
	}
	g.If(cond).Block(
		jen.Id(arr).Index(jen.Id(n)).Op("=").Add(me.key(a).Dot(method).Call(jen.Id(total))),
		jen.Id(n).Op("++"))
}

// first records the first alternative present: reached through its guards
// and, for strings (and numbers in a stream chunk), not empty.
func (me *methodEmitter) first(g *jen.Group, a *attr, arr, n string) {
	val, seen := me.firstValue(g, a)
	method := a.field.typ.setter()
	g.If(jen.Id(seen)).Block(
		jen.Id(arr).Index(jen.Id(n)).Op("=").Add(me.key(a).Dot(method).Call(jen.Id(val))),
		jen.Id(n).Op("++"))
}

// firstValue declares val and seen and sets them from the first
// alternative present.
func (me *methodEmitter) firstValue(g *jen.Group, a *attr) (val, seen string) {
	val, seen = me.s.fresh("val"), me.s.fresh("seen")
	typ := a.field.typ.goType()
	var zero jen.Code
	switch {
	case a.field.typ == typeString || a.field.typ == typeText:
		zero = jen.Lit("")
	case me.inChunk && a.field.typ != typeBool:
		zero = jen.Lit(0)
	}
	g.Var().Id(val).Add(typ)
	g.Var().Id(seen).Bool()
	for _, alt := range a.first {
		zero := zero
		if zero == nil && alt.conv == convAny && a.field.typ != typeBool {
			zero = jen.Lit(0) // a value of another type reads as 0: try the next
		}
		me.access(g, jen.Id(alt.root.name), true, alt.chain, func(g *jen.Group, x *jen.Statement) {
			if zero == nil {
				g.If(jen.Op("!").Id(seen)).Block(jen.List(jen.Id(val), jen.Id(seen)).Op("=").List(me.convert(alt, x), jen.True()))
				return
			}
			v := me.s.fresh("v")
			g.If(jen.Id(v).Op(":=").Add(me.convert(alt, x)), jen.Op("!").Id(seen).Op("&&").Id(v).Op("!=").Add(zero)).Block(
				jen.List(jen.Id(val), jen.Id(seen)).Op("=").List(jen.Id(v), jen.True()))
		})
	}
	return val, seen
}

// fromOptions reports a value read from functional options, where zero
// means the caller did not set it.
func fromOptions(a *attr) bool { return len(a.chain) > 0 && a.chain[0].kind == hopApply }

// leaf records a single value at the end of a path.
func (me *methodEmitter) leaf(g *jen.Group, a *attr, x *jen.Statement, arr, n string) {
	key := me.key(a)
	val := me.convert(a, x)
	switch a.field.typ {
	case typeString, typeText:
		s := me.s.fresh("s")
		g.If(jen.Id(s).Op(":=").Add(val), jen.Id(s).Op("!=").Lit("")).Block(
			jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("String").Call(jen.Id(s))),
			jen.Id(n).Op("++"))
	case typeInt, typeFloat:
		method := a.field.typ.setter()
		if !me.inChunk && !fromOptions(a) {
			me.set(g, arr, n, key.Dot(method).Call(val))
			return
		}
		v := me.s.fresh("v")
		g.If(jen.Id(v).Op(":=").Add(val), jen.Id(v).Op("!=").Lit(0)).Block(
			jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot(method).Call(jen.Id(v))),
			jen.Id(n).Op("++"))
	case typeBool:
		me.set(g, arr, n, key.Dot("Bool").Call(val))
	case typeStrings:
		if a.conv == convOneString {
			s := me.s.fresh("s")
			g.If(jen.Id(s).Op(":=").Add(asString(a.leaf, x)), jen.Id(s).Op("!=").Lit("")).Block(
				jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("StringSlice").Call(jen.Index().String().Values(jen.Id(s)))),
				jen.Id(n).Op("++"))
			return
		}
		g.If(jen.Len(x.Clone()).Op(">").Lit(0)).Block(
			jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("StringSlice").Call(val)),
			jen.Id(n).Op("++"))
	}
}

// convert renders the conversion of a leaf value to the attribute's type.
func (me *methodEmitter) convert(a *attr, x *jen.Statement) jen.Code {
	switch {
	case a.length:
		return jen.Int64().Call(jen.Len(x))
	}
	switch a.conv {
	case convString, convBytes:
		if types.Identical(a.leaf, types.Typ[types.String]) {
			return x
		}
		return jen.String().Call(x)
	case convStringer:
		return x.Clone().Dot("String").Call()
	case convInt:
		if types.Identical(a.leaf, types.Typ[types.Int64]) {
			return x
		}
		return jen.Int64().Call(x)
	case convFloat:
		if types.Identical(a.leaf, types.Typ[types.Float64]) {
			return x
		}
		return jen.Float64().Call(x)
	case convBool:
		if types.Identical(a.leaf, types.Typ[types.Bool]) {
			return x
		}
		return jen.Bool().Call(x)
	case convStrings:
		return x
	case convAny:
		return jen.Qual(pkgGenai, a.field.typ.setter()+"Of").Call(x) // genai.Int64Of & co
	case convOneString:
		if types.Identical(a.leaf, types.Typ[types.String]) {
			return jen.Index().String().Values(x)
		}
		return jen.Index().String().Values(jen.String().Call(x))
	case convStringsEl:
		// Element-wise conversion of []T to []string, inline.
		return jen.Func().Params().Index().String().BlockFunc(func(g *jen.Group) {
			out, el := me.s.fresh("strs"), me.s.fresh("el")
			g.Id(out).Op(":=").Make(jen.Index().String(), jen.Lit(0), jen.Len(x))
			g.For(jen.List(jen.Id("_"), jen.Id(el)).Op(":=").Range().Add(x.Clone())).Block(
				jen.Id(out).Op("=").Append(jen.Id(out), jen.String().Call(jen.Id(el))))
			g.Return(jen.Id(out))
		}).Call()
	}
	return x
}

// asString converts a string-kind value to string.
func asString(t types.Type, x *jen.Statement) jen.Code {
	if types.Identical(t, types.Typ[types.String]) {
		return x
	}
	return jen.String().Call(x)
}

// messages records a message list: one text message, or one per element
// with its role, content and finish reason.
func (me *methodEmitter) messages(g *jen.Group, a *attr, arr, n string) {
	key := me.key(a)
	if a.value != nil && a.value.JSON {
		me.jsonMessages(g, a, arr, n)
		return
	}
	if a.content == nil && a.each < 0 {
		me.access(g, jen.Id(a.root.name), true, a.chain, func(g *jen.Group, x *jen.Statement) {
			s := me.s.fresh("s")
			g.If(jen.Id(s).Op(":=").Add(asString(a.leaf, x)), jen.Id(s).Op("!=").Lit("")).Block(
				jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("String").Call(textContent(a.field, jen.Id(s)))),
				jen.Id(n).Op("++"))
		})
		return
	}
	mb := me.s.fresh("msgs")
	if a.field.parts {
		g.Var().Id(mb).Qual(pkgGenai, "Parts")
	} else {
		g.Var().Id(mb).Qual(pkgGenai, "Messages")
	}
	me.access(g, jen.Id(a.root.name), true, a.chain, func(g *jen.Group, x *jen.Statement) {
		switch {
		case a.content == nil: // []string: each element is a message's text
			if a.field.parts {
				g.Id(mb).Dot("Add").Call(me.convert(a, x))
			} else {
				g.Id(mb).Dot("Add").Call(jen.Lit(a.field.role), me.convert(a, x), jen.Lit(""))
			}
		case a.field.parts: // instructions have no role or finish reason
			content := me.part(g, a.content, x, "content")
			g.Id(mb).Dot("Add").Call(content)
		default:
			role, content, finish := me.part(g, a.role, x, "role"), me.part(g, a.content, x, "content"), me.part(g, a.finish, x, "finish")
			g.Id(mb).Dot("Add").Call(role, content, finish)
		}
	})
	g.If(jen.Id(mb).Dot("Len").Call().Op(">").Lit(0)).Block(
		jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("String").Call(jen.Id(mb).Dot("String").Call())),
		jen.Id(n).Op("++"))
}

// jsonMessages hands the SDK's own message value to genai.MessagesJSON (or
// PartsJSON), which reads the JSON it marshals to.
func (me *methodEmitter) jsonMessages(g *jen.Group, a *attr, arr, n string) {
	me.access(g, jen.Id(a.root.name), true, a.chain, func(g *jen.Group, x *jen.Statement) {
		call := jen.Qual(pkgGenai, "MessagesJSON").Call(x, jen.Lit(a.field.role))
		if a.field.parts {
			call = jen.Qual(pkgGenai, "PartsJSON").Call(x)
		}
		s := me.s.fresh("s")
		g.If(jen.Id(s).Op(":=").Add(call), jen.Id(s).Op("!=").Lit("")).Block(
			jen.Id(arr).Index(jen.Id(n)).Op("=").Add(me.key(a).Dot("String").Call(jen.Id(s))),
			jen.Id(n).Op("++"))
	})
}

// textContent is one text as the attribute's JSON: a one-part list for
// system instructions, a one-message list otherwise.
func textContent(f field, text jen.Code) jen.Code {
	if f.parts {
		return jen.Qual(pkgGenai, "TextPart").Call(text)
	}
	return jen.Qual(pkgGenai, "TextMessage").Call(jen.Lit(f.role), text)
}

// part evaluates one message part relative to element x.
func (me *methodEmitter) part(g *jen.Group, p *attr, x *jen.Statement, name string) jen.Code {
	switch {
	case p == nil:
		return jen.Lit("")
	case p.root == nil && p.chain == nil:
		return jen.Lit(p.konst)
	}
	v := me.s.fresh(name)
	g.Var().Id(v).String()
	me.access(g, x.Clone(), true, p.chain, func(g *jen.Group, y *jen.Statement) {
		g.Id(v).Op("=").Add(me.convert(p, y))
	})
	return jen.Id(v)
}

// access reaches the end of chain from base and calls leaf with the
// expression there, inside the nil and length guards and the loop the
// chain needs. Guards on a pure expression (no calls) are gathered into one
// condition; an expression with a call is bound to a variable first, so
// nothing is evaluated twice.
func (me *methodEmitter) access(g *jen.Group, base *jen.Statement, pure bool, chain []hop, leaf func(*jen.Group, *jen.Statement)) {
	me.accessIf(g, base, pure, chain, leaf, nil)
}

func (me *methodEmitter) accessIf(g *jen.Group, x *jen.Statement, pure bool, chain []hop, leaf func(*jen.Group, *jen.Statement), conds []jen.Code) {
	flush := func(body func(*jen.Group)) { underConds(g, conds, body) }
	if len(chain) == 0 {
		flush(func(g *jen.Group) { leaf(g, x) })
		return
	}
	h, rest := chain[0], chain[1:]
	guard := func(x *jen.Statement) jen.Code {
		switch h.guard {
		case guardNil:
			return x.Clone().Op("!=").Nil()
		case guardLen:
			return jen.Len(x.Clone()).Op(">").Lit(h.idx)
		}
		return nil
	}
	step := func(g *jen.Group, x *jen.Statement, pure bool, conds []jen.Code) {
		switch h.kind {
		case hopField:
			me.accessIf(g, x.Clone().Dot(h.name), pure, rest, leaf, conds)
		case hopMethod:
			me.accessIf(g, x.Clone().Dot(h.name).Call(), false, rest, leaf, conds)
		case hopIndex:
			me.accessIf(g, x.Clone().Index(jen.Lit(h.idx)), pure, rest, leaf, conds)
		case hopDeref:
			deref := jen.Op("*").Add(x.Clone())
			if len(rest) > 0 {
				deref = jen.Parens(deref)
			}
			me.accessIf(g, deref, pure, rest, leaf, conds)
		case hopApply:
			me.accessIf(g, jen.Id(me.applied[h.name]), true, rest, leaf, conds)
		case hopKey:
			// Bind the value once, present only when the key is.
			flush2 := func(g *jen.Group) {
				v, ok := me.s.fresh("v"), me.s.fresh("ok")
				g.If(jen.List(jen.Id(v), jen.Id(ok)).Op(":=").Add(x.Clone()).Index(jen.Lit(h.name)), jen.Id(ok)).BlockFunc(func(g *jen.Group) {
					me.accessIf(g, jen.Id(v), true, rest, leaf, nil)
				})
			}
			underConds(g, conds, flush2)
		case hopEach:
			el := me.s.fresh("el")
			write := func(g *jen.Group) {
				g.For(jen.List(jen.Id("_"), jen.Id(el)).Op(":=").Range().Add(x.Clone())).BlockFunc(func(g *jen.Group) {
					me.accessIf(g, jen.Id(el), true, rest, leaf, nil)
				})
			}
			underConds(g, conds, write)
		}
	}
	switch c := guard(x); {
	case c == nil:
		step(g, x, pure, conds)
	case pure:
		step(g, x, pure, append(slices.Clone(conds), c))
	default:
		// Bind the call's result once, under the conditions so far.
		flush(func(g *jen.Group) {
			v := me.s.fresh("v")
			g.If(jen.Id(v).Op(":=").Add(x.Clone()), guard(jen.Id(v))).BlockFunc(func(g *jen.Group) {
				step(g, jen.Id(v), true, nil)
			})
		})
	}
}

// underConds emits body inside one if of the gathered conditions joined
// with &&, or directly when there are none.
func underConds(g *jen.Group, conds []jen.Code, body func(*jen.Group)) {
	if len(conds) == 0 {
		body(g)
		return
	}
	cond := jen.Add(conds[0])
	for _, c := range conds[1:] {
		cond = cond.Op("&&").Add(c)
	}
	g.If(cond).BlockFunc(body)
}
