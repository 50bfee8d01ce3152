package generator

import (
	"cmp"
	"fmt"
	"go/types"
	"slices"
	"strings"

	"github.com/genaitrace/genaitrace/generator/mapping"
	"golang.org/x/tools/go/packages"
)

// suggestion is a mapping inferred from types, as lines to print.
type suggestion struct {
	pkg      string
	refs     []string
	wrappers []*wrapperSuggestion
}

type wrapperSuggestion struct {
	key, typ string
	provider *line
	// providerHint prints a commented provider line when the import path
	// names none.
	providerHint bool
	methods      []*methodSuggestion
	plain        []string
}

type methodSuggestion struct {
	name   string
	op     *line
	attrs  []*line
	stream *streamSuggestion
}

type streamSuggestion struct {
	head     *line
	callback string
	pipe     string
	attrs    []*line
}

// line is one suggested key and value, with a note when it is a guess.
type line struct {
	key, value, note string
	at, alt          int // where it was last rendered (alt: its value's first line)
	dropped          bool
}

func sure(key, value string) *line { return &line{key: key, value: value} }
func unsure(key, value, why string) *line {
	return &line{key: key, value: value, note: "unsure: " + why}
}
func (m *methodSuggestion) add(ls ...*line)     { m.attrs = append(m.attrs, ls...) }
func (m *methodSuggestion) has(key string) bool { return findLine(m.attrs, key) != nil }

func findLine(ls []*line, key string) *line {
	for _, l := range ls {
		if l.key == key && !l.dropped {
			return l
		}
	}
	return nil
}

// suggestWrapper infers the mapping of one type's methods.
func suggestWrapper(ref string, out *types.Package, pkgs map[string]*packages.Package, missing map[string]string) (*wrapperSuggestion, error) {
	t, err := findTarget(ref, out, pkgs, missing)
	if err != nil {
		return nil, err
	}
	w := &wrapperSuggestion{key: wrapperKey(t, out), typ: t.typeRef(out)}
	modelCalls := false
	for i := range t.iface.NumMethods() {
		fn := t.iface.Method(i)
		if !fn.Exported() && fn.Pkg() != out {
			return nil, fmt.Errorf("%s has the unexported method %s; only package %s can implement it, so it cannot be wrapped elsewhere", strings.TrimPrefix(ref, "*"), fn.Name(), fn.Pkg().Path())
		}
		m := inferMethod(w.key, fn, t.concrete)
		if m == nil {
			w.plain = append(w.plain, fn.Name())
			continue
		}
		modelCalls = modelCalls || isModelCall(m.op.value)
		w.methods = append(w.methods, m)
	}
	if modelCalls {
		if p := providerOf(t.pkg.Path()); p != "" && t.pkg != out {
			w.provider = &line{key: "provider", value: p, note: "from the import path"}
		} else {
			w.providerHint = true
		}
	}
	return w, nil
}

// providerOf is gen_ai.provider.name for an SDK's import path, or "".
func providerOf(path string) string {
	for _, p := range []struct{ in, name string }{
		{"azure", "azure.ai.openai"}, {"openai", "openai"}, {"anthropic", "anthropic"}, {"bedrock", "aws.bedrock"},
		{"google.golang.org/genai", "gcp.gemini"}, {"generative-ai-go", "gcp.gemini"}, {"vertexai", "gcp.vertex_ai"},
		{"mistral", "mistral_ai"}, {"cohere", "cohere"}, {"groq", "groq"}, {"deepseek", "deepseek"},
		{"watsonx", "ibm.watsonx.ai"}, {"ollama", "ollama"}, {"langchaingo", "langchaingo"},
	} {
		if strings.Contains(path, p.in) {
			if p.in == "azure" && !strings.Contains(path, "openai") {
				continue
			}
			return p.name
		}
	}
	return ""
}

