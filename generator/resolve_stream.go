package generator

import (
	"cmp"
	"fmt"
	"go/types"

	"github.com/genaitrace/genaitrace/generator/mapping"
)

// resolveStream finds the streamed result and its form by type: a func of
// iter.Seq's or iter.Seq2's shape, a receiving channel, or an SDK stream
// type (Next/Current/Err, or Recv ended by io.EOF), and how a traced SDK
// stream reaches the caller.
func (r *resolver) resolveStream(m *method, w *wrapper, sp *mapping.StreamSpec) *streamInfo {
	si := &streamInfo{result: -1, param: -1, spec: sp}
	if sp.Callback != "" {
		return r.resolveCallback(m, si)
	}
	for i, v := range m.results {
		if i == m.err {
			continue
		}
		if sp.Result == "" || v.mapName == sp.Result {
			si.result = i
			break
		}
	}
	if si.result < 0 {
		if sp.Result == "" {
			r.errorf(sp.Pos, "stream: %s returns no stream; want a method returning an iter.Seq, iter.Seq2, channel or stream type, or name a func parameter with callback:", m.name)
		} else {
			r.errorf(sp.Pos, "stream: no result %q to stream (%s)", sp.Result, m.names())
		}
		return nil
	}
	t := m.results[si.result].typ
	var elem types.Type
	switch u := t.Underlying().(type) {
	case *types.Signature:
		if y, ok := yieldFunc(u); ok {
			if y.Params().Len() == 1 {
				si.form, elem = streamSeq, y.Params().At(0).Type()
			} else {
				si.form, elem, si.second = streamSeq2, y.Params().At(0).Type(), y.Params().At(1).Type()
				si.errPairs = isError(si.second)
			}
		}
	case *types.Chan:
		if u.Dir() == types.SendOnly {
			r.errorf(sp.Pos, "stream: %s is a send-only channel; a stream result must be received from", typeName(t))
			return nil
		}
		si.form, elem = streamChan, u.Elem()
	}
	if elem == nil {
		shape, chunk, problem := sdkShapeOf(sp, t)
		if problem != "" {
			r.errorf(sp.Pos, "stream: %s", problem)
			return nil
		}
		si.form, si.sdkType, si.shape, elem = streamSDK, t, shape, chunk
		if !r.deliverSDK(si, w, m, chunk) {
			return nil
		}
	} else if sp.Pipe != "" {
		r.errorf(sp.PipePos, "stream: pipe: %s is traced in place, without a pipe; drop pipe:", typeName(t))
		return nil
	}
	return r.chunkAttrs(si, elem)
}

// deliverSDK decides how a traced SDK stream reaches the caller: through
// the SDK's pipe when the mapping names one, as a traced type satisfying
// the interface the method returns, or (wrapping a concrete type) as a
// traced type of its own.
func (r *resolver) deliverSDK(si *streamInfo, w *wrapper, m *method, chunk types.Type) bool {
	sp, t := si.spec, si.sdkType
	switch {
	case sp.Pipe != "":
		si.deliver = deliverPipe
		si.pipe = r.resolvePipe(sp, t, chunk)
		return si.pipe != nil
	case embeddableInterface(t):
		si.deliver = deliverSameType
	case w.emitIface != nil && sdkField(t) != "":
		si.deliver = deliverTraced
	default:
		hint := "wrap the concrete SDK type (type: \"*pkg.Client\"), whose wrapper can return a traced stream type, or declare the method to return an iter.Seq2 or a channel"
		if fn := findPipe(t, chunk); fn != nil {
			hint = fmt.Sprintf("name the SDK's pipe, which copies the stream into one of the same type: pipe: %s.%s", fn.Pkg().Path(), fn.Name())
		}
		r.errorf(sp.Pos, "stream: %s is an SDK stream type, which %s must return as it is; %s", typeName(t), m.name, hint)
		return false
	}
	si.wrapperName = w.typeName + m.name + "Stream"
	return true
}

