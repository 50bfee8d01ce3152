package generator

import (
	"go/types"
	"slices"

	"github.com/dave/jennifer/jen"
)

// streamResults is the result list with the stream result replaced.
func (me *methodEmitter) streamResults(results []jen.Code, stream jen.Code) []jen.Code {
	out := slices.Clone(results)
	if me.m.stream.changesType() {
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
	if nilable(me.m.results[si.result].typ) {
		g.If(jen.Id(r).Op("==").Nil()).Block(
			jen.Id(st).Dot("End").Call(),
			jen.Return(me.streamResults(results, jen.Nil())...),
		)
	}
	if si.tracedType() {
		traced := jen.Op("&").Id(si.wrapperName).Values(jen.Dict{
			jen.Id(sdkField(si.sdkType)): jen.Id(r),
			jen.Id("st"):                 jen.Id(st),
		})
		if si.deliver == deliverSameType {
			g.Id(r).Op("=").Add(traced)
			return results
		}
		return me.streamResults(results, traced)
	}
	inner := me.s.fresh("inner")
	c, e := me.s.fresh("chunk"), me.s.fresh("e")
	g.Id(inner).Op(":=").Id(r)
	end := jen.Id(st).Dot("End").Call()
	if me.spanCtx != "" {
		end = jen.Id(st).Dot("EndContext").Call(jen.Id(me.spanCtx))
	}
	switch si.form {
	case streamSDK: // through the SDK's pipe
		me.pipe(g, st, inner, r, c, e, end)
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
						jen.Id(st).Dot("Fail").Call(me.failArgs(jen.Id(e), "")...),
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

// pipe copies an SDK stream through the SDK's pipe into a new stream of
// the same type, recording each chunk the consumer receives: a goroutine
// reads the SDK's stream and sends into the pipe's writer until the
// stream ends, fails or the consumer closes its end.
func (me *methodEmitter) pipe(g *jen.Group, st, inner, r, c, e string, end *jen.Statement) {
	si := me.m.stream
	pi, sh := si.pipe, si.shape
	pr, pw := me.s.fresh("pr"), me.s.fresh("pw")
	mk := jen.Qual(pi.fn.Pkg().Path(), pi.fn.Name())
	if pi.generic {
		mk = mk.Types(typeCode(si.chunk.typ))
	}
	var capArg []jen.Code
	if pi.capacity {
		capArg = append(capArg, jen.Lit(0)) // unbuffered: a chunk counts once the consumer has it
	}
	g.List(jen.Id(pr), jen.Id(pw)).Op(":=").Add(mk.Call(capArg...))
	send := func(g *jen.Group, chunk, err jen.Code) {
		call := jen.Id(pw).Dot("Send").Call(chunk, err)
		if pi.sendClosed {
			g.If(call).Block(jen.Return()) // the consumer closed its end
			return
		}
		g.Add(call)
	}
	g.Go().Func().Params().BlockFunc(func(g *jen.Group) {
		g.Defer().Id(pw).Dot("Close").Call()
		if sh.hasClose {
			g.Defer().Id(inner).Dot(sh.close).Call()
		}
		g.Defer().Add(end)
		if sh.recv {
			g.For().BlockFunc(func(g *jen.Group) {
				g.List(jen.Id(c), jen.Id(e)).Op(":=").Id(inner).Dot(sh.next).Call()
				g.If(jen.Qual("errors", "Is").Call(jen.Id(e), jen.Qual("io", "EOF"))).Block(jen.Return())
				g.If(jen.Id(e).Op("!=").Nil()).Block(
					jen.Id(st).Dot("Fail").Call(me.failArgs(jen.Id(e), "")...),
					jen.Id(pw).Dot("Send").Call(jen.Id(c), jen.Id(e)),
					jen.Return(),
				)
				send(g, jen.Id(c), jen.Nil())
				me.chunk(g, c, st)
			})
			return
		}
		g.For(jen.Id(inner).Dot(sh.next).Call()).BlockFunc(func(g *jen.Group) {
			g.Id(c).Op(":=").Id(inner).Dot(sh.current).Call()
			send(g, jen.Id(c), jen.Nil())
			me.chunk(g, c, st)
		})
		g.If(jen.Id(e).Op(":=").Id(inner).Dot(sh.err).Call(), jen.Id(e).Op("!=").Nil()).BlockFunc(func(g *jen.Group) {
			zero := me.s.fresh("zero")
			g.Id(st).Dot("Fail").Call(me.failArgs(jen.Id(e), "")...)
			g.Var().Id(zero).Add(typeCode(si.chunk.typ))
			g.Id(pw).Dot("Send").Call(jen.Id(zero), jen.Id(e))
		})
	}).Call()
	g.Id(r).Op("=").Id(pr)
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

// chunk records one chunk: the attributes read from it, then Chunk.
func (me *methodEmitter) chunk(g *jen.Group, c, st string) {
	si := me.m.stream
	si.chunk.name = c
	if si.chunkErr != nil {
		// A chunk carrying an error fails the stream instead of counting.
		failed := me.s.fresh("failed")
		if _, iface := types.Unalias(si.chunkErr.leaf).Underlying().(*types.Interface); iface {
			me.declare(g, failed, jen.Error(), jen.Id(c), si.chunkErr.chain, func(x *jen.Statement) jen.Code { return x })
		} else {
			g.Var().Id(failed).Error()
			me.access(g, jen.Id(c), true, si.chunkErr.chain, func(g *jen.Group, x *jen.Statement) {
				// A nil *T in an error interface is not nil: test the pointer.
				g.If(x.Clone().Op("!=").Nil()).Block(jen.Id(failed).Op("=").Add(x))
			})
		}
		g.If(jen.Id(failed).Op("!=").Nil()).Block(
			jen.Id(st).Dot("Fail").Call(me.failArgs(jen.Id(failed), "")...),
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
		if a.field.Delta {
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
