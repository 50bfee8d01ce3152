package mapping

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Path locates a value in a method's parameters or results:
//
//	req.Model                     a field (through pointers and embedded structs)
//	resp.Usage.PromptTokens       nested fields
//	resp.Choices[0].FinishReason  an element of a slice or array
//	resp.Choices[*].FinishReason  every element (for []string and messages)
//	resp.Info["PromptTokens"]     a map's value under a constant string key
//	len(resp.Data)                the length of a slice, array, map or string
//	resp.GetModel()               a method with no arguments and one result
//
// The first name is a parameter or result: its Go name, or arg0, arg1, ...
// for unnamed parameters, and result (or result0, result1, ...) for unnamed
// results.
type Path struct {
	text     string
	Root     string
	RootCall bool // root() : only valid for message parts, relative to an element
	Steps    []Step
	Len      bool // wrapped in len(...)
}

// StepKind is what a step of a path does.
type StepKind int

// The steps of a path.
const (
	StepField  StepKind = iota // .Field
	StepMethod                 // .Method()
	StepIndex                  // [N]
	StepEach                   // [*]
	StepKey                    // ["key"]
)

// Step is one step of a path: its kind, the field, method or key it
// names, the index.
type Step struct {
	Kind  StepKind
	Name  string
	Index int
	off   int // where the step's name (or its [) starts in the path's text
}

// String writes the step as the path does.
func (s Step) String() string {
	switch s.Kind {
	case StepMethod:
		return "." + s.Name + "()"
	case StepIndex:
		return "[" + strconv.Itoa(s.Index) + "]"
	case StepEach:
		return "[*]"
	case StepKey:
		return "[" + strconv.Quote(s.Name) + "]"
	}
	return "." + s.Name
}

// parsePath parses a path expression.
func parsePath(s string) (Path, error) {
	p := Path{text: s}
	base := len(s) - len(strings.TrimLeft(s, " \t")) // where s starts in p.text
	s = strings.TrimSpace(s)
	if inner, ok := strings.CutPrefix(s, "len("); ok {
		if !strings.HasSuffix(inner, ")") {
			return p, fmt.Errorf("len( without a closing parenthesis")
		}
		p.Len = true
		inner = strings.TrimSuffix(inner, ")")
		base += len("len(") + len(inner) - len(strings.TrimLeft(inner, " \t"))
		s = strings.TrimSpace(inner)
	}
	at := func(rest string) int { return base + len(s) - len(rest) }
	root, rest := splitIdent(s)
	if root == "" {
		return p, fmt.Errorf("want a parameter or result name first, such as req.Model")
	}
	p.Root = root
	if strings.HasPrefix(rest, "()") {
		p.RootCall, rest = true, rest[2:]
	}
	for rest != "" {
		switch rest[0] {
		case '.':
			off := at(rest) + 1
			name, after := splitIdent(rest[1:])
			if name == "" {
				return p, fmt.Errorf("want a field or method name after %q", s[:len(s)-len(rest)+1])
			}
			rest = after
			if strings.HasPrefix(rest, "()") {
				p.Steps = append(p.Steps, Step{Kind: StepMethod, Name: name, off: off})
				rest = rest[2:]
				continue
			}
			p.Steps = append(p.Steps, Step{Kind: StepField, Name: name, off: off})
		case '[':
			off := at(rest)
			if strings.HasPrefix(rest, `["`) {
				key, after, err := quotedKey(rest[1:])
				if err != nil {
					return p, err
				}
				p.Steps = append(p.Steps, Step{Kind: StepKey, Name: key, off: off})
				rest = after
				continue
			}
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return p, fmt.Errorf("[ without ]")
			}
			idx := strings.TrimSpace(rest[1:end])
			rest = rest[end+1:]
			if idx == "*" {
				p.Steps = append(p.Steps, Step{Kind: StepEach, off: off})
				continue
			}
			n, err := strconv.Atoi(idx)
			if err != nil || n < 0 {
				return p, fmt.Errorf("index %q is not a constant non-negative integer or *", idx)
			}
			p.Steps = append(p.Steps, Step{Kind: StepIndex, Index: n, off: off})
		default:
			return p, fmt.Errorf("unexpected %q; want .Field, .Method(), [N], [*] or [\"key\"]", rest)
		}
	}
	each := 0
	for _, st := range p.Steps {
		if st.Kind == StepEach {
			each++
		}
	}
	if each > 1 {
		return p, fmt.Errorf("at most one [*] per path")
	}
	if p.Len && each > 0 {
		return p, fmt.Errorf("len(...) of a path with [*]")
	}
	return p, nil
}

// quotedKey reads a Go string literal and the ] after it.
func quotedKey(s string) (key, rest string, err error) {
	lit, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", fmt.Errorf("map key %s is not a quoted string", s)
	}
	key, _ = strconv.Unquote(lit)
	rest, ok := strings.CutPrefix(s[len(lit):], "]")
	if !ok {
		return "", "", fmt.Errorf("want ] after the map key %s", lit)
	}
	return key, rest, nil
}

func splitIdent(s string) (ident, rest string) {
	i := 0
	for i < len(s) {
		r := rune(s[i])
		if r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r)) {
			i++
			continue
		}
		break
	}
	return s[:i], s[i:]
}

// EachIndex returns the position of the [*] step, or -1.
func (p Path) EachIndex() int {
	for i, st := range p.Steps {
		if st.Kind == StepEach {
			return i
		}
	}
	return -1
}

// SplitTypeRef splits "*example.com/pkg.Name" into its path, name and
// whether it names a concrete type's method set.
func SplitTypeRef(ref string) (path, name string, concrete bool) {
	ref, concrete = strings.CutPrefix(strings.TrimSpace(ref), "*")
	slash := strings.LastIndexByte(ref, '/')
	dot := strings.LastIndexByte(ref, '.')
	if dot <= slash {
		return "", ref, concrete
	}
	return ref[:dot], ref[dot+1:], concrete
}
