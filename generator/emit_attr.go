package generator

import (
	"fmt"
	"go/types"
	"strconv"

	"github.com/dave/jennifer/jen"
	"github.com/genaitrace/genaitrace/generator/mapping"
)

// attrList emits the attributes of list into arr, counting in n. Content
// is recorded only when content capture is on.
func (me *methodEmitter) attrList(g *jen.Group, list []*attr, arr, n string) {
	var plain, content []*attr
	for _, a := range list {
		if a.field.Type == mapping.TypeMessages || a.field.Type == mapping.TypeText {
			content = append(content, a)
		} else {
			plain = append(plain, a)
		}
	}
	me.attrGroup(g, plain, arr, n)
	if len(content) > 0 {
		g.If(jen.Qual(pkgGenai, "CaptureContent").Call()).BlockFunc(func(g *jen.Group) {
			me.attrGroup(g, content, arr, n)
		})
	}
}

// attrGroup emits the attributes of list in order, those behind the same
// guards under one if: a value read at the end of nil checks alone is
// held back until the next needs other ones, so consecutive reads of
// result.Usage share if r != nil && r.Usage != nil.
func (me *methodEmitter) attrGroup(g *jen.Group, list []*attr, arr, n string) {
	var pending []guarded
	for _, a := range list {
		if item, ok := me.guardedLeaf(a, arr, n); ok {
			pending = append(pending, item)
			continue
		}
		emitGuarded(g, pending)
		pending = nil
		me.attr(g, a, arr, n)
	}
	emitGuarded(g, pending)
}

// guarded is code to emit under conditions (keys: their text).
type guarded struct {
	conds []jen.Code
	keys  []string
	body  func(*jen.Group)
}

// guardedLeaf is a single value read through nil and length checks
// alone, as code under its conditions, or false for any other attribute.
func (me *methodEmitter) guardedLeaf(a *attr, arr, n string) (guarded, bool) {
	if a.when != nil || a.sum != nil || a.first != nil || a.root == nil || a.each >= 0 || me.nameVars[a] != "" ||
		a.field.Type == mapping.TypeMessages || (a.value != nil && a.value.JSON) {
		return guarded{}, false
	}
	conds, x, ok := me.guardsOf(jen.Id(a.root.name), a.chain)
	if !ok {
		return guarded{}, false
	}
	item := guarded{conds: conds, body: func(g *jen.Group) { me.leaf(g, a, x, arr, n) }}
	for _, c := range conds {
		item.keys = append(item.keys, fmt.Sprintf("%#v", c))
	}
	return item, true
}

// guardsOf is the conditions and the expression that reach the end of
// chain from x, when they are nil and length checks on pure expressions
// only (no call to bind, no loop, no map lookup); ok is false otherwise.
func (me *methodEmitter) guardsOf(x *jen.Statement, chain []hop) (conds []jen.Code, leaf *jen.Statement, ok bool) {
	pure := true
	for i, h := range chain {
		switch h.guard {
		case guardNil:
			if !pure {
				return nil, nil, false
			}
			conds = append(conds, x.Clone().Op("!=").Nil())
		case guardLen:
			if !pure {
				return nil, nil, false
			}
			conds = append(conds, jen.Len(x.Clone()).Op(">").Lit(h.idx))
		}
		switch h.kind {
		case hopField:
			x = x.Clone().Dot(h.name)
		case hopMethod:
			x, pure = x.Clone().Dot(h.name).Call(), false
		case hopIndex:
			x = x.Clone().Index(jen.Lit(h.idx))
		case hopDeref:
			x = jen.Op("*").Add(x.Clone())
			if i < len(chain)-1 {
				x = jen.Parens(x)
			}
		case hopApply:
			x = jen.Id(me.applied[h.name])
		default:
			return nil, nil, false
		}
	}
	return conds, x, true
}

// emitGuarded emits items in order, a run of consecutive items sharing
// their first conditions under one if of what they share.
func emitGuarded(g *jen.Group, items []guarded) {
	for i := 0; i < len(items); {
		it := items[i]
		if len(it.conds) == 0 {
			it.body(g)
			i++
			continue
		}
		j := i + 1
		for j < len(items) && len(items[j].keys) > 0 && items[j].keys[0] == it.keys[0] {
			j++
		}
		run := items[i:j]
		i = j
		if len(run) == 1 {
			underConds(g, it.conds, it.body)
			continue
		}
		shared := len(it.keys)
		for _, o := range run[1:] {
			k := 0
			for k < shared && k < len(o.keys) && o.keys[k] == it.keys[k] {
				k++
			}
			shared = k
		}
		rest := make([]guarded, len(run))
		for k, o := range run {
			rest[k] = guarded{conds: o.conds[shared:], keys: o.keys[shared:], body: o.body}
		}
		underConds(g, it.conds[:shared], func(g *jen.Group) { emitGuarded(g, rest) })
	}
}