// sdkShapeOf reads t's stream methods: Next() bool, Current() T and Err()
// error, or Recv() (T, error); and Close() error or Close(), if t has it
// (it must when the mapping names it). It returns the chunk type T, or
// what is wrong.
func sdkShapeOf(sp *mapping.StreamSpec, t types.Type) (sdkShape, types.Type, string) {
	s := sdkShape{next: cmp.Or(sp.Next, "Next"), current: cmp.Or(sp.Current, "Current"), err: cmp.Or(sp.Err, "Err"), close: cmp.Or(sp.Close, "Close")}
	var chunk types.Type
	if sp.Recv == "" {
		next, cur, errm := methodSig(t, s.next), methodSig(t, s.current), methodSig(t, s.err)
		if returns(next, types.Typ[types.Bool]) && cur != nil && cur.Params().Len() == 0 && cur.Results().Len() == 1 && returnsError(errm) {
			chunk = cur.Results().At(0).Type()
		}
	}
	if chunk == nil && sp.Next == "" && sp.Current == "" && sp.Err == "" {
		recv := methodSig(t, cmp.Or(sp.Recv, "Recv"))
		if recv != nil && recv.Params().Len() == 0 && recv.Results().Len() == 2 && isError(recv.Results().At(1).Type()) {
			s.recv, s.next, chunk = true, cmp.Or(sp.Recv, "Recv"), recv.Results().At(0).Type()
		}
	}
	if chunk == nil {
		return s, nil, fmt.Sprintf("%s is not a stream: want an iter.Seq or iter.Seq2, a channel, or a type with %s() bool, %s() T and %s() error, or with %s() (T, error) ended by io.EOF (name other methods with next:, current:, err:, recv:)",
			typeName(t), s.next, s.current, s.err, cmp.Or(sp.Recv, "Recv"))
	}
	switch c := methodSig(t, s.close); {
	case c != nil && c.Params().Len() == 0 && c.Results().Len() == 0:
		s.hasClose = true
	case c != nil && returnsError(c):
		s.hasClose, s.closeErr = true, true
	case sp.Close != "":
		return s, nil, fmt.Sprintf("%s has no method %s() error or %s() to close it (close: %s)", typeName(t), s.close, s.close, sp.Close)
	}
	return s, chunk, ""
}

// resolvePipe checks stream: pipe:, the SDK's function making a stream of
// the method's result type and its writer.
func (r *resolver) resolvePipe(sp *mapping.StreamSpec, t, chunk types.Type) *pipeInfo {
	path, name, _ := mapping.SplitTypeRef(sp.Pipe)
	pkg := r.findPackage(path)
	if pkg == nil {
		r.errorf(sp.PipePos, "stream: pipe: package %s was not loaded; check the import path of %s", path, sp.Pipe)
		return nil
	}
	fn, ok := pkg.Scope().Lookup(name).(*types.Func)
	if !ok {
		r.errorf(sp.PipePos, "stream: pipe: %s has no func %s%s", path, name, mapping.DidYouMean(name, funcNames(pkg)))
		return nil
	}
	pi, problem := checkPipe(fn, t, chunk)
	if problem != "" {
		r.errorf(sp.PipePos, "stream: pipe: %s.%s %s", pkg.Name(), name, problem)
		return nil
	}
	return pi
}

// checkPipe reports whether fn is a pipe for streams of type t carrying
// chunk: func([cap int]) (t, W), generic in the chunk type or not, W with
// Send(chunk, error) [bool] and Close(). It returns what does not fit.
func checkPipe(fn *types.Func, t, chunk types.Type) (*pipeInfo, string) {
	sig := fn.Type().(*types.Signature)
	pi := &pipeInfo{fn: fn}
	if n := sig.TypeParams().Len(); n > 0 {
		if n != 1 {
			return nil, fmt.Sprintf("has %d type parameters; want a pipe generic in the chunk type only", n)
		}
		inst, err := types.Instantiate(nil, sig, []types.Type{chunk}, true)
		if err != nil {
			return nil, fmt.Sprintf("cannot carry %s: %v", typeName(chunk), err)
		}
		sig, pi.generic = inst.(*types.Signature), true
	}
	switch {
	case sig.Params().Len() == 1 && isInteger(sig.Params().At(0).Type()) && !sig.Variadic():
		pi.capacity = true
	case sig.Params().Len() != 0:
		return nil, "takes arguments other than a capacity; want func(cap int) (reader, writer)"
	}
	if sig.Results().Len() != 2 || !types.Identical(sig.Results().At(0).Type(), t) {
		return nil, fmt.Sprintf("does not return a %s and its writer", typeName(t))
	}
	w := sig.Results().At(1).Type()
	send, closer := methodSig(w, "Send"), methodSig(w, "Close")
	if send == nil || send.Params().Len() != 2 || !types.Identical(send.Params().At(0).Type(), chunk) || !isError(send.Params().At(1).Type()) ||
		send.Results().Len() > 1 || (send.Results().Len() == 1 && !types.Identical(send.Results().At(0).Type(), types.Typ[types.Bool])) {
		return nil, fmt.Sprintf("returns a writer %s without Send(%s, error)", typeName(w), typeName(chunk))
	}
	if closer == nil || closer.Params().Len() != 0 || (closer.Results().Len() > 0 && !returnsError(closer)) {
		return nil, fmt.Sprintf("returns a writer %s without Close()", typeName(w))
	}
	pi.sendClosed = send.Results().Len() == 1
	return pi, ""
}