// methodShape is a method's parameters and results as the mapping names
// them, and what streams.
type methodShape struct {
	name         string
	request      []leaf // reachable from the parameters
	response     []leaf // from the non-error results
	resultString bool   // the one result is a string: the answer itself
	stream       bool
	callback     string
	pipe         string // the SDK's pipe keeping its stream type
	chunk        []leaf
	result       types.Type // the one non-error result, if there is one
}

func shapeOf(fn *types.Func, concrete bool) *methodShape {
	sig := fn.Type().(*types.Signature)
	s := &methodShape{name: fn.Name()}
	params := variables(sig.Params(), "arg", sig.Variadic())
	for _, p := range params {
		switch {
		case isContext(p.typ):
		case s.callback == "" && chunkOfCallback(p.typ) != nil:
			s.callback, s.stream = p.mapName, true
			s.chunk = leaves("chunk", chunkOfCallback(p.typ))
		case p.variadic:
			if target, ok := optionsTarget(p.typ); ok {
				s.request = append(s.request, dropRoot(leaves(p.mapName, target))...)
			} else if _, target := soleOptionsGetter(p.typ.(*types.Slice).Elem()); target != nil {
				s.request = append(s.request, dropRoot(leaves(p.mapName, target))...) // eino's model.GetCommonOptions
			}
		default:
			s.request = append(s.request, leaves(p.mapName, p.typ)...)
		}
	}
	results := variables(sig.Results(), "result", false)
	var values []*variable
	for i, r := range results {
		if i == len(results)-1 && isError(r.typ) {
			continue
		}
		values = append(values, r)
	}
	if len(values) == 1 {
		values[0].mapName = "result"
		s.result = values[0].typ
	}
	for _, r := range values {
		if chunk, pipe := chunkOfResult(r.typ, concrete); chunk != nil && !s.stream {
			s.stream, s.pipe = true, pipe
			s.chunk = leaves("chunk", chunk)
			continue
		}
		if len(values) == 1 && isStringKind(r.typ) {
			s.resultString = true
		}
		s.response = append(s.response, leaves(r.mapName, r.typ)...)
	}
	return s
}

// dropRoot removes a root's own leaf (functional options are read through
// their fields only).
func dropRoot(ls []leaf) []leaf {
	if len(ls) > 0 && ls[0].depth == 0 {
		return ls[1:]
	}
	return ls
}

// chunkOfCallback is T for a func(T) error or func(T) parameter of a
// struct T (ollama's ChatResponseFunc), else nil.
func chunkOfCallback(t types.Type) types.Type {
	sig, ok := types.Unalias(t).Underlying().(*types.Signature)
	if !ok || sig.Params().Len() != 1 || sig.Variadic() || sig.Results().Len() > 1 || (sig.Results().Len() == 1 && !isError(sig.Results().At(0).Type())) {
		return nil
	}
	chunk := sig.Params().At(0).Type()
	if _, isStruct := types.Unalias(derefAll(chunk)).Underlying().(*types.Struct); !isStruct {
		return nil
	}
	return chunk
}

// chunkOfResult is the chunk type of a streamed result: an iter.Seq or
// Seq2, a channel, or an SDK stream type (Next/Current/Err or Recv) the
// wrapper can trace: an interface, any type for a concrete type's wrapper,
// or a type its SDK offers a pipe for (returned as "path.Func").
func chunkOfResult(t types.Type, concrete bool) (chunk types.Type, pipe string) {
	switch u := types.Unalias(t).Underlying().(type) {
	case *types.Signature:
		if y, ok := yieldFunc(u); ok {
			return y.Params().At(0).Type(), ""
		}
		return nil, ""
	case *types.Chan:
		if u.Dir() != types.SendOnly {
			return u.Elem(), ""
		}
		return nil, ""
	}
	_, chunk, problem := sdkShapeOf(&mapping.StreamSpec{}, t)
	switch {
	case problem != "":
		return nil, ""
	case embeddableInterface(t) || (concrete && sdkField(t) != ""):
		return chunk, ""
	}
	if fn := findPipe(t, chunk); fn != nil {
		return chunk, fn.Pkg().Path() + "." + fn.Name()
	}
	return nil, ""
}

