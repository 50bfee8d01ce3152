package generator

import (
	"go/types"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/genaitrace/genaitrace/generator/mapping"
)

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
	e.nameErrorTypeFuncs(w)
	for _, m := range w.methods {
		me := &methodEmitter{e: e, w: w, m: m, recv: recv, inner: inner, tracer: tracer, nameVars: map[*attr]string{}}
		if m.skip {
			e.f.Commentf("%s calls the wrapped %s's %s without a span.", m.name, w.spec.Name, m.name)
		} else {
			e.f.Commentf("%s calls the wrapped %s's %s in a span.", m.name, w.spec.Name, m.name)
		}
		if m.deprecated != "" {
			e.f.Comment("")
			for _, line := range strings.Split(m.deprecated, "\n") {
				e.f.Comment(line)
			}
		}
		e.f.Func().Params(jen.Id(recv).Op("*").Add(self.Clone())).Id(m.name).
			ParamsFunc(me.params).Add(me.resultTypes()).BlockFunc(me.body)
		e.f.Line()
	}
	for _, m := range w.methods {
		if m.stream.tracedType() {
			e.sdkStreamType(w, m)
		}
	}
	e.errorTypeFuncs(w)
}

// nameErrorTypeFuncs names the functions reading error.type from the
// SDK's errors: one per error_type mapping of the wrapper (a
// wrapper-level one is shared by its methods).
func (e *emitter) nameErrorTypeFuncs(w *wrapper) {
	names := map[*mapping.ErrorTypeSpec]string{}
	for _, m := range w.methods {
		if m.errSpec == nil || names[m.errSpec] != "" {
			continue
		}
		base := strings.ToLower(w.typeName[:1]) + w.typeName[1:]
		if m.errSpec != w.spec.Defaults.ErrorType {
			base += m.name
		}
		names[m.errSpec] = e.files.fresh(base + "ErrorType")
	}
	e.errFuncs[w] = names
}

// errorTypeFuncs declares them: each tries its alternatives in order
// (errors.As to the SDK's error type, then the path or the constant;
// errors.Is to the SDK's sentinel, then the constant), the first value
// found being error.type, else genai.ErrorTypeOf's class.
func (e *emitter) errorTypeFuncs(w *wrapper) {
	done := map[*mapping.ErrorTypeSpec]bool{}
	for _, m := range w.methods {
		if m.errSpec == nil || done[m.errSpec] {
			continue
		}
		done[m.errSpec] = true
		name := e.errFuncs[w][m.errSpec]
		me := &methodEmitter{e: e, w: w, m: m, s: newScope(e.importNames()), nameVars: map[*attr]string{}}
		me.s.reserve("err")
		me.s.reserve("fallback")
		e.f.Commentf("%s is the error.type of a failed call of %s: what the SDK's error says, as the mapping reads it, else genai.ErrorTypeOf's class (fallback for an error of no known class).", name, w.spec.Name)
		e.f.Func().Id(name).Params(jen.Err().Error(), jen.Id("fallback").String()).String().BlockFunc(func(g *jen.Group) {
			for _, alt := range m.errAlts {
				if alt.sentinel != nil {
					g.If(jen.Qual("errors", "Is").Call(jen.Err(), jen.Qual(alt.sentinel.Pkg().Path(), alt.sentinel.Name()))).Block(jen.Return(jen.Lit(alt.constant)))
					continue
				}
				v := me.s.fresh("e")
				g.Var().Id(v).Add(typeCode(alt.target))
				if alt.attr == nil {
					g.If(jen.Qual("errors", "As").Call(jen.Err(), jen.Op("&").Id(v))).Block(jen.Return(jen.Lit(alt.constant)))
					continue
				}
				alt.attr.root.name = v
				found := func(g *jen.Group, x *jen.Statement) {
					if alt.attr.conv == convItoa {
						n := me.s.fresh("n")
						g.If(jen.Id(n).Op(":=").Add(x), jen.Id(n).Op("!=").Lit(0)).Block(
							jen.Return(jen.Qual("strconv", "FormatInt").Call(jen.Int64().Call(jen.Id(n)), jen.Lit(10))))
						return
					}
					s := me.s.fresh("s")
					g.If(jen.Id(s).Op(":=").Add(me.convert(alt.attr, x)), jen.Id(s).Op("!=").Lit("")).Block(jen.Return(jen.Id(s)))
				}
				as := jen.Qual("errors", "As").Call(jen.Err(), jen.Op("&").Id(v))
				if conds, x, ok := me.guardsOf(jen.Id(v), alt.attr.chain); ok {
					underConds(g, append([]jen.Code{as}, conds...), func(g *jen.Group) { found(g, x) })
					continue
				}
				g.If(as).BlockFunc(func(g *jen.Group) { me.access(g, jen.Id(v), true, alt.attr.chain, found) })
			}
			g.Return(jen.Qual(pkgGenai, "ErrorTypeOf").Call(jen.Err(), jen.Id("fallback")))
		})
		e.f.Line()
	}
}