// findPipe looks for a pipe of t's streams in t's package (for a hint).
func findPipe(t, chunk types.Type) *types.Func {
	n, ok := types.Unalias(deref(t)).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return nil
	}
	scope := n.Obj().Pkg().Scope()
	for _, name := range scope.Names() {
		if fn, ok := scope.Lookup(name).(*types.Func); ok && fn.Exported() {
			if _, problem := checkPipe(fn, t, chunk); problem == "" {
				return fn
			}
		}
	}
	return nil
}

func funcNames(pkg *types.Package) []string {
	var out []string
	for _, name := range pkg.Scope().Names() {
		if fn, ok := pkg.Scope().Lookup(name).(*types.Func); ok && fn.Exported() {
			out = append(out, name)
		}
	}
	return out
}

// findPackage finds a loaded package by path, or one the loaded packages
// import.
func (r *resolver) findPackage(path string) *types.Package {
	if p := r.pkgs[path]; p != nil && p.Types != nil {
		return p.Types
	}
	seen := map[*types.Package]bool{}
	var find func(ps []*types.Package) *types.Package
	find = func(ps []*types.Package) *types.Package {
		for _, p := range ps {
			if seen[p] {
				continue
			}
			seen[p] = true
			if p.Path() == path {
				return p
			}
			if found := find(p.Imports()); found != nil {
				return found
			}
		}
		return nil
	}
	return find(loadedTypes(r.pkgs))
}

// resolveCallback resolves a stream delivered through a callback
// parameter: func(T) error or func(T), called once per chunk during the
// call.
func (r *resolver) resolveCallback(m *method, si *streamInfo) *streamInfo {
	sp := si.spec
	for i, p := range m.params {
		if p.mapName == sp.Callback {
			si.param = i
		}
	}
	if si.param < 0 {
		r.errorf(sp.Pos, "stream: callback: no parameter named %s (%s)", sp.Callback, m.names())
		return nil
	}
	sig, ok := m.params[si.param].typ.Underlying().(*types.Signature)
	if !ok || sig.Params().Len() != 1 || sig.Results().Len() > 1 || (sig.Results().Len() == 1 && !isError(sig.Results().At(0).Type())) || sig.Variadic() {
		r.errorf(sp.Pos, "stream: callback: %s is %s; want a func(T) error or func(T) called once per chunk", sp.Callback, typeName(m.params[si.param].typ))
		return nil
	}
	si.form = streamCallback
	return r.chunkAttrs(si, sig.Params().At(0).Type())
}

// chunkAttrs resolves the chunk paths against the chunk type.
func (r *resolver) chunkAttrs(si *streamInfo, elem types.Type) *streamInfo {
	si.chunk = &variable{mapName: "chunk", typ: elem}
	scope := &method{params: []*variable{si.chunk}, ctx: -1, err: -1}
	if v := si.spec.ChunkError; v != nil {
		si.chunkErr = r.resolveChunkError(scope, v)
	}
	for _, key := range mapping.FieldOrder {
		if v := si.spec.Chunk[key]; v != nil {
			if f := mapping.ChunkField(key); f.Delta && (v.Const || len(v.Sum) > 0 || v.When != nil) {
				r.errorf(v.Pos, "stream: chunk: output: want the path of the chunk's text delta, such as chunk.Delta.Text (no const, sum or when)")
			} else if a := r.resolveAttr(scope, v, f); a != nil {
				si.attrs = append(si.attrs, a)
			}
		}
	}
	return si
}

// resolveChunkError resolves stream: chunk_error:, a path to an error in
// the chunk.
func (r *resolver) resolveChunkError(scope *method, v *mapping.Value) *attr {
	a := &attr{value: v, each: -1, field: mapping.Field{Key: "chunk_error"}}
	if a.root = scope.lookup(v.Path.Root); a.root == nil || v.Path.Len || v.Path.EachIndex() >= 0 {
		r.errorf(v.Pos, "stream: chunk_error: %s: want the path of an error in the chunk, such as chunk.Err", v.Text)
		return nil
	}
	leaf, ok := r.walk(v, v.Path, a.root.typ, &a.chain)
	if !ok {
		return nil
	}
	if !isError(leaf) {
		r.errorf(v.Pos, "stream: chunk_error: %s is %s, not an error", v.Text, typeName(leaf))
		return nil
	}
	a.leaf = leaf
	return a
}

// sdkField is the field name of an embedded stream type: its type's name
// as spelled (an alias's own), "" for an unnamed type.
func sdkField(t types.Type) string {
	ptr := false
	if p, ok := t.(*types.Pointer); ok {
		t, ptr = p.Elem(), true
	}
	_, isPtr := t.Underlying().(*types.Pointer)
	_, isIface := t.Underlying().(*types.Interface)
	if isPtr || (ptr && isIface) {
		return "" // neither an alias of a pointer nor a pointer to an interface can be embedded
	}
	switch t := t.(type) {
	case *types.Alias:
		return t.Obj().Name()
	case *types.Named:
		return t.Obj().Name()
	}
	return ""
}
