package generator

import "go/types"

// The go/types predicates the model stage and -suggest share: what a
// type is (a context, an error, a string kind, a list, a stream's
// shape...), in one place so that generating and suggesting agree.

// isContext reports whether t is context.Context (or an alias of it).
func isContext(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

var errorIface = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)

// isError reports whether t is error or an error type that can be nil:
// aliases of error, named error interfaces, pointers implementing error.
func isError(t types.Type) bool {
	switch types.Unalias(t).Underlying().(type) {
	case *types.Interface, *types.Pointer:
		return types.Implements(t, errorIface)
	}
	return false
}

// isStringKind reports a string or a type whose underlying type is one.
func isStringKind(t types.Type) bool {
	b, ok := types.Unalias(t).Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

// isByteSlice reports a []byte.
func isByteSlice(t types.Type) bool {
	s, ok := types.Unalias(t).Underlying().(*types.Slice)
	if !ok {
		return false
	}
	b, ok := types.Unalias(s.Elem()).Underlying().(*types.Basic)
	return ok && b.Kind() == types.Byte
}

func hasStringMethod(t types.Type) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "String")
	fn, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	sig := fn.Type().(*types.Signature)
	return sig.Params().Len() == 0 && sig.Results().Len() == 1 && isStringKind(sig.Results().At(0).Type()) && fn.Exported()
}

func isInteger(t types.Type) bool {
	b, ok := types.Unalias(t).Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// nilable reports a type whose values can be nil.
func nilable(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Pointer, *types.Interface, *types.Chan, *types.Map, *types.Signature, *types.Slice:
		return true
	}
	return false
}

// derefGuard unwraps one pointer level of a leaf.
func derefGuard(t types.Type) (types.Type, bool) {
	if p, ok := types.Unalias(t).Underlying().(*types.Pointer); ok {
		if _, isNamedPtr := types.Unalias(t).(*types.Named); !isNamedPtr {
			return p.Elem(), true
		}
	}
	return t, false
}

func deref(t types.Type) types.Type {
	if p, ok := types.Unalias(t).Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

func derefAll(t types.Type) types.Type {
	for {
		p, ok := types.Unalias(t).Underlying().(*types.Pointer)
		if !ok {
			return t
		}
		t = p.Elem()
	}
}

// yieldFunc matches iter.Seq's and iter.Seq2's shape: func(yield func(T) bool)
// or func(yield func(T, U) bool).
func yieldFunc(sig *types.Signature) (*types.Signature, bool) {
	if sig.Params().Len() != 1 || sig.Results().Len() != 0 {
		return nil, false
	}
	y, ok := sig.Params().At(0).Type().Underlying().(*types.Signature)
	if !ok || y.Results().Len() != 1 || y.Params().Len() < 1 || y.Params().Len() > 2 {
		return nil, false
	}
	b, ok := y.Results().At(0).Type().Underlying().(*types.Basic)
	return y, ok && b.Kind() == types.Bool
}

// walk resolves a path's steps from the root's type, appending hops.
// optionsTarget reports whether t is a list of functional options,
// []func(*T) (a variadic ...Option with type Option func(*T)), and T.
func optionsTarget(t types.Type) (types.Type, bool) {
	s, ok := types.Unalias(t).Underlying().(*types.Slice)
	if !ok {
		return nil, false
	}
	sig, ok := types.Unalias(s.Elem()).Underlying().(*types.Signature)
	if !ok || sig.Params().Len() != 1 || sig.Results().Len() != 0 || sig.Variadic() {
		return nil, false
	}
	p, ok := types.Unalias(sig.Params().At(0).Type()).(*types.Pointer)
	if !ok {
		return nil, false
	}
	if _, isStruct := p.Elem().Underlying().(*types.Struct); !isStruct {
		return nil, false
	}
	return p.Elem(), true
}

// methodSig is the signature of t's exported method name, or nil.
func methodSig(t types.Type, name string) *types.Signature {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name)
	if fn, ok := obj.(*types.Func); ok {
		return fn.Type().(*types.Signature)
	}
	return nil
}

// returns reports a method with no arguments returning one value of type want.
func returns(sig *types.Signature, want types.Type) bool {
	return sig != nil && sig.Params().Len() == 0 && sig.Results().Len() == 1 && types.Identical(sig.Results().At(0).Type(), want)
}

func returnsError(sig *types.Signature) bool {
	return sig != nil && sig.Params().Len() == 0 && sig.Results().Len() == 1 && isError(sig.Results().At(0).Type())
}

// embeddableInterface reports a named interface type: a struct embedding
// it satisfies it.
func embeddableInterface(t types.Type) bool {
	_, isIface := t.Underlying().(*types.Interface)
	return isIface && sdkField(t) != ""
}

func isList(t types.Type) bool {
	switch types.Unalias(derefAll(t)).Underlying().(type) {
	case *types.Slice, *types.Array:
		return !isByteSlice(t)
	}
	return false
}

func isStringList(t types.Type) bool {
	s, ok := types.Unalias(t).Underlying().(*types.Slice)
	return ok && isStringKind(s.Elem())
}

func elemOf(t types.Type) types.Type {
	switch u := types.Unalias(derefAll(t)).Underlying().(type) {
	case *types.Slice:
		return u.Elem()
	case *types.Array:
		return u.Elem()
	}
	return nil
}

// isStructured reports a value worth recording as JSON: a struct, map or
// interface.
func isStructured(t types.Type) bool {
	switch types.Unalias(t).Underlying().(type) {
	case *types.Struct, *types.Map, *types.Interface:
		return true
	}
	return false
}

func isFloatList(t types.Type) bool {
	if t == nil {
		return false
	}
	s, ok := types.Unalias(t).Underlying().(*types.Slice)
	if !ok {
		return false
	}
	b, ok := types.Unalias(s.Elem()).Underlying().(*types.Basic)
	return ok && b.Info()&types.IsFloat != 0
}

// optionalValue recognises an SDK's optional value: a struct with a Value
// field and a Valid() bool method (openai-go's and anthropic-sdk-go's
// param.Opt[T]).
func optionalValue(t types.Type) (types.Type, bool) {
	s, ok := types.Unalias(t).Underlying().(*types.Struct)
	if !ok {
		return nil, false
	}
	var value types.Type
	for i := range s.NumFields() {
		if f := s.Field(i); f.Name() == "Value" && f.Exported() {
			value = f.Type()
		}
	}
	if value == nil {
		return nil, false
	}
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "Valid")
	fn, ok := obj.(*types.Func)
	if !ok {
		return nil, false
	}
	sig := fn.Type().(*types.Signature)
	if sig.Params().Len() != 0 || sig.Results().Len() != 1 || !types.Identical(sig.Results().At(0).Type(), types.Typ[types.Bool]) {
		return nil, false
	}
	return value, true
}
