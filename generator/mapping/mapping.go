package mapping

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Pos is a position in the mapping file.
type Pos struct {
	File      string
	Line, Col int
}

// String is "file:line:col".
func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Mapping is a parsed annotations.yaml.
type Mapping struct {
	File     string
	Hash     string // sha256 of the file, hex
	Packages []*PackageSpec
}

// PackageSpec is the wrappers generated into one package.
type PackageSpec struct {
	Path     string // import path
	Pos      Pos
	Presets  []string
	Output   string // file name, default genaitrace_gen.go
	Build    string // //go:build expression for the output, optional
	Wrappers []*WrapperSpec
}

// WrapperSpec configures one wrapper.
type WrapperSpec struct {
	Name     string // the wrapped interface's name in the output package; wrapper is Traced<Name>
	Pos      Pos
	Type     string // what is wrapped: "" (Name here), "import/path.Iface" or "*import/path.Type"
	TypePos  Pos
	Defaults MethodSpec
	Methods  []*MethodSpec
	// Unmapped says what becomes of the methods the mapping says nothing
	// of: "span" (the default: a plain span when they take a context) or
	// "skip" (called straight through).
	Unmapped    string
	UnmappedPos Pos
	// Preset names the preset the wrapper comes from, its SDK's module
	// (the preset's sdk:), and where the user's mapping names it: a
	// problem of the user's module (the SDK not required) is reported
	// there, not in genaitrace's own templates/ file.
	Preset    string
	PresetSDK string
	PresetPos Pos
}

// MethodSpec configures one method, or the defaults of all methods.
type MethodSpec struct {
	Name      string
	Pos       Pos
	Skip      bool
	skipSet   bool // skip: was written (false can undo a preset's true)
	Stream    *StreamSpec
	SpanName  *Value
	Operation *Value
	Provider  *Value
	Kind      *Value
	// ErrorWhen is a bool path into the results: when it is true the call
	// failed though it returned no error (an MCP tool result with
	// IsError), and the span is marked so, with ErrorType's constant
	// (default tool_error for tools, _OTHER otherwise) as error.type.
	ErrorWhen *Value
	// ErrorType says what error.type a failed call records.
	ErrorType *ErrorTypeSpec
	// Options is the SDK's getter of struct options, "import/path.Func"
	// (eino's model.GetCommonOptions): paths on the options parameter read
	// what it returns.
	Options    string
	OptionsPos Pos
	// Propagate is the path of a request's metadata map (MCP's
	// params.Meta) that carries the call's trace context to the server.
	Propagate *Value
	Fields    map[string]*Value
}

// PackagePaths lists the packages a wrapper's mapping names besides its
// type: those of the pipes its streams copy through.
func (w *WrapperSpec) PackagePaths() []string {
	var out []string
	for _, ms := range append([]*MethodSpec{&w.Defaults}, w.Methods...) {
		if ms.Stream != nil && ms.Stream.Pipe != "" {
			path, _, _ := SplitTypeRef(ms.Stream.Pipe)
			out = append(out, path)
		}
		if ms.Options != "" {
			path, _, _ := SplitTypeRef(ms.Options)
			out = append(out, path)
		}
		if ms.ErrorType != nil {
			for _, alt := range ms.ErrorType.Alts {
				for _, ref := range []string{alt.As, alt.Is} {
					if path, _, _ := SplitTypeRef(ref); path != "" {
						out = append(out, path)
					}
				}
			}
		}
	}
	return out
}

// Says reports whether a method's own entry says anything (nil or {} do
// not).
func (ms *MethodSpec) Says() bool {
	return ms != nil && (ms.Skip || ms.Stream != nil || ms.SpanName != nil || ms.Operation != nil ||
		ms.Provider != nil || ms.Kind != nil || ms.ErrorWhen != nil || ms.ErrorType != nil || ms.Propagate != nil || len(ms.Fields) > 0)
}

