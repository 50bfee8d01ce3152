package generator

import (
	"slices"

	"github.com/dave/jennifer/jen"
)

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
