package generator

import (
	"cmp"
	"go/types"
	"slices"
	"strings"
)

// A suggestion's inference works on leaves: every value reachable from a
// parameter or result through fields (and one or two slices), with the
// path the mapping would write for it.

// leaf is one value reachable from a root.
type leaf struct {
	path  string     // as the mapping writes it: result.Usage.PromptTokens
	name  string     // the field's (or root's) name, lower-cased, without underscores
	typ   types.Type // pointers removed
	depth int        // fields below the root
	each  int        // [*] steps on the way
	// opt is set for an SDK's optional value (param.Opt[T]: a Value field
	// and a Valid() method): the path of Valid(); path ends in .Value.
	opt string
}

// maxLeafDepth bounds how deep fields are followed: token counts sit three
// levels down (result.Usage.PromptTokensDetails.CachedTokens), a Gemini
// chunk's text four (Candidates[0].Content.Parts[0].Text).
const (
	maxLeafDepth = 4
	maxLeaves    = 4000
)

// leaves lists what is reachable from root, of type t.
func leaves(root string, t types.Type) []leaf {
	c := &leafCollector{}
	c.visit(root, root, t, 0, 0, nil)
	return c.out
}

type leafCollector struct{ out []leaf }

func (c *leafCollector) visit(path, name string, t types.Type, depth, each int, seen []*types.Named) {
	if len(c.out) >= maxLeaves {
		return
	}
	t = derefAll(t)
	if v, ok := optionalValue(t); ok {
		c.out = append(c.out, leaf{path: path + ".Value", name: normName(name), typ: derefAll(v), depth: depth, each: each, opt: path + ".Valid()"})
		return
	}
	c.out = append(c.out, leaf{path: path, name: normName(name), typ: t, depth: depth, each: each})
	named, _ := types.Unalias(t).(*types.Named)
	if depth >= maxLeafDepth || (named != nil && (stdPackage(named) || containsNamed(seen, named))) {
		return
	}
	if named != nil {
		seen = append(seen, named)
	}
	switch u := types.Unalias(t).Underlying().(type) {
	case *types.Struct:
		eachField(u, func(f *types.Var) {
			c.visit(path+"."+f.Name(), f.Name(), f.Type(), depth+1, each, seen)
		})
	case *types.Interface:
		// A parameter that converts itself into the request (go-openai's
		// EmbeddingRequestConverter: Convert() EmbeddingRequest) is read
		// through that method.
		if depth == 0 && u.NumMethods() == 1 {
			fn := u.Method(0)
			sig := fn.Type().(*types.Signature)
			if fn.Exported() && sig.Params().Len() == 0 && sig.Results().Len() == 1 {
				if _, ok := types.Unalias(derefAll(sig.Results().At(0).Type())).Underlying().(*types.Struct); ok {
					c.visit(path+"."+fn.Name()+"()", fn.Name(), sig.Results().At(0).Type(), depth+1, each, seen)
				}
			}
		}
	case *types.Slice:
		c.visitElems(path, name, u.Elem(), depth, each, seen)
	case *types.Array:
		c.visitElems(path, name, u.Elem(), depth, each, seen)
	}
}

// visitElems follows a list into its elements ([*]), for lists of
// structs or of lists (Choices[*].FinishReason, Embeddings[*]).
func (c *leafCollector) visitElems(path, name string, elem types.Type, depth, each int, seen []*types.Named) {
	if each >= 2 {
		return
	}
	switch types.Unalias(derefAll(elem)).Underlying().(type) {
	case *types.Struct, *types.Slice:
		c.visit(path+"[*]", name, elem, depth, each+1, seen)
	}
}

// eachField calls fn for a struct's exported fields, those of embedded
// structs as promoted fields.
func eachField(s *types.Struct, fn func(*types.Var)) {
	for i := range s.NumFields() {
		f := s.Field(i)
		if f.Embedded() {
			if inner, ok := types.Unalias(derefAll(f.Type())).Underlying().(*types.Struct); ok {
				eachField(inner, fn)
				continue
			}
		}
		if f.Exported() {
			fn(f)
		}
	}
}