// Words in a method's name.
var (
	// notCalls start the names of methods that manage things rather than
	// call a model (CountTokens, ListModels, RetrieveRun, GetResponse),
	// whatever follows; create and start only when no model word follows
	// (CreateThread, not CreateChatCompletion). A getter of a run or a
	// response repeats the usage it reports on every poll: it is no model
	// call.
	notCalls = []string{"count", "list", "get", "retrieve", "modify", "delete", "describe", "update", "close", "ping", "health",
		"version", "pull", "push", "show", "copy", "create", "cancel", "start", "stop", "subscribe", "unsubscribe", "initialize",
		"set", "on", "compute", "heartbeat", "options", "with", "read", "upload", "download", "ps", "submit", "archive", "unarchive",
		"wait", "id", "notify"}
	// creators make things, models' answers among them.
	creators   = []string{"create", "start"}
	modelWords = []string{"chat", "complet", "embed", "message", "generat", "convers", "predict", "infer", "respon"}
	// notModels are services beside the models' answers (OpenAI's
	// moderations endpoint).
	notModels = []string{"moderat"}
	// runVerbs name the call of a tool or an agent (MCP's CallTool, eino's
	// InvokableRun), as opposed to listing them (Tools, ListTools).
	runVerbs = []string{"call", "run", "invoke", "execute", "use"}
)

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func managesThings(name string) bool {
	n := strings.ToLower(name)
	if containsAny(n, notModels) {
		return true
	}
	if n == "retrieve" {
		return false // a retriever's Retrieve(ctx, query); RetrieveRun gets a run
	}
	for _, p := range notCalls {
		if strings.HasPrefix(n, p) && (len(name) == len(p) || strings.ToUpper(name[len(p):len(p)+1]) == name[len(p):len(p)+1]) {
			return !slices.Contains(creators, p) || !containsAny(n, modelWords)
		}
	}
	return false
}

// callsA reports a method calling a tool or an agent (word): its name
// says so with a run verb (CallTool, RunAgent), or it is a run verb of a
// type named so (a Tool's InvokableRun, an Agent's Run). A model's
// methods on a type named for its tools (ToolCallingChatModel's Generate)
// are not.
func callsA(word, name, key string) bool {
	if strings.Contains(name, word) {
		return containsAny(name, runVerbs)
	}
	return strings.Contains(key, word) && containsAny(name, runVerbs)
}

// inferMethod suggests one method's mapping, or nil to leave it a plain
// span.
func inferMethod(key string, fn *types.Func, concrete bool) *methodSuggestion {
	if managesThings(fn.Name()) {
		return nil
	}
	s := shapeOf(fn, concrete)
	name, lkey := strings.ToLower(fn.Name()), strings.ToLower(key)
	m := &methodSuggestion{name: fn.Name()}
	// The operation follows the method's name and types: its result's
	// vectors, a run verb on a tool or an agent, else what a model call
	// reads and returns; not the interface's name alone.
	switch {
	case strings.Contains(name, "embed") || (!s.stream && dimensionsOf(s.response) != ""):
		m.op = sure("operation", "embeddings")
		inferEmbeddings(m, s)
	case callsA("tool", name, lkey):
		m.op = sure("operation", "execute_tool")
		inferTool(m, s)
	case callsA("agent", name, lkey) || (strings.Contains(lkey, "agent") && !strings.Contains(lkey, "tool")):
		m.op = sure("operation", "invoke_agent")
		inferIO(m, s)
	default:
		inferModelCall(m, s)
		if m.op == nil {
			return inferRetrieval(m, name)
		}
	}
	return m
}