// ErrorTypeSpec is error.type for a failed call: read from the error by
// the first alternative that finds a value (errors.As to the SDK's error
// type, then a path into it: the HTTP status, the provider's error code;
// or a constant for an error that is an SDK's sentinel, or of an SDK's
// type, which carries no code), else Const, else genai.ErrorTypeOf's
// classification.
//
//	error_type: [{as: "*github.com/sashabaranov/go-openai.APIError", path: err.Type}, rate_limited]
//	error_type: [{is: github.com/mark3labs/mcp-go/mcp.ErrInvalidParams, const: "-32602"}]
type ErrorTypeSpec struct {
	Pos   Pos
	Alts  []*ErrorTypeAlt
	Const string
}

// ErrorTypeAlt reads error.type from an error of type As (the error
// result's own type when empty and Is is too) at Path, rooted at err; or,
// when Const is set, is Const for an error errors.Is finds to be the
// sentinel variable Is names, or errors.As finds to be of type As.
type ErrorTypeAlt struct {
	As    string
	AsPos Pos
	Is    string
	IsPos Pos
	Path  *Value
	Const string
}

// StreamSpec says how a method's result streams: which result, the
// method names of an SDK stream type ("" for the defaults: Next, Current,
// Err, Recv, Close), the SDK's pipe that keeps its stream type, and the
// attributes read from each chunk (paths rooted at chunk; for each
// attribute the last value wins).
type StreamSpec struct {
	Pos                             Pos
	Result                          string
	Callback                        string
	Next, Current, Err, Recv, Close string
	// Pipe is the SDK's pipe, "import/path.Func", and where it is written.
	Pipe    string
	PipePos Pos
	Chunk   map[string]*Value
	// ChunkError is the path of an error a chunk may carry (a channel of
	// results): a chunk whose error is set fails the stream.
	ChunkError *Value
}

// Value is a mapping value: a path, or a constant.
type Value struct {
	Pos   Pos
	Text  string // the path or the constant as written
	Const bool
	Path  Path
	// Messages' parts, relative to each element of Path.
	Role, Content, FinishReason *Value
	// ToolCalls are each message's tool calls, relative to the element.
	ToolCalls *ToolCallsValue
	// When, if set, is a bool path: the attribute is recorded only when it
	// is true (an SDK's optional value: {path: p.Temperature.Value, when: p.Temperature.Valid()}).
	When *Value
	// Sum, for a list of paths, adds their values (token counts an SDK
	// reports in parts).
	Sum []*Value
	// First, for {first: [paths]}, records the first path whose value is
	// present (SDKs that name one value differently per provider).
	First []*Value
	// JSON marks messages read from the JSON the value marshals to
	// ({json: path}), for SDKs whose messages are unions.
	JSON bool
	// NonZero, when set, says whether a zero number (or false) is left
	// unrecorded: {path: p, nonzero: true}. Unset, a field tagged
	// omitempty or omitzero leaves its zero unrecorded (it was not sent).
	NonZero *bool
	// textCol is the column of Text's first byte: Pos's, or one more past
	// a quote; 0 when Text's columns cannot be told from the file's
	// (escapes in a quoted scalar).
	textCol int
}

// ToolCallsValue reads the tool calls of each message: Path, a list
// relative to the message, and each call's ID, Name and Arguments,
// relative to the call (tool_calls: {path: Message.ToolCalls, id: ID,
// name: Function.Name, arguments: Function.Arguments}).
type ToolCallsValue struct {
	Pos                 Pos
	Path                *Value
	ID, Name, Arguments *Value
}

// At is where a step of the value's path is in the file, so that an error
// points at the segment in error, not at the start of the path.
func (v *Value) At(st Step) Pos {
	if v.textCol == 0 {
		return v.Pos
	}
	return Pos{v.Pos.File, v.Pos.Line, v.textCol + st.off}
}

// ParseMapping parses annotations.yaml. Every error is reported, each as
// file:line:col: what is wrong, and how to fix it. Unless the file is not
// YAML at all, the mapping is returned with the errors, without the parts
// in error, so later checks can report their errors too.
func ParseMapping(file string, data []byte) (*Mapping, error) {
	sum := sha256.Sum256(data)
	m := &Mapping{File: file, Hash: hex.EncodeToString(sum[:])}
	p := &parser{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, p.yamlError(err, data)
	}
	if len(doc.Content) == 0 {
		return nil, &Error{Pos: Pos{file, 1, 1}, Msg: "the mapping is empty; want a top-level packages: key (see annotations.yaml in genaitrace's repository)"}
	}
	root := doc.Content[0]
	p.mapping(root, "the top level", []string{"packages"}, func(key string, k, v *yaml.Node) {
		p.eachEntry(v, "packages", func(k, v *yaml.Node) { m.Packages = append(m.Packages, p.pkg(k, v)) })
	})
	return m, p.errs.Err()
}