// stdPackage reports a type of the standard library (time.Time,
// http.Header), whose fields are no model's.
func stdPackage(n *types.Named) bool {
	p := n.Obj().Pkg()
	if p == nil {
		return true
	}
	first, _, _ := strings.Cut(p.Path(), "/")
	return !strings.Contains(first, ".")
}

func containsNamed(list []*types.Named, n *types.Named) bool {
	for _, m := range list {
		if types.Identical(m, n) {
			return true
		}
	}
	return false
}

// normName is a name as rules compare it: lower case, no underscores
// (PromptTokens, prompt_tokens and promptTokens match alike).
func normName(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", ""))
}

// kind classes a leaf must be of to be suggested for a key.
type leafKind int

const (
	kindString  leafKind = iota // a string kind
	kindInt                     // an integer
	kindNumber                  // a float or an integer
	kindStrings                 // a list of strings, or a string through [*]
	kindBool
)

func (k leafKind) matches(l leaf) bool {
	b, _ := types.Unalias(l.typ).Underlying().(*types.Basic)
	is := func(info types.BasicInfo) bool { return b != nil && b.Info()&info != 0 }
	switch k {
	case kindString:
		return l.each == 0 && is(types.IsString)
	case kindInt:
		return l.each == 0 && is(types.IsInteger)
	case kindNumber:
		return l.each == 0 && is(types.IsInteger|types.IsFloat)
	case kindBool:
		return l.each == 0 && is(types.IsBoolean)
	case kindStrings:
		if l.each <= 1 && is(types.IsString) {
			return true
		}
		s, ok := types.Unalias(l.typ).Underlying().(*types.Slice)
		return l.each == 0 && ok && isStringKind(s.Elem())
	}
	return false
}

// rule suggests a key from a leaf of one of the names, of a kind, at most
// maxDepth fields below its root; the shallowest wins, then the earliest
// name.
type rule struct {
	key      string
	kind     leafKind
	names    []string
	maxDepth int
	// inStream ranks, in a stream's chunk, what the deltas carry first
	// (the finish reason of a message_delta, not of message_start), and the
	// input counts of the message a stream starts with.
	inStream bool
}

func (r rule) pick(ls []leaf) (leaf, bool) { return r.best(ls, r.kind.matches, r.bonus) }

// bonus ranks token counts under a Usage first (not a tool's), and in a
// stream's chunk what inStream says.
func (r rule) bonus(l leaf) int {
	b := 0
	if strings.HasSuffix(r.key, "_tokens") && underUsage(l.path) {
		b += 150
	}
	if r.inStream && strings.Contains(l.path, ".Delta.") {
		b += 50
	}
	if r.inStream && inputCount[r.key] && (strings.Contains(l.path, ".Message.") || strings.Contains(l.path, ".Response.")) {
		b += 120 // a stream's input is counted at its start, in the message it opens (a level deeper)
	}
	return b
}

// inputCount are the counts a stream knows before it generates anything.
var inputCount = map[string]bool{"input_tokens": true, "cache_read_tokens": true, "cache_creation_tokens": true}

// best is the leaf of one of the names, at most maxDepth fields below its
// root and not in an error, that fits: the shallowest, then the earliest
// name, each less its bonus.
func (r rule) best(ls []leaf, fits func(leaf) bool, bonus func(leaf) int) (leaf, bool) {
	maxDepth := cmp.Or(r.maxDepth, maxLeafDepth)
	best, bestRank, found := leaf{}, 0, false
	for _, l := range ls {
		i := slices.Index(r.names, l.name)
		if i < 0 || l.depth > maxDepth || throughError(l.path) || !fits(l) {
			continue
		}
		if rank := l.depth*100 + i - bonus(l); !found || rank < bestRank {
			best, bestRank, found = l, rank, true
		}
	}
	return best, found
}

// underUsage reports a path through a Usage (or UsageMetadata) field.
func underUsage(path string) bool {
	for _, seg := range strings.Split(path, ".") {
		if strings.HasPrefix(normName(seg), "usage") {
			return true
		}
	}
	return false
}