// inferModelCall suggests a chat, text completion or content generation,
// when the method looks like one: a model, token counts or a stream.
func inferModelCall(m *methodSuggestion, s *methodShape) {
	m.add(pickAll(requestRules, s.request)...)
	m.add(pickAll(responseRules, s.response)...)
	if !s.stream {
		m.add(mapTokens(s.response, m)...)
	}
	var st *streamSuggestion
	if s.stream {
		st = chunkOf(s)
	}
	if !m.has("request_model") && !m.has("input_tokens") && !m.has("output_tokens") && !m.has("response_model") && (st == nil || len(st.attrs) == 0) {
		m.attrs = nil // not a model call: a plain span
		return
	}
	input, messages := inputOf(s)
	// A prompt: a string, or a value in a field named so (go-openai's
	// CompletionRequest.Prompt any).
	prompt := input != nil && (!strings.HasPrefix(input.value, "{") || strings.HasSuffix(input.value, ".Prompt}"))
	if input != nil {
		m.add(input)
	}
	if sys := systemOf(s); sys != nil {
		m.add(sys)
	}
	if !s.stream {
		if out := outputOf(s); out != nil {
			m.add(out)
		}
	}
	name := strings.ToLower(s.name)
	switch {
	case messages:
		m.op = sure("operation", "chat")
	case strings.Contains(name, "generatecontent"):
		m.op = sure("operation", "generate_content")
	case prompt && strings.Contains(name, "complet") && !strings.Contains(name, "chat"):
		m.op = sure("operation", "text_completion")
	case prompt && !strings.Contains(name, "chat"):
		m.op = unsure("operation", "text_completion", "a prompt string; chat if the model is a chat model")
	case strings.Contains(name, "chat") || strings.Contains(name, "message") || strings.Contains(name, "convers"):
		m.op = sure("operation", "chat")
	default:
		m.op = unsure("operation", "chat", "or text_completion, generate_content")
	}
	m.stream = st
}

// chunkOf suggests what a stream's chunks carry.
func chunkOf(s *methodShape) *streamSuggestion {
	st := &streamSuggestion{head: sure("stream", ""), callback: s.callback, pipe: s.pipe}
	for _, r := range responseRules {
		r.inStream = true
		if l, ok := r.pick(s.chunk); ok {
			st.attrs = append(st.attrs, sure(r.key, l.value()))
		}
	}
	if d, ok := deltaOf(s.chunk); ok {
		st.attrs = append(st.attrs, sure("output", d.first()))
	}
	return st
}

func pickAll(rules []rule, ls []leaf) []*line {
	var out []*line
	for _, r := range rules {
		if l, ok := r.pick(ls); ok {
			out = append(out, sure(r.key, l.value()))
		}
	}
	return out
}

// mapTokens guesses token counts in a map of any values (langchaingo's
// GenerationInfo), when no typed field holds them: the keys are the
// SDK's, which types do not tell.
func mapTokens(ls []leaf, m *methodSuggestion) []*line {
	var info *leaf
	for i, l := range ls {
		named := strings.Contains(l.name, "info") || strings.Contains(l.name, "usage")
		if mp, ok := types.Unalias(l.typ).Underlying().(*types.Map); ok && named && isStringKind(mp.Key()) && l.depth <= 3 {
			if iface, ok := types.Unalias(mp.Elem()).Underlying().(*types.Interface); ok && iface.Empty() {
				info = &ls[i]
				break
			}
		}
	}
	if info == nil {
		return nil
	}
	var out []*line
	for _, key := range []string{"input_tokens", "output_tokens"} {
		if m.has(key) {
			continue
		}
		var alts []string
		for _, k := range mapTokenKeys[key] {
			alts = append(alts, flowScalar(info.first()+`["`+k+`"]`))
		}
		out = append(out, unsure(key, "{first: ["+strings.Join(alts, ", ")+"]}", "the map's keys are the SDK's; check them"))
	}
	return out
}