type parser struct {
	file string
	errs ErrorList
}

func (p *parser) pos(n *yaml.Node) Pos { return Pos{p.file, n.Line, n.Column} }

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs.Add(p.pos(n), format, args...)
}

// mapping walks a mapping node, rejecting unknown keys with the list of
// known ones.
func (p *parser) mapping(n *yaml.Node, where string, known []string, fn func(key string, k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping of keys to values, not %s", where, kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case seen[k.Value]:
			p.errorf(k, "%s: key %q appears twice; keep one", where, k.Value)
			continue
		case known != nil && !slices.Contains(known, k.Value):
			if hint := DidYouMean(k.Value, known); hint != "" {
				p.errorf(k, "%s: unknown key %q%s", where, k.Value, hint)
			} else {
				p.errorf(k, "%s: unknown key %q (known keys: %s)", where, k.Value, strings.Join(slices.Compact(slices.Sorted(slices.Values(known))), ", "))
			}
			continue
		}
		seen[k.Value] = true
		fn(k.Value, k, v)
	}
}

// eachEntry walks a mapping whose keys are names (packages, wrappers,
// methods).
func (p *parser) eachEntry(n *yaml.Node, where string, fn func(k, v *yaml.Node)) {
	p.mapping(n, where, nil, func(_ string, k, v *yaml.Node) { fn(k, v) })
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return fmt.Sprintf("the scalar %q", n.Value)
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a mapping"
}

