package generator

import (
	"cmp"
	"go/types"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/genaitrace/genaitrace/generator/mapping"
)

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
		if m.stream.changesType() && i == m.stream.result {
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
		switch {
		case len(m.results) == 0:
			g.Add(me.call(""))
		case len(m.rewrap) == 0:
			g.Return(me.call(""))
		default:
			results := me.resultNames()
			g.List(results...).Op(":=").Add(me.call(""))
			me.rewraps(g)
			g.Return(results...)
		}
		return
	}

	// Before the call: options applied, the span name and the request
	// attributes.
	me.applyOptions(g)
	name := me.spanName(g)
	startOpts := []jen.Code{jen.Qual(pkgTrace, "WithSpanKind").Call(jen.Qual(pkgTrace, mapping.SpanKinds[m.kind]))}
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
	if m.propagate != nil {
		me.propagateTrace(g, ctx)
	}

	// The call.
	results := me.resultNames()
	if len(results) == 0 {
		g.Add(me.call(ctx))
	} else {
		g.List(results...).Op(":=").Add(me.call(ctx))
	}
	if m.err >= 0 {
		errName := m.results[m.err].name
		g.If(jen.Id(errName).Op("!=").Nil()).BlockFunc(func(g *jen.Group) {
			if st != "" {
				g.Id(st).Dot("Fail").Call(me.failArgs(jen.Id(errName), m.errType)...)
				g.Id(st).Dot("End").Call()
				g.Return(me.streamResults(results, jen.Nil())...)
				return
			}
			g.Id(span).Dot("SetStatus").Call(jen.Qual(pkgCodes, "Error"), jen.Id(errName).Dot("Error").Call())
			g.Id(span).Dot("SetAttributes").Call(jen.Qual(pkgGenai, "ErrorType").Dot("String").Call(me.errorType(jen.Id(errName), m.errType)))
			g.Return(results...)
		})
	}
	if m.failWhen != nil {
		// The call returned no error, but its result says it failed.
		me.access(g, jen.Id(m.failWhen.root.name), true, m.failWhen.chain, func(g *jen.Group, x *jen.Statement) {
			g.If(x).Block(
				jen.Id(span).Dot("SetStatus").Call(jen.Qual(pkgCodes, "Error"), jen.Lit(me.w.spec.Name+"."+m.name+": "+m.failWhen.value.Text)),
				jen.Id(span).Dot("SetAttributes").Call(jen.Qual(pkgGenai, "ErrorType").Dot("String").Call(jen.Lit(m.failType))))
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
	me.rewraps(g)
	if len(results) > 0 {
		g.Return(results...)
	}
}

// propagateTrace puts the span's trace context in the request's metadata
// map (MCP's params._meta), so the server's spans join the caller's trace:
// in a copy of the map, set in a copy of the request the caller passed by
// pointer (the caller may share both); a nil request becomes a new one.
func (me *methodEmitter) propagateTrace(g *jen.Group, ctx string) {
	p := me.m.propagate
	req := jen.Id(p.root.name)
	g.Comment("The call's trace context travels with the request: the server's spans join this trace.")
	c := p.root.name
	if p.ptr {
		c = me.s.fresh(p.root.name)
		g.Var().Id(c).Add(typeCode(p.structT))
		g.If(req.Clone().Op("!=").Nil()).Block(jen.Id(c).Op("=").Op("*").Add(req.Clone()))
	}
	field := jen.Id(c)
	for _, f := range p.fields {
		field = field.Dot(f)
	}
	fn := "TraceContextMap"
	if p.strings {
		fn = "TraceContextStrings"
	}
	g.Add(field).Op("=").Qual(pkgGenai, fn).Call(jen.Id(ctx), field.Clone())
	if p.ptr {
		g.Add(req).Op("=").Op("&").Id(c)
	}
}

// errorType is the error.type of err: the mapping's error_type function,
// or genai.ErrorTypeOf with the fallback (the mapping's constant, else
// the error result's static type).
func (me *methodEmitter) errorType(err jen.Code, static string) jen.Code {
	fallback := jen.Lit(cmp.Or(me.m.errConst, static))
	if name := me.e.errFuncs[me.w][me.m.errSpec]; name != "" {
		return jen.Id(name).Call(err, fallback)
	}
	return jen.Qual(pkgGenai, "ErrorTypeOf").Call(err, fallback)
}

// failArgs are genai.Stream.Fail's arguments for err: the error and the
// fallback type, read from the SDK's error when the mapping says how.
func (me *methodEmitter) failArgs(err *jen.Statement, static string) []jen.Code {
	if me.e.errFuncs[me.w][me.m.errSpec] != "" {
		return []jen.Code{err, me.errorType(err.Clone(), static)}
	}
	return []jen.Code{err, jen.Lit(cmp.Or(me.m.errConst, static))}
}

// declare declares v, of type t, as the value at the end of chain from
// base (value makes it of the expression there): in one statement when
// nothing on the way needs checking (v := req.Model), else declared, then
// set under the checks.
func (me *methodEmitter) declare(g *jen.Group, v string, t jen.Code, base *jen.Statement, chain []hop, value func(*jen.Statement) jen.Code) {
	if conds, x, ok := me.guardsOf(base, chain); ok && len(conds) == 0 {
		g.Id(v).Op(":=").Add(value(x))
		return
	}
	g.Var().Id(v).Add(t)
	me.access(g, base, true, chain, func(g *jen.Group, x *jen.Statement) {
		g.Id(v).Op("=").Add(value(x))
	})
}

func (me *methodEmitter) resultNames() []jen.Code {
	results := make([]jen.Code, len(me.m.results))
	for i, v := range me.m.results {
		results[i] = jen.Id(v.name)
	}
	return results
}

// rewraps wraps the results that are a wrapped interface of the file
// (the model eino's WithTools makes), so that tracing goes on with them.
func (me *methodEmitter) rewraps(g *jen.Group) {
	for i, v := range me.m.results {
		other := me.m.rewrap[i]
		if other == nil {
			continue
		}
		inner, tracer := me.e.fieldNames(other)
		g.Commentf("The %s %s returns is traced too.", other.spec.Name, me.m.name)
		g.If(jen.Id(v.name).Op("!=").Nil()).Block(
			jen.Id(v.name).Op("=").Op("&").Id(other.typeName).Values(jen.Dict{
				jen.Id(inner):  jen.Id(v.name),
				jen.Id(tracer): jen.Id(me.recv).Dot(me.tracer),
			}))
	}
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
			v := me.s.fresh("opts")
			me.applied[h.name] = v
			if h.getter != nil {
				// The SDK's own getter reads its struct options.
				sig := h.getter.Type().(*types.Signature)
				args := make([]jen.Code, 0, sig.Params().Len())
				for range sig.Params().Len() - 1 {
					args = append(args, jen.Nil())
				}
				args = append(args, jen.Id(a.root.name).Op("..."))
				g.Id(v).Op(":=").Qual(h.getter.Pkg().Path(), h.getter.Name()).Call(args...)
				return
			}
			o := me.s.fresh("o")
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
	if me.m.stream != nil && me.m.op != "span" {
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
	a := m.nameFrom
	if len(a.chain) == 0 && a.conv == convString && types.Identical(a.leaf, types.Typ[types.String]) {
		// The parameter itself (model string): no copy.
		me.nameVars[a] = a.root.name
		return jen.Qual(pkgGenai, "SpanName").Call(jen.Lit(m.op), jen.Id(a.root.name))
	}
	v := me.s.fresh(strings.TrimSuffix(strings.TrimPrefix(a.field.Key, "request_"), "_name"))
	me.declare(g, v, jen.String(), jen.Id(a.root.name), a.chain, func(x *jen.Statement) jen.Code { return me.convert(a, x) })
	me.nameVars[a] = v
	return jen.Qual(pkgGenai, "SpanName").Call(jen.Lit(m.op), jen.Id(v))
}