var (
	inputNames            = []string{"messages", "contents", "input", "inputs", "prompt", "prompts", "query", "question", "text", "task", "message", "content"}
	systemNames           = []string{"system", "systemprompt", "systeminstruction", "systeminstructions", "instructions"}
	outputNames           = []string{"content", "text", "output", "response", "message", "answer", "completion"}
	structuredOutputNames = []string{"output", "content", "message", "response", "answer", "completion"}
	choiceNames           = []string{"choices", "candidates", "content"}
	deltaNames            = []string{"content", "text", "delta", "response", "output"}
	contentNames          = []string{"content", "text"}
)

// inputOf suggests the input messages: a prompt string, a list of
// messages with role and content, or the JSON of SDK message unions.
// messages reports a message list (a chat).
func inputOf(s *methodShape) (in *line, messages bool) {
	l, ok := rule{names: inputNames, maxDepth: 2}.pickAny(s.request)
	if !ok {
		return nil, false
	}
	list := isList(l.typ)
	messages = list && l.name != "contents" && l.name != "prompts" && l.name != "inputs"
	switch {
	case isStringKind(l.typ) || isStringList(l.typ):
		return sure("input", l.value()), false
	case list:
		if role, content, ok := roleAndContent(elemOf(l.typ)); ok {
			return sure("input", fmt.Sprintf("{path: %s, role: %s, content: %s}", flowScalar(l.path), role, content)), messages
		}
		return sure("input", "{json: "+flowScalar(l.path)+"}"), messages
	case isStructured(l.typ):
		return sure("input", "{json: "+flowScalar(l.path)+"}"), false
	}
	return nil, false
}

func systemOf(s *methodShape) *line {
	l, ok := rule{names: systemNames, maxDepth: 2}.pickAny(s.request)
	switch {
	case !ok:
		return nil
	case isStringKind(l.typ):
		return sure("system_instructions", l.value())
	case isStructured(l.typ) || isList(l.typ):
		return sure("system_instructions", "{json: "+flowScalar(l.path)+"}")
	}
	return nil
}

// outputOf suggests the output: the answer string, the choices as
// messages, or the JSON of the response's content.
func outputOf(s *methodShape) *line {
	if s.resultString {
		return sure("output", "result")
	}
	if role, content, ok := roleAndContent(s.result); ok && !isList(s.result) {
		// The answer is one message (eino's *schema.Message).
		return sure("output", fmt.Sprintf("{path: result, role: %s, content: %s%s}", role, content, toolCallsOf(s.result, "")))
	}
	if l, ok := (rule{names: choiceNames, maxDepth: 1}).pickAny(s.response); ok && isList(l.typ) {
		elem := leaves("", elemOf(l.typ))
		if c, ok := (rule{kind: kindString, names: contentNames, maxDepth: 3}).pickDelta(elem); ok {
			content := strings.TrimPrefix(c.first(), ".")
			role := "{const: assistant}"
			if parent, _, ok := cutLast(content, "."); ok {
				// The message's own role, when it has one (Message.Role).
				if r, ok := (rule{kind: kindString, names: []string{"role"}, maxDepth: 3}).pick(elem); ok && strings.TrimPrefix(r.path, ".") == parent+".Role" {
					role = parent + ".Role"
				}
			}
			value := fmt.Sprintf("{path: %s, role: %s, content: %s", flowScalar(l.path), role, flowScalar(content))
			if f, ok := (rule{kind: kindString, names: []string{"finishreason", "stopreason"}, maxDepth: 1}).pick(elem); ok {
				value += ", finish_reason: " + flowScalar(strings.TrimPrefix(f.path, "."))
			}
			if parent, _, ok := cutLast(content, "."); ok {
				for _, e := range elem {
					if strings.TrimPrefix(e.path, ".") == parent {
						value += toolCallsOf(e.typ, parent+".") // Message.ToolCalls
					}
				}
			}
			return sure("output", value+"}")
		}
		return sure("output", "{json: "+flowScalar(l.path)+"}")
	}
	if l, ok := (rule{kind: kindString, names: outputNames, maxDepth: 2}).pick(s.response); ok {
		return sure("output", l.path)
	}
	if l, ok := (rule{names: structuredOutputNames, maxDepth: 1}).pickAny(s.response); ok && (isStructured(l.typ) || isList(l.typ)) {
		return sure("output", "{json: "+flowScalar(l.path)+"}")
	}
	return nil
}