func (p *parser) scalar(n *yaml.Node, where string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s must be a single value, not %s", where, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (p *parser) pkg(k, v *yaml.Node) *PackageSpec {
	ps := &PackageSpec{Path: k.Value, Pos: p.pos(k), Output: "genaitrace_gen.go"}
	if !validImportPath(ps.Path) {
		p.errorf(k, "%q is not an import path; want the import path of the package the wrappers are generated into, such as example.com/app/llm", ps.Path)
	}
	where := "package " + ps.Path
	p.mapping(v, where, []string{"output", "build", "preset", "presets", "wrappers"}, func(key string, k, v *yaml.Node) {
		switch key {
		case "preset", "presets": // preset: name reads as naturally as presets: [a, b]
			p.presets(v, where, ps)
		case "output":
			if s, ok := p.scalar(v, where+": output"); ok {
				if !strings.HasSuffix(s, ".go") || strings.ContainsAny(s, `/\`) || strings.HasSuffix(s, "_test.go") {
					p.errorf(v, "output %q must be a .go file name in the package directory, not a path or a test file, such as genaitrace_gen.go", s)
				}
				ps.Output = s
			}
		case "build":
			if s, ok := p.scalar(v, where+": build"); ok {
				ps.Build = s
			}
		case "wrappers":
			var own []*WrapperSpec
			p.eachEntry(v, where+": wrappers", func(k, v *yaml.Node) { own = append(own, p.wrapper(k, v)) })
			ps.Wrappers = mergeWrappers(ps.Wrappers, own)
		}
	})
	return ps
}

// presets reads a package's presets: a name or a list of names, each
// merged from templates/<name>.yaml.
func (p *parser) presets(v *yaml.Node, where string, ps *PackageSpec) {
	var names []*yaml.Node
	switch v.Kind {
	case yaml.ScalarNode:
		names = []*yaml.Node{v}
	case yaml.SequenceNode:
		names = v.Content
	default:
		p.errorf(v, "%s: presets must be a name or a list of names (presets: %s)", where, strings.Join(presetNames(), ", "))
		return
	}
	for _, n := range names {
		name, ok := p.scalar(n, where+": presets")
		if !ok {
			continue
		}
		wrappers, err := LoadPreset(name)
		if err != nil {
			p.errorf(n, "%s: %v", where, err)
			continue
		}
		for _, w := range wrappers {
			w.PresetPos = p.pos(n)
		}
		ps.Presets = append(ps.Presets, name)
		ps.Wrappers = mergeWrappers(ps.Wrappers, wrappers)
	}
}

func validImportPath(s string) bool {
	if s == "" || strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "//") {
		return false
	}
	return !strings.ContainsAny(s, " \t\\:*?\"<>|")
}

var methodKeys = func() []string {
	keys := []string{"skip", "stream", "span_name", "operation", "provider", "kind", "error_when", "error_type", "options", "propagate"}
	return append(keys, FieldOrder...)
}()

func (p *parser) wrapper(k, v *yaml.Node) *WrapperSpec {
	w := &WrapperSpec{Name: k.Value, Pos: p.pos(k)}
	if !isIdent(w.Name) {
		p.errorf(k, "wrapper %q: the key must be a Go identifier, the interface's name (or the name of the interface to emit for a concrete type)", w.Name)
	}
	where := w.Name
	keys := append([]string{"type", "methods", "unmapped"}, methodKeys[2:]...) // no skip or stream at interface level
	p.mapping(v, where, keys, func(key string, k, v *yaml.Node) {
		switch key {
		case "type":
			if s, ok := p.scalar(v, where+": type"); ok {
				w.Type, w.TypePos = s, p.pos(v)
			}
		case "unmapped":
			if s, ok := p.scalar(v, where+": unmapped"); ok {
				if s != "span" && s != "skip" {
					p.errorf(v, "%s: unmapped: %q; want span (a plain span for each method the mapping says nothing of, the default) or skip (call them straight through)", where, s)
				}
				w.Unmapped, w.UnmappedPos = s, p.pos(v)
			}
		case "methods":
			p.eachEntry(v, where+": methods", func(k, v *yaml.Node) {
				ms := &MethodSpec{Name: k.Value, Pos: p.pos(k)}
				if !isIdent(ms.Name) {
					p.errorf(k, "%s: method %q is not a Go identifier", where, ms.Name)
				}
				p.method(v, where+"."+ms.Name, ms, methodKeys)
				w.Methods = append(w.Methods, ms)
			})
		default:
			p.methodKey(key, v, where, &w.Defaults)
		}
	})
	return w
}

func (p *parser) method(n *yaml.Node, where string, ms *MethodSpec, known []string) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "Method:" with nothing: defaults only
	}
	p.mapping(n, where, known, func(key string, k, v *yaml.Node) { p.methodKey(key, v, where, ms) })
}

func (p *parser) methodKey(key string, v *yaml.Node, where string, ms *MethodSpec) {
	where += ": " + key
	switch key {
	case "skip":
		if s, ok := p.scalar(v, where); ok {
			b, err := strconv.ParseBool(s)
			if err != nil {
				p.errorf(v, "%s: %q is not a boolean; want true or false", where, s)
			}
			ms.Skip, ms.skipSet = b, true
		}
	case "stream":
		ms.Stream = p.stream(v, where)
	case "span_name", "provider":
		if s, ok := p.scalar(v, where); ok {
			val := &Value{Pos: p.pos(v), Text: s, Const: true}
			if key == "span_name" {
				ms.SpanName = val
			} else {
				ms.Provider = val
			}
		}
	case "operation":
		if s, ok := p.scalar(v, where); ok {
			if _, ok := Operations[s]; !ok {
				p.errorf(v, "%s: unknown operation %q%s (known: %s)", where, s, DidYouMean(s, sortedKeys(Operations)), strings.Join(sortedKeys(Operations), ", "))
			}
			ms.Operation = &Value{Pos: p.pos(v), Text: s, Const: true}
		}
	case "error_when":
		ms.ErrorWhen = p.pathValue(v, where)
	case "propagate":
		ms.Propagate = p.pathValue(v, where)
	case "error_type":
		ms.ErrorType = p.errorType(v, where)
	case "options":
		if s, ok := p.scalar(v, where); ok {
			if !isFuncRef(s) {
				p.errorf(v, "%s: %q is not a function; want the import path and name of the SDK's options getter, such as github.com/cloudwego/eino/components/model.GetCommonOptions", where, s)
				return
			}
			ms.Options, ms.OptionsPos = s, p.pos(v)
		}
	case "kind":
		if s, ok := p.scalar(v, where); ok {
			if _, ok := SpanKinds[s]; !ok {
				p.errorf(v, "%s: unknown span kind %q (known: %s)", where, s, strings.Join(sortedKeys(SpanKinds), ", "))
			}
			ms.Kind = &Value{Pos: p.pos(v), Text: s, Const: true}
		}
	default:
		if ms.Fields == nil {
			ms.Fields = map[string]*Value{}
		}
		if val := p.value(v, where, Fields[key]); val != nil {
			ms.Fields[key] = val
		}
	}
}

var streamKeys = []string{"result", "callback", "next", "current", "err", "recv", "close", "pipe", "chunk", "chunk_error"}

func (p *parser) stream(n *yaml.Node, where string) *StreamSpec {
	st := &StreamSpec{Pos: p.pos(n), Chunk: map[string]*Value{}}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return st
	}
	p.mapping(n, where, streamKeys, func(key string, k, v *yaml.Node) {
		if key == "chunk" {
			p.mapping(v, where+": chunk", FieldOrder, func(fk string, _, fv *yaml.Node) {
				f := ChunkField(fk)
				if (f.Type == TypeMessages || f.Type == TypeText) && !f.Delta {
					p.errorf(fv, "%s: chunk: %s: content is not recorded from stream chunks; the chunk's output (its text delta) is", where, fk)
					return
				}
				if val := p.value(fv, where+": chunk: "+fk, f); val != nil {
					st.Chunk[fk] = val
				}
			})
			return
		}
		if key == "chunk_error" {
			st.ChunkError = p.pathValue(v, where+": chunk_error")
			return
		}
		s, ok := p.scalar(v, where+": "+key)
		if !ok {
			return
		}
		if key == "pipe" {
			if !isFuncRef(s) {
				p.errorf(v, "%s: pipe: %q is not a function; want the import path and name of the SDK's pipe, such as github.com/cloudwego/eino/schema.Pipe", where, s)
				return
			}
			st.Pipe, st.PipePos = s, p.pos(v)
			return
		}
		if !isIdent(s) {
			p.errorf(v, "%s: %s: %q is not a Go identifier", where, key, s)
			return
		}
		switch key {
		case "result":
			st.Result = s
		case "callback":
			st.Callback = s
		case "next":
			st.Next = s
		case "current":
			st.Current = s
		case "err":
			st.Err = s
		case "recv":
			st.Recv = s
		case "close":
			st.Close = s
		}
	})
	return st
}

// value parses a field's value: a path, {const: literal}, or for messages
// {path: ..., role: ..., content: ..., finish_reason: ...}.
func (p *parser) value(n *yaml.Node, where string, f Field) *Value {
	if n.Kind == yaml.ScalarNode {
		return p.pathValue(n, where)
	}
	if n.Kind == yaml.SequenceNode {
		if f.Type != TypeInt && f.Type != TypeFloat {
			p.errorf(n, "%s: a list of paths is summed, which only a number can be", where)
			return nil
		}
		sum := &Value{Pos: p.pos(n)}
		var ok bool
		if sum.Sum, sum.Text, ok = p.pathList(n, where, " + "); !ok {
			return nil
		}
		if len(sum.Sum) == 0 {
			p.errorf(n, "%s: an empty list; want one or more paths to add", where)
			return nil
		}
		sum.Path = sum.Sum[0].Path
		return sum
	}
	known := []string{"const", "path", "when", "first", "nonzero"}
	switch f.Type {
	case TypeMessages:
		known = []string{"const", "path", "json", "when", "role", "content", "finish_reason", "tool_calls", "first"}
	case TypeText:
		known = []string{"const", "path", "json", "when", "first"}
	}
	val := &Value{Pos: p.pos(n)}
	var ok bool
	reported := len(p.errs)
	p.mapping(n, where, known, func(key string, k, v *yaml.Node) {
		switch key {
		case "const":
			if s, okS := p.scalar(v, where+": const"); okS {
				val.Text, val.Const, val.Pos, ok = s, true, p.pos(v), true
			}
		case "path":
			if pv := p.pathValue(v, where+": path"); pv != nil {
				val.Text, val.Path, val.Pos, ok = pv.Text, pv.Path, pv.Pos, true
			}
		case "first":
			if first := p.firstValue(v, where+": first", f); first != nil {
				val.Text, val.Path, val.First, ok = first.Text, first.Path, first.First, true
			}
		case "json":
			if pv := p.pathValue(v, where+": json"); pv != nil {
				val.Text, val.Path, val.Pos, val.JSON, ok = pv.Text, pv.Path, pv.Pos, true, true
			}
		case "when":
			val.When = p.pathValue(v, where+": when")
		case "nonzero":
			if s, okS := p.scalar(v, where+": nonzero"); okS {
				b, err := strconv.ParseBool(s)
				if err != nil {
					p.errorf(v, "%s: nonzero: %q is not a boolean; want true (a zero is not recorded) or false (it is, even for an omitempty field)", where, s)
				}
				val.NonZero = &b
			}
		case "role":
			val.Role = p.partValue(v, where+": role")
		case "content":
			val.Content = p.partValue(v, where+": content")
		case "finish_reason":
			val.FinishReason = p.partValue(v, where+": finish_reason")
		case "tool_calls":
			val.ToolCalls = p.toolCalls(v, where+": tool_calls")
		}
	})
	if !ok {
		if n.Kind == yaml.MappingNode && len(p.errs) == reported {
			p.errorf(n, "%s: want a path such as req.Model, {const: value}%s", where, map[bool]string{true: " or {path: ..., role: ..., content: ...}"}[f.Type == TypeMessages])
		}
		return nil
	}
	if val.Const && val.When != nil {
		p.errorf(n, "%s: const cannot have when", where)
	}
	if val.Const && (val.Role != nil || val.Content != nil || val.FinishReason != nil || val.ToolCalls != nil) {
		p.errorf(n, "%s: const cannot have role, content, finish_reason or tool_calls", where)
	}
	if len(val.First) > 0 && (val.Const || val.When != nil) {
		p.errorf(n, "%s: first: is a list of paths alone; drop const, path and when", where)
		return nil
	}
	if val.JSON && (val.Const || val.Role != nil || val.Content != nil || val.FinishReason != nil || val.ToolCalls != nil || val.When != nil) {
		p.errorf(n, "%s: json: is a path alone (the value is read from its JSON); drop const, path, role, content, finish_reason and when", where)
		return nil
	}
	if !val.Const && val.Content == nil && val.ToolCalls == nil && (val.Role != nil || val.FinishReason != nil) {
		p.errorf(n, "%s: role and finish_reason need content (the path of each message's text) or tool_calls", where)
	}
	return val
}

// errorType parses error_type: a constant, a path into the error
// (err.Code), {as: "*pkg.APIError", path: err.Code}, {as: T, const: c},
// {is: pkg.ErrX, const: c}, or a list of those tried in order, a
// constant last.
func (p *parser) errorType(n *yaml.Node, where string) *ErrorTypeSpec {
	et := &ErrorTypeSpec{Pos: p.pos(n)}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	for i, it := range items {
		switch {
		case it.Kind == yaml.ScalarNode && (it.Value == "err" || strings.HasPrefix(it.Value, "err.") || strings.HasPrefix(it.Value, "err[")):
			if alt := p.errorTypePath(it, where, &ErrorTypeAlt{}); alt != nil {
				et.Alts = append(et.Alts, alt)
			}
		case it.Kind == yaml.ScalarNode:
			if i != len(items)-1 {
				p.errorf(it, "%s: the constant %q is the fallback when no path finds a value; put it last", where, it.Value)
			}
			et.Const = it.Value
		case it.Kind == yaml.MappingNode:
			if alt := p.errorTypeAlt(it, where); alt != nil {
				et.Alts = append(et.Alts, alt)
			}
		default:
			p.errorf(it, "%s: want a constant, a path such as err.Code, {as: \"*pkg.APIError\", path: err.Code}, or {is: pkg.ErrNotFound, const: not_found}", where)
		}
	}
	return et
}

// errorTypeAlt parses an alternative written as a mapping: {as: T, path:
// err.Field} reads error.type from an error of type T; {as: T, const: c}
// and {is: pkg.ErrX, const: c} set it for an error of type T, or one that
// is the sentinel pkg.ErrX (an SDK whose errors carry no code).
func (p *parser) errorTypeAlt(n *yaml.Node, where string) *ErrorTypeAlt {
	alt := &ErrorTypeAlt{}
	var pathNode, constNode *yaml.Node
	bad := false // an as: or is: already reported
	p.mapping(n, where, []string{"as", "is", "path", "const"}, func(key string, _, v *yaml.Node) {
		switch key {
		case "path":
			pathNode = v
		case "const":
			if s, ok := p.scalar(v, where+": const"); ok {
				constNode, alt.Const = v, s
			}
		case "as":
			if s, ok := p.scalar(v, where+": as"); ok {
				if path, name, _ := SplitTypeRef(s); path == "" || !isIdent(name) {
					p.errorf(v, "%s: as: %q is not a type; want the import path and name of the SDK's error type, such as \"*github.com/sashabaranov/go-openai.APIError\"", where, s)
					bad = true
					return
				}
				alt.As, alt.AsPos = s, p.pos(v)
			}
		case "is":
			if s, ok := p.scalar(v, where+": is"); ok {
				path, name, star := SplitTypeRef(s)
				switch {
				case path == "" || !isIdent(name):
					p.errorf(v, "%s: is: %q is not a variable; want the import path and name of the SDK's sentinel error, such as github.com/mark3labs/mcp-go/mcp.ErrMethodNotFound", where, s)
					bad = true
					return
				case star:
					p.errorf(v, "%s: is: %q: errors.Is compares with the variable itself; drop the *: is: %s.%s", where, s, path, name)
					bad = true
					return
				}
				alt.Is, alt.IsPos = s, p.pos(v)
			}
		}
	})
	switch {
	case bad:
	case alt.As != "" && alt.Is != "":
		p.errorf(n, "%s: as: and is: are two tests; write each as an alternative of its own", where)
	case pathNode != nil && constNode != nil:
		p.errorf(constNode, "%s: path: reads error.type from the error and const: sets it; keep one", where)
	case alt.Is != "" && pathNode != nil:
		p.errorf(pathNode, "%s: is: %s is one error value, with nothing to read; set the error.type it stands for: {is: %s, const: not_found}", where, alt.Is, alt.Is)
	case pathNode != nil:
		return p.errorTypePath(pathNode, where, alt)
	case constNode != nil && alt.As == "" && alt.Is == "":
		p.errorf(n, "%s: const: %s alone is the fallback; write it as a plain value, last: error_type: [..., %s]", where, alt.Const, alt.Const)
	case constNode != nil && alt.Const == "":
		p.errorf(constNode, "%s: const: is empty; write the error.type to record", where)
	case constNode != nil:
		return alt
	case alt.Is != "":
		p.errorf(n, "%s: want {is: %s, const: not_found}: the error.type of an error errors.Is finds to be %s", where, alt.Is, alt.Is)
	case alt.As != "":
		p.errorf(n, "%s: want {as: %q, path: err.Code}, the path of error.type in the error, or {as: %q, const: not_found} when the type carries none", where, alt.As, alt.As)
	}
	return nil
}

func (p *parser) errorTypePath(n *yaml.Node, where string, alt *ErrorTypeAlt) *ErrorTypeAlt {
	v := p.pathValue(n, where+": path")
	if v == nil {
		return nil
	}
	if v.Path.Root != "err" || v.Path.Len {
		p.errorf(n, "%s: path: %s: start at err, the error (of the type as: names), such as err.StatusCode", where, v.Text)
		return nil
	}
	alt.Path = v
	return alt
}

// toolCalls parses a message's tool_calls: {path: ..., id: ..., name:
// ..., arguments: ...}, every path relative (the list's to the message,
// the rest to each call).
func (p *parser) toolCalls(n *yaml.Node, where string) *ToolCallsValue {
	tc := &ToolCallsValue{Pos: p.pos(n)}
	p.mapping(n, where, []string{"path", "id", "name", "arguments"}, func(key string, _, v *yaml.Node) {
		if key == "path" {
			tc.Path = p.pathValue(v, where+": path")
			return
		}
		pv := p.partValue(v, where+": "+key)
		if key == "arguments" && v.Kind == yaml.MappingNode {
			pv = p.value(v, where+": arguments", Field{Type: TypeText}) // {json: Function.Input}
		}
		switch key {
		case "id":
			tc.ID = pv
		case "name":
			tc.Name = pv
		case "arguments":
			tc.Arguments = pv
		}
	})
	if n.Kind == yaml.MappingNode && tc.Path == nil {
		p.errorf(n, "%s: want the path of each message's list of tool calls, such as {path: Message.ToolCalls, id: ID, name: Function.Name, arguments: Function.Arguments}", where)
		return nil
	}
	if tc.Path == nil {
		return nil
	}
	return tc
}

// firstValue parses first:'s list of alternative paths.
func (p *parser) firstValue(n *yaml.Node, where string, f Field) *Value {
	if f.Type == TypeMessages {
		p.errorf(n, "%s: picks one value, which %s (messages) cannot be; map the one path the SDK fills, or {json: path} of the value that holds both", where, f.Key)
		return nil
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errorf(n, "%s: want a list of paths, tried in order: [a.B, a.C]", where)
		return nil
	}
	first := &Value{Pos: p.pos(n)}
	var ok bool
	if first.First, first.Text, ok = p.pathList(n, where, " | "); !ok {
		return nil
	}
	first.Path = first.First[0].Path
	return first
}

// pathList parses a list of paths (summed, or alternatives), and their
// text joined with sep.
func (p *parser) pathList(n *yaml.Node, where, sep string) ([]*Value, string, bool) {
	var vals []*Value
	var texts []string
	for _, item := range n.Content {
		pv := p.pathValue(item, where)
		if pv == nil {
			return nil, "", false
		}
		vals = append(vals, pv)
		texts = append(texts, pv.Text)
	}
	return vals, strings.Join(texts, sep), true
}

func (p *parser) pathValue(n *yaml.Node, where string) *Value {
	s, ok := p.scalar(n, where)
	if !ok {
		return nil
	}
	pth, err := parsePath(s)
	if err != nil {
		p.errorf(n, "%s: %q: %v", where, s, err)
		return nil
	}
	return &Value{Pos: p.pos(n), Text: s, Path: pth, textCol: textColumn(n)}
}

// textColumn is the column of a scalar's text, 0 when escapes or line
// folding make its columns differ from the file's.
func textColumn(n *yaml.Node) int {
	switch n.Style {
	case 0:
		if !strings.Contains(n.Value, "\n") {
			return n.Column
		}
	case yaml.DoubleQuotedStyle:
		if !strings.ContainsAny(n.Value, "\\\"\n") {
			return n.Column + 1
		}
	case yaml.SingleQuotedStyle:
		if !strings.ContainsAny(n.Value, "'\n") {
			return n.Column + 1
		}
	}
	return 0
}

// partValue is a message part: a path relative to each message, or a
// constant.
func (p *parser) partValue(n *yaml.Node, where string) *Value {
	if n.Kind == yaml.MappingNode {
		return p.value(n, where, Field{Type: TypeString})
	}
	return p.pathValue(n, where)
}

// isFuncRef reports a function named by its package's import path:
// github.com/cloudwego/eino/schema.Pipe.
func isFuncRef(s string) bool {
	path, name, star := SplitTypeRef(s)
	return path != "" && isIdent(name) && !star
}

func isIdent(s string) bool {
	id, rest := splitIdent(s)
	return id != "" && rest == "" && !(s[0] >= '0' && s[0] <= '9')
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// DidYouMean returns `; did you mean "x"?` for a near miss among known,
// or "".
func DidYouMean(got string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := EditDistance(got, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// EditDistance is the Levenshtein distance between a and b.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