// emitInterfaces declares, for a concrete SDK type, the interface of its
// exported methods, checked against the type at compile time. When a method
// returns an SDK stream, whose traced form is another type, that interface
// is <Key>API (what the wrapper wraps) and <Key> declares the traced
// signatures (what the wrapper offers). It returns the inner field's type.
func (e *emitter) emitInterfaces(w *wrapper) jen.Code {
	streams := slices.ContainsFunc(w.methods, func(m *method) bool { return m.stream.changesType() })
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
// embedded so every other method passes through, with Next (or Recv)
// recording each chunk and ending the span when the stream is drained or
// fails, and Close ending it too.
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
	recv := jen.Id("s").Op("*").Id(si.wrapperName)
	self := jen.Id("s").Dot(field)
	sh := si.shape
	if sh.recv {
		c := me.s.fresh("chunk")
		e.f.Commentf("%s receives the next chunk, recording it; io.EOF or an error ends the span.", sh.next)
		e.f.Func().Params(recv).Id(sh.next).Params().Params(typeCode(si.chunk.typ), jen.Error()).BlockFunc(func(g *jen.Group) {
			g.List(jen.Id(c), jen.Err()).Op(":=").Add(self.Clone()).Dot(sh.next).Call()
			g.If(jen.Err().Op("!=").Nil()).Block(
				jen.If(jen.Op("!").Qual("errors", "Is").Call(jen.Err(), jen.Qual("io", "EOF"))).Block(
					jen.Id("s").Dot("st").Dot("Fail").Call(me.failArgs(jen.Err(), "")...)),
				jen.Id("s").Dot("st").Dot("End").Call(),
				jen.Return(jen.Id(c), jen.Err()),
			)
			me.chunk(g, c, "s.st")
			g.Return(jen.Id(c), jen.Nil())
		})
	} else {
		e.f.Commentf("%s advances the stream, recording each chunk.", sh.next)
		e.f.Func().Params(recv).Id(sh.next).Params().Bool().BlockFunc(func(g *jen.Group) {
			g.If(self.Clone().Dot(sh.next).Call()).BlockFunc(func(g *jen.Group) {
				if len(si.attrs) == 0 && si.chunkErr == nil {
					g.Id("s").Dot("st").Dot("Chunk").Call() // nothing read from the chunk
				} else {
					c := me.s.fresh("chunk")
					g.Id(c).Op(":=").Add(self.Clone()).Dot(sh.current).Call()
					me.chunk(g, c, "s.st")
				}
				g.Return(jen.True())
			})
			if me.e.errFuncs[w][m.errSpec] != "" {
				g.Err().Op(":=").Add(self.Clone()).Dot(sh.err).Call()
				g.Id("s").Dot("st").Dot("Fail").Call(me.failArgs(jen.Err(), "")...)
			} else {
				g.Id("s").Dot("st").Dot("Fail").Call(self.Clone().Dot(sh.err).Call(), jen.Lit(m.errConst))
			}
			g.Id("s").Dot("st").Dot("End").Call()
			g.Return(jen.False())
		})
	}
	e.f.Line()
	if !sh.hasClose {
		return
	}
	e.f.Commentf("%s closes the stream and ends its span.", sh.close)
	if sh.closeErr {
		e.f.Func().Params(recv).Id(sh.close).Params().Error().Block(
			jen.Err().Op(":=").Add(self.Clone()).Dot(sh.close).Call(),
			jen.Id("s").Dot("st").Dot("End").Call(),
			jen.Return(jen.Err()),
		)
	} else {
		e.f.Func().Params(recv).Id(sh.close).Params().Block(
			self.Clone().Dot(sh.close).Call(),
			jen.Id("s").Dot("st").Dot("End").Call(),
		)
	}
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