// toolCallsOf writes the tool_calls of a message type (prefix the path
// to it): a ToolCalls list of calls with an ID, and a name and arguments,
// directly or under Function (OpenAI's); "" when it has none.
func toolCallsOf(msg types.Type, prefix string) string {
	s, ok := types.Unalias(derefAll(msg)).Underlying().(*types.Struct)
	if !ok {
		return ""
	}
	var calls types.Type
	eachField(s, func(f *types.Var) {
		if normName(f.Name()) == "toolcalls" && calls == nil {
			if list, ok := types.Unalias(f.Type()).Underlying().(*types.Slice); ok {
				calls = list.Elem()
			}
		}
	})
	if calls == nil {
		return ""
	}
	var id, name, args string
	ls := leaves("", calls)
	for _, l := range ls {
		p := strings.TrimPrefix(l.path, ".")
		switch {
		case !isStringKind(l.typ) || l.each > 0:
		case l.name == "id" && l.depth == 1:
			id = p
		case l.name == "name" && (l.depth == 1 || strings.HasPrefix(p, "Function.")):
			name = cmp.Or(name, p)
		case l.name == "arguments" && (l.depth == 1 || strings.HasPrefix(p, "Function.")):
			args = cmp.Or(args, p)
		}
	}
	if name == "" {
		return ""
	}
	out := ", tool_calls: {path: " + prefix + "ToolCalls"
	for _, kv := range [][2]string{{"id", id}, {"name", name}, {"arguments", args}} {
		if kv[1] != "" {
			out += ", " + kv[0] + ": " + kv[1]
		}
	}
	return out + "}"
}

// deltaOf finds a chunk's text delta, preferring a path through a Delta.
func deltaOf(chunk []leaf) (leaf, bool) {
	return rule{kind: kindString, names: deltaNames}.pickDelta(chunk)
}

// pickAny is pick without the kind check (the caller looks at the type),
// of a value not read through a list.
func (r rule) pickAny(ls []leaf) (leaf, bool) {
	return r.best(ls, func(l leaf) bool { return l.each == 0 && (l.opt == "" || isStringKind(l.typ)) }, noBonus)
}

// pickDelta is pick for a text reached through lists (read at [0]), a
// path through a Delta first.
func (r rule) pickDelta(ls []leaf) (leaf, bool) {
	return r.best(ls, func(l leaf) bool { return isStringKind(l.typ) && l.opt == "" }, func(l leaf) int {
		if strings.Contains(l.path, ".Delta.") || l.name == "delta" {
			return 100
		}
		return 0
	})
}

func noBonus(leaf) int { return 0 }

// roleAndContent finds a message element's string role and content.
func roleAndContent(elem types.Type) (role, content string, ok bool) {
	s, isStruct := types.Unalias(derefAll(elem)).Underlying().(*types.Struct)
	if !isStruct {
		return "", "", false
	}
	eachField(s, func(f *types.Var) {
		switch n := normName(f.Name()); {
		case n == "role" && isStringKind(f.Type()):
			role = f.Name()
		case content == "" && (n == "content" || n == "text") && isStringKind(f.Type()):
			content = f.Name()
		}
	})
	return role, content, role != "" && content != ""
}

