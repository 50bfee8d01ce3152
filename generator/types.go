package generator

import (
	"fmt"
	"go/types"
	"strconv"

	"github.com/dave/jennifer/jen"
)

// typeCode renders a go/types type as jennifer code, keeping aliases as
// spelled and anonymous structs, interfaces and func types as they are.
// Named types of the output package render unqualified (jennifer drops the
// qualifier of the file's own package).
func typeCode(t types.Type) jen.Code {
	switch t := t.(type) {
	case *types.Alias:
		obj := t.Obj()
		if obj.Pkg() == nil {
			return jen.Id(obj.Name()) // any
		}
		return withTypeArgs(jen.Qual(obj.Pkg().Path(), obj.Name()), t.TypeArgs())
	case *types.Named:
		obj := t.Obj()
		if obj.Pkg() == nil {
			return jen.Id(obj.Name()) // error, comparable
		}
		return withTypeArgs(jen.Qual(obj.Pkg().Path(), obj.Name()), t.TypeArgs())
	case *types.TypeParam:
		return jen.Id(t.Obj().Name())
	case *types.Basic:
		if t.Kind() == types.UnsafePointer {
			return jen.Qual("unsafe", "Pointer")
		}
		return jen.Id(t.Name())
	case *types.Pointer:
		return jen.Op("*").Add(typeCode(t.Elem()))
	case *types.Slice:
		return jen.Index().Add(typeCode(t.Elem()))
	case *types.Array:
		return jen.Index(jen.Lit(int(t.Len()))).Add(typeCode(t.Elem()))
	case *types.Map:
		return jen.Map(typeCode(t.Key())).Add(typeCode(t.Elem()))
	case *types.Chan:
		switch t.Dir() {
		case types.RecvOnly:
			return jen.Op("<-").Chan().Add(typeCode(t.Elem()))
		case types.SendOnly:
			return jen.Chan().Op("<-").Add(typeCode(t.Elem()))
		}
		return jen.Chan().Add(typeCode(t.Elem()))
	case *types.Signature:
		return jen.Func().Add(signatureCode(t))
	case *types.Struct:
		fields := make([]jen.Code, t.NumFields())
		for i := range fields {
			f := t.Field(i)
			c := jen.Null()
			if !f.Embedded() {
				c = jen.Id(f.Name())
			}
			c.Add(typeCode(f.Type()))
			if tag := t.Tag(i); tag != "" {
				c.Op(strconv.Quote(tag))
			}
			fields[i] = c
		}
		return jen.Struct(fields...)
	case *types.Interface:
		var items []jen.Code
		for i := range t.NumEmbeddeds() {
			items = append(items, typeCode(t.EmbeddedType(i)))
		}
		for i := range t.NumExplicitMethods() {
			m := t.ExplicitMethod(i)
			items = append(items, jen.Id(m.Name()).Add(signatureCode(m.Type().(*types.Signature))))
		}
		return jen.Interface(items...)
	case *types.Union:
		terms := make([]jen.Code, t.Len())
		for i := range terms {
			term := t.Term(i)
			c := jen.Null()
			if term.Tilde() {
				c.Op("~")
			}
			terms[i] = c.Add(typeCode(term.Type()))
		}
		return jen.Union(terms...)
	case *types.Tuple:
		panic("generator: tuple is not a type")
	}
	panic(fmt.Sprintf("generator: unsupported type %T", t))
}

func withTypeArgs(c *jen.Statement, args *types.TypeList) jen.Code {
	if args == nil || args.Len() == 0 {
		return c
	}
	list := make([]jen.Code, args.Len())
	for i := range list {
		list[i] = typeCode(args.At(i))
	}
	return c.Types(list...)
}

// signatureCode renders a signature's parameters and results, unnamed.
func signatureCode(sig *types.Signature) *jen.Statement {
	params := make([]jen.Code, sig.Params().Len())
	for i := range params {
		t := sig.Params().At(i).Type()
		if sig.Variadic() && i == len(params)-1 {
			params[i] = jen.Op("...").Add(typeCode(t.(*types.Slice).Elem()))
			continue
		}
		params[i] = typeCode(t)
	}
	results := make([]jen.Code, sig.Results().Len())
	for i := range results {
		results[i] = typeCode(sig.Results().At(i).Type())
	}
	s := jen.Params(params...)
	switch len(results) {
	case 0:
	case 1:
		s.Add(results[0])
	default:
		s.Params(results...)
	}
	return s
}