func (me *methodEmitter) set(g *jen.Group, arr, n string, kv jen.Code) {
	g.Id(arr).Index(jen.Id(n)).Op("=").Add(kv)
	g.Id(n).Op("++")
}

func (me *methodEmitter) key(a *attr) *jen.Statement { return jen.Qual(pkgGenai, a.field.Attr) }

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
	case a.field.Type == mapping.TypeMessages:
		me.messages(g, a, arr, n)
	case a.field.Type == mapping.TypeText && a.value != nil && a.value.JSON:
		me.jsonText(g, a, arr, n)
	case a.each >= 0:
		list := me.s.fresh("list")
		g.Var().Id(list).Index().String()
		me.access(g, jen.Id(a.root.name), true, a.chain, func(g *jen.Group, x *jen.Statement) {
			s := me.s.fresh("s")
			g.If(jen.Id(s).Op(":=").Add(me.convert(a, x)), jen.Id(s).Op("!=").Lit("")).Block(
				jen.Id(list).Op("=").Append(jen.Id(list), jen.Id(s)))
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
	switch a.field.Type {
	case mapping.TypeInt:
		v, _ := strconv.ParseFloat(a.konst, 64)
		return key.Dot("Int64").Call(jen.Lit(int64(v)))
	case mapping.TypeFloat:
		v, _ := strconv.ParseFloat(a.konst, 64)
		return key.Dot("Float64").Call(jen.Lit(v))
	case mapping.TypeBool:
		return key.Dot("Bool").Call(jen.Lit(a.konst == "true"))
	case mapping.TypeStrings:
		return key.Dot("StringSlice").Call(jen.Index().String().Values(jen.Lit(a.konst)))
	case mapping.TypeMessages:
		return key.Dot("String").Call(textContent(a.field, jen.Lit(a.konst)))
	}
	return key.Dot("String").Call(jen.Lit(a.konst))
}

// sum adds the parts present (nil pointers skipped) and records the total
// when at least one was.
func (me *methodEmitter) sum(g *jen.Group, a *attr, arr, n string) {
	total, seen := me.s.fresh("total"), me.s.fresh("seen")
	method := a.field.Type.Setter()
	g.Var().Id(total).Add(goType(a.field.Type))
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
	method := a.field.Type.Setter()
	g.If(jen.Id(seen)).Block(
		jen.Id(arr).Index(jen.Id(n)).Op("=").Add(me.key(a).Dot(method).Call(jen.Id(val))),
		jen.Id(n).Op("++"))
}

// firstValue declares val and seen and sets them from the first
// alternative present.
func (me *methodEmitter) firstValue(g *jen.Group, a *attr) (val, seen string) {
	val, seen = me.s.fresh("val"), me.s.fresh("seen")
	if a.field.Type == mapping.TypeStrings {
		// A list of the first alternative with a non-empty string (the
		// Responses API's incomplete reason, else its status).
		g.Var().Id(val).Index().String()
		g.Var().Id(seen).Bool()
		for _, alt := range a.first {
			me.access(g, jen.Id(alt.root.name), true, alt.chain, func(g *jen.Group, x *jen.Statement) {
				v := me.s.fresh("v")
				g.If(jen.Id(v).Op(":=").Qual(pkgGenai, "NonEmpty").Call(me.convert(alt, x)), jen.Op("!").Id(seen).Op("&&").Len(jen.Id(v)).Op(">").Lit(0)).Block(
					jen.List(jen.Id(val), jen.Id(seen)).Op("=").List(jen.Id(v), jen.True()))
			})
		}
		return val, seen
	}
	typ := goType(a.field.Type)
	var zero jen.Code
	switch {
	case a.field.Type == mapping.TypeString || a.field.Type == mapping.TypeText:
		zero = jen.Lit("")
	case me.inChunk && a.field.Type != mapping.TypeBool:
		zero = jen.Lit(0)
	}
	g.Var().Id(val).Add(typ)
	g.Var().Id(seen).Bool()
	for _, alt := range a.first {
		zero := zero
		if zero == nil && alt.conv == convAny && a.field.Type != mapping.TypeBool {
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
// A value read through a pointer the options set (eino's *float32) is
// unset when nil instead.
func fromOptions(a *attr) bool {
	return len(a.chain) > 0 && a.chain[0].kind == hopApply && a.chain[len(a.chain)-1].kind != hopDeref
}

// skipsZero reports a value whose zero means "not set": nonzero: true, or
// a field tagged omitempty (go-openai's Temperature float32: a 0 was not
// sent, and the model used its default), unless nonzero: false.
func skipsZero(a *attr) bool {
	if a.value != nil && a.value.NonZero != nil {
		return *a.value.NonZero
	}
	return len(a.chain) > 0 && a.chain[len(a.chain)-1].omitEmpty
}

// leaf records a single value at the end of a path.
func (me *methodEmitter) leaf(g *jen.Group, a *attr, x *jen.Statement, arr, n string) {
	key := me.key(a)
	val := me.convert(a, x)
	switch a.field.Type {
	case mapping.TypeString, mapping.TypeText:
		s := me.s.fresh("s")
		g.If(jen.Id(s).Op(":=").Add(val), jen.Id(s).Op("!=").Lit("")).Block(
			jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("String").Call(jen.Id(s))),
			jen.Id(n).Op("++"))
	case mapping.TypeInt, mapping.TypeFloat:
		method := a.field.Type.Setter()
		if !me.inChunk && !fromOptions(a) && !skipsZero(a) {
			me.set(g, arr, n, key.Dot(method).Call(val))
			return
		}
		v := me.s.fresh("v")
		g.If(jen.Id(v).Op(":=").Add(val), jen.Id(v).Op("!=").Lit(0)).Block(
			jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot(method).Call(jen.Id(v))),
			jen.Id(n).Op("++"))
	case mapping.TypeBool:
		if skipsZero(a) {
			g.If(val).Block(
				jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("Bool").Call(jen.True())),
				jen.Id(n).Op("++"))
			return
		}
		me.set(g, arr, n, key.Dot("Bool").Call(val))
	case mapping.TypeStrings:
		if a.conv == convOneString {
			s := me.s.fresh("s")
			g.If(jen.Id(s).Op(":=").Add(asString(a.leaf, x)), jen.Id(s).Op("!=").Lit("")).Block(
				jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("StringSlice").Call(jen.Index().String().Values(jen.Id(s)))),
				jen.Id(n).Op("++"))
			return
		}
		// Empty strings are not recorded: a choice without a finish
		// reason adds none.
		list := me.s.fresh("list")
		g.If(jen.Id(list).Op(":=").Qual(pkgGenai, "NonEmpty").Call(val), jen.Len(jen.Id(list)).Op(">").Lit(0)).Block(
			jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("StringSlice").Call(jen.Id(list))),
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
		if b, ok := types.Unalias(a.leaf).Underlying().(*types.Basic); ok && b.Kind() == types.Float32 {
			// 0.7, not 0.699999988079071
			if types.Identical(a.leaf, types.Typ[types.Float32]) {
				return jen.Qual(pkgGenai, "FromFloat32").Call(x)
			}
			return jen.Qual(pkgGenai, "FromFloat32").Call(jen.Float32().Call(x))
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
		if a.field.Type == mapping.TypeText {
			return jen.Qual(pkgGenai, "TextOf").Call(x) // a map of tool arguments as its JSON
		}
		return jen.Qual(pkgGenai, a.field.Type.Setter()+"Of").Call(x) // genai.Int64Of & co
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
	if a.content == nil && a.calls == nil && a.each < 0 {
		me.access(g, jen.Id(a.root.name), true, a.chain, func(g *jen.Group, x *jen.Statement) {
			s := me.s.fresh("s")
			g.If(jen.Id(s).Op(":=").Add(asString(a.leaf, x)), jen.Id(s).Op("!=").Lit("")).Block(
				jen.Id(arr).Index(jen.Id(n)).Op("=").Add(key.Dot("String").Call(textContent(a.field, jen.Id(s)))),
				jen.Id(n).Op("++"))
		})
		return
	}
	mb := me.s.fresh("msgs")
	if a.field.Parts {
		g.Var().Id(mb).Qual(pkgGenai, "Parts")
	} else {
		g.Var().Id(mb).Qual(pkgGenai, "Messages")
	}
	me.access(g, jen.Id(a.root.name), true, a.chain, func(g *jen.Group, x *jen.Statement) {
		switch {
		case a.content == nil && a.calls == nil: // []string: each element is a message's text
			if a.field.Parts {
				g.Id(mb).Dot("Add").Call(me.convert(a, x))
			} else {
				g.Id(mb).Dot("Add").Call(jen.Lit(a.field.Role), me.convert(a, x), jen.Lit(""))
			}
		case a.field.Parts: // instructions have no role or finish reason
			content := me.part(g, a.content, x, "content")
			g.Id(mb).Dot("Add").Call(content)
		default:
			role, content, finish := me.part(g, a.role, x, "role"), me.part(g, a.content, x, "content"), me.part(g, a.finish, x, "finish")
			g.Id(mb).Dot("Add").Call(role, content, finish)
			if a.calls != nil {
				me.access(g, x.Clone(), true, a.calls.chain, func(g *jen.Group, y *jen.Statement) {
					id, name, args := me.part(g, a.calls.id, y, "id"), me.part(g, a.calls.name, y, "name"), me.part(g, a.calls.args, y, "args")
					g.Id(mb).Dot("AddToolCall").Call(id, name, args)
				})
			}
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
		call := jen.Qual(pkgGenai, "MessagesJSON").Call(x, jen.Lit(a.field.Role))
		if a.field.Parts {
			call = jen.Qual(pkgGenai, "PartsJSON").Call(x)
		}
		s := me.s.fresh("s")
		g.If(jen.Id(s).Op(":=").Add(call), jen.Id(s).Op("!=").Lit("")).Block(
			jen.Id(arr).Index(jen.Id(n)).Op("=").Add(me.key(a).Dot("String").Call(jen.Id(s))),
			jen.Id(n).Op("++"))
	})
}

// jsonText records the JSON a value marshals to (genai.JSONText): tool
// arguments and results an SDK keeps as structured values or unions (an
// MCP tool result's content).
func (me *methodEmitter) jsonText(g *jen.Group, a *attr, arr, n string) {
	me.access(g, jen.Id(a.root.name), true, a.chain, func(g *jen.Group, x *jen.Statement) {
		s := me.s.fresh("s")
		g.If(jen.Id(s).Op(":=").Qual(pkgGenai, "JSONText").Call(x), jen.Id(s).Op("!=").Lit("")).Block(
			jen.Id(arr).Index(jen.Id(n)).Op("=").Add(me.key(a).Dot("String").Call(jen.Id(s))),
			jen.Id(n).Op("++"))
	})
}

// textContent is one text as the attribute's JSON: a one-part list for
// system instructions, a one-message list otherwise.
func textContent(f mapping.Field, text jen.Code) jen.Code {
	if f.Parts {
		return jen.Qual(pkgGenai, "TextPart").Call(text)
	}
	return jen.Qual(pkgGenai, "TextMessage").Call(jen.Lit(f.Role), text)
}

// part evaluates one message part relative to element x.
func (me *methodEmitter) part(g *jen.Group, p *attr, x *jen.Statement, name string) jen.Code {
	switch {
	case p == nil:
		return jen.Lit("")
	case p.root == nil && p.chain == nil:
		return jen.Lit(p.konst)
	}
	value := func(y *jen.Statement) jen.Code {
		if p.value != nil && p.value.JSON {
			return jen.Qual(pkgGenai, "JSONText").Call(y)
		}
		return me.convert(p, y)
	}
	if conds, y, ok := me.guardsOf(x.Clone(), p.chain); ok && len(conds) == 0 {
		return value(y) // msgs.Add(el.Message.Role, el.Message.Content, el.FinishReason)
	}
	v := me.s.fresh(name)
	me.declare(g, v, jen.String(), x.Clone(), p.chain, value)
	return jen.Id(v)
}

// goType is the Go type holding a scalar value of the type.
func goType(t mapping.AttrType) jen.Code {
	switch t {
	case mapping.TypeInt:
		return jen.Int64()
	case mapping.TypeFloat:
		return jen.Float64()
	case mapping.TypeBool:
		return jen.Bool()
	}
	return jen.String()
}