// inferEmbeddings suggests an embeddings call's model, tokens and
// dimensions.
func inferEmbeddings(m *methodSuggestion, s *methodShape) {
	for _, r := range requestRules[:1] {
		if l, ok := r.pick(s.request); ok {
			m.add(sure(r.key, l.value()))
		}
	}
	for _, r := range responseRules[1:3] {
		if l, ok := r.pick(s.response); ok {
			m.add(sure(r.key, l.value()))
		}
	}
	if d := dimensionsOf(s.response); d != "" {
		m.add(sure("embedding_dimensions", d))
	} else if l, ok := (rule{kind: kindInt, names: []string{"dimensions", "outputdimensionality"}, maxDepth: 2}).pick(s.request); ok {
		m.add(sure("embedding_dimensions", l.value()))
	}
}

// dimensionsOf is len() of the first embedding vector, if the response
// holds one.
func dimensionsOf(ls []leaf) string {
	names := []string{"embedding", "embeddings", "values", "vector", "vectors"}
	best, bestRank := "", 0
	for _, l := range ls {
		i := slices.Index(names, l.name)
		if i < 0 {
			continue
		}
		var p string
		switch {
		case isFloatList(l.typ):
			p = l.first()
		case isList(l.typ) && isFloatList(elemOf(l.typ)):
			p = l.first() + "[0]"
		default:
			continue
		}
		if rank := l.depth*100 + i; best == "" || rank < bestRank {
			best, bestRank = "len("+p+")", rank
		}
	}
	return best
}

// inferTool suggests a tool call's name, id, arguments, result and
// failure.
func inferTool(m *methodSuggestion, s *methodShape) {
	if l, ok := (rule{kind: kindString, names: []string{"toolname"}, maxDepth: 2}).pick(s.request); ok {
		m.add(sure("tool_name", l.value()))
	} else if l, ok := (rule{kind: kindString, names: []string{"name", "tool"}, maxDepth: 2}).pick(s.request); ok {
		m.add(unsure("tool_name", l.value(), "a field named like a tool's name"))
	}
	if l, ok := (rule{kind: kindString, names: []string{"toolcallid", "callid", "id"}, maxDepth: 2}).pick(s.request); ok {
		m.add(sure("tool_call_id", l.value()))
	}
	if l, ok := (rule{names: []string{"arguments", "args", "input"}, maxDepth: 2}).pickAny(s.request); ok {
		if v := textValue(l); v != "" {
			m.add(sure("tool_arguments", v))
		}
	}
	switch {
	case s.resultString:
		m.add(sure("tool_result", "result"))
	default:
		if l, ok := (rule{names: []string{"content", "output", "text", "structuredcontent"}, maxDepth: 1}).pickAny(s.response); ok {
			if v := textValue(l); v != "" {
				m.add(sure("tool_result", v))
			}
		}
	}
	if l, ok := (rule{kind: kindBool, names: []string{"iserror", "failed", "error"}, maxDepth: 1}).pick(s.response); ok {
		m.add(sure("error_when", l.path))
	}
}

// textValue writes a tool's arguments or result: a string as it is, a
// structured value as its JSON.
func textValue(l leaf) string {
	switch {
	case isStringKind(l.typ) || isByteSlice(l.typ):
		return l.path
	case isStructured(l.typ) || isList(l.typ):
		return "{json: " + flowScalar(l.path) + "}"
	}
	return ""
}

// inferIO suggests an agent's input and output.
func inferIO(m *methodSuggestion, s *methodShape) {
	if in, _ := inputOf(s); in != nil {
		m.add(in)
	}
	if out := outputOf(s); out != nil {
		m.add(out)
	}
	if l, ok := (rule{kind: kindString, names: []string{"agentname"}, maxDepth: 2}).pick(s.request); ok {
		m.add(sure("agent_name", l.value()))
	}
}

// inferRetrieval suggests a search as a retrieval, or nil.
func inferRetrieval(m *methodSuggestion, name string) *methodSuggestion {
	if !containsAny(name, []string{"search", "retriev", "similar"}) {
		return nil
	}
	m.attrs = nil
	m.op = sure("operation", "retrieval")
	return m
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