// throughError reports a path through an error's fields (result.Error.Message).
func throughError(path string) bool {
	for _, seg := range strings.Split(path, ".")[1:] {
		if n := normName(strings.TrimSuffix(seg, "[*]")); n == "error" || n == "errors" || n == "err" {
			return true
		}
	}
	return false
}

// value is how the mapping writes a leaf: its path, or for an optional
// value the path recorded when it is set.
func (l leaf) value() string {
	if l.opt != "" {
		return "{path: " + flowScalar(l.path) + ", when: " + flowScalar(l.opt) + "}"
	}
	return l.path
}

// first is the path with every [*] read as [0] (the first choice's text).
func (l leaf) first() string { return strings.ReplaceAll(l.path, "[*]", "[0]") }

// Rules for the request (parameters) and the response (results, or a
// stream's chunk).
var (
	requestRules = []rule{
		{key: "request_model", kind: kindString, names: []string{"model", "modelid", "modelname"}},
		{key: "temperature", kind: kindNumber, names: []string{"temperature"}},
		{key: "top_p", kind: kindNumber, names: []string{"topp"}},
		{key: "top_k", kind: kindNumber, names: []string{"topk"}},
		{key: "max_tokens", kind: kindInt, names: []string{"maxcompletiontokens", "maxoutputtokens", "maxtokens", "maxtokenstosample", "numpredict"}},
		{key: "seed", kind: kindInt, names: []string{"seed"}},
		{key: "frequency_penalty", kind: kindNumber, names: []string{"frequencypenalty"}},
		{key: "presence_penalty", kind: kindNumber, names: []string{"presencepenalty"}},
		{key: "stop_sequences", kind: kindStrings, names: []string{"stopsequences", "stop", "stopwords"}},
		{key: "choice_count", kind: kindInt, names: []string{"candidatecount", "choicecount"}},
	}
	responseRules = []rule{
		{key: "response_id", kind: kindString, names: []string{"responseid", "id"}, maxDepth: 2},
		{key: "response_model", kind: kindString, names: []string{"model", "modelversion"}, maxDepth: 2},
		{key: "input_tokens", kind: kindInt, names: []string{"prompttokens", "inputtokens", "prompttokencount", "inputtokencount", "promptevalcount"}},
		{key: "output_tokens", kind: kindInt, names: []string{"completiontokens", "outputtokens", "candidatestokencount", "outputtokencount", "evalcount"}},
		{key: "cache_read_tokens", kind: kindInt, names: []string{"cachedtokens", "cachereadinputtokens", "cachedcontenttokencount", "cachereadinputtokencount", "cachedinputtokens"}},
		{key: "cache_creation_tokens", kind: kindInt, names: []string{"cachecreationinputtokens", "cachewriteinputtokens", "cachecreationtokens"}},
		{key: "reasoning_tokens", kind: kindInt, names: []string{"reasoningtokens", "thoughtstokencount", "reasoningtokencount", "thinkingtokens"}},
		{key: "finish_reasons", kind: kindStrings, names: []string{"finishreason", "stopreason", "donereason", "finishreasons"}},
	}
	// mapTokenKeys are the keys SDKs that report usage in a map (langchaingo's
	// GenerationInfo) use, tried in order.
	mapTokenKeys = map[string][]string{
		"input_tokens":  {"PromptTokens", "InputTokens", "input_tokens", "prompt_tokens"},
		"output_tokens": {"CompletionTokens", "OutputTokens", "output_tokens", "completion_tokens"},
	}
)

// flowScalar writes s for a flow mapping ({path: ..., when: ...}):
// quoted when it holds a character YAML reads as structure there.
func flowScalar(s string) string {
	if strings.ContainsAny(s, "[]{},\"'#:&*!|>%@`") || s == "" {
		return singleQuoted(s)
	}
	return s
}

func singleQuoted(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// blockScalar writes s as a block mapping's value: as it is when YAML
// reads it back so, else quoted. Flow mappings the suggestion builds are
// kept.
func blockScalar(s string) string {
	if strings.HasPrefix(s, "{") {
		return s
	}
	if s == "" || strings.ContainsAny(s[:1], "[]{},\"'#&*!|>%@`-?:") || strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.Contains(s, "\"") {
		return singleQuoted(s)
	}
	return s
}