// namedSignatureCode renders a signature keeping its parameter names
// when every parameter has a distinct, non-blank one.
func namedSignatureCode(sig *types.Signature) *jen.Statement {
	params := sig.Params()
	seen := map[string]bool{}
	for i := range params.Len() {
		n := params.At(i).Name()
		if n == "" || n == "_" || seen[n] {
			return signatureCode(sig)
		}
		seen[n] = true
	}
	list := make([]jen.Code, params.Len())
	for i := range list {
		t := params.At(i).Type()
		if sig.Variadic() && i == len(list)-1 {
			list[i] = jen.Id(params.At(i).Name()).Op("...").Add(typeCode(t.(*types.Slice).Elem()))
			continue
		}
		list[i] = jen.Id(params.At(i).Name()).Add(typeCode(t))
	}
	results := jen.Null()
	switch sig.Results().Len() {
	case 0:
	case 1:
		results.Add(typeCode(sig.Results().At(0).Type()))
	default:
		rs := make([]jen.Code, sig.Results().Len())
		for i := range rs {
			rs[i] = typeCode(sig.Results().At(i).Type())
		}
		results.Params(rs...)
	}
	return jen.Params(list...).Add(results)
}

// typeParamsCode renders type parameters with their constraints, for
// declarations: [T any, K comparable].
func typeParamsCode(tps *types.TypeParamList) []jen.Code {
	out := make([]jen.Code, tps.Len())
	for i := range out {
		tp := tps.At(i)
		out[i] = jen.Id(tp.Obj().Name()).Add(constraintCode(tp.Constraint()))
	}
	return out
}

// constraintCode renders a constraint: a named constraint as its name, an
// implicit interface ([T ~int | string]) as its union.
func constraintCode(t types.Type) jen.Code {
	if iface, ok := t.(*types.Interface); ok && iface.IsImplicit() && iface.NumEmbeddeds() == 1 {
		return typeCode(iface.EmbeddedType(0))
	}
	return typeCode(t)
}

// typeArgsCode renders type parameters as arguments: [T, K].
func typeArgsCode(tps *types.TypeParamList) []jen.Code {
	out := make([]jen.Code, tps.Len())
	for i := range out {
		out[i] = jen.Id(tps.At(i).Obj().Name())
	}
	return out
}

// collectPackages lists the packages a type refers to.
func collectPackages(t types.Type, into map[string]*types.Package) {
	walkTypes(t, func(obj *types.TypeName) {
		if p := obj.Pkg(); p != nil {
			into[p.Path()] = p
		}
	})
}

// walkTypes calls named for every named type (and alias) t refers to.
func walkTypes(t types.Type, named func(*types.TypeName)) {
	seen := map[types.Type]bool{}
	var walk func(t types.Type)
	walk = func(t types.Type) {
		if t == nil || seen[t] {
			return
		}
		seen[t] = true
		switch t := t.(type) {
		case *types.Alias:
			named(t.Obj())
			if args := t.TypeArgs(); args != nil {
				for i := range args.Len() {
					walk(args.At(i))
				}
			}
		case *types.Named:
			named(t.Obj())
			if args := t.TypeArgs(); args != nil {
				for i := range args.Len() {
					walk(args.At(i))
				}
			}
		case *types.Pointer:
			walk(t.Elem())
		case *types.Slice:
			walk(t.Elem())
		case *types.Array:
			walk(t.Elem())
		case *types.Map:
			walk(t.Key())
			walk(t.Elem())
		case *types.Chan:
			walk(t.Elem())
		case *types.Signature:
			for i := range t.Params().Len() {
				walk(t.Params().At(i).Type())
			}
			for i := range t.Results().Len() {
				walk(t.Results().At(i).Type())
			}
		case *types.Struct:
			for i := range t.NumFields() {
				walk(t.Field(i).Type())
			}
		case *types.Interface:
			for i := range t.NumEmbeddeds() {
				walk(t.EmbeddedType(i))
			}
			for i := range t.NumExplicitMethods() {
				walk(t.ExplicitMethod(i).Type())
			}
		case *types.Union:
			for i := range t.Len() {
				walk(t.Term(i).Type())
			}
		case *types.TypeParam:
			walk(t.Constraint())
		case *types.Basic:
			if t.Kind() == types.UnsafePointer {
				named(types.Unsafe.Scope().Lookup("Pointer").(*types.TypeName))
			}
		}
	}
	walk(t)
}
