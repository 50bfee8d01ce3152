package generator

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// A path locates a value in a method's parameters or results:
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
type path struct {
	text     string
	root     string
	rootCall bool // root() : only valid for message parts, relative to an element
	steps    []step
	len      bool // wrapped in len(...)
}

type stepKind int

const (
	stepField stepKind = iota
	stepMethod
	stepIndex
	stepEach
	stepKey
)

type step struct {
	kind  stepKind
	name  string
	index int
	off   int // where the step's name (or its [) starts in the path's text
}

func (s step) String() string {
	switch s.kind {
	case stepMethod:
		return "." + s.name + "()"
	case stepIndex:
		return "[" + strconv.Itoa(s.index) + "]"
	case stepEach:
		return "[*]"
	case stepKey:
		return "[" + strconv.Quote(s.name) + "]"
	}
	return "." + s.name
}

// parsePath parses a path expression.
func parsePath(s string) (path, error) {
	p := path{text: s}
	base := len(s) - len(strings.TrimLeft(s, " \t")) // where s starts in p.text
	s = strings.TrimSpace(s)
	if inner, ok := strings.CutPrefix(s, "len("); ok {
		if !strings.HasSuffix(inner, ")") {
			return p, fmt.Errorf("len( without a closing parenthesis")
		}
		p.len = true
		inner = strings.TrimSuffix(inner, ")")
		base += len("len(") + len(inner) - len(strings.TrimLeft(inner, " \t"))
		s = strings.TrimSpace(inner)
	}
	at := func(rest string) int { return base + len(s) - len(rest) }
	root, rest := splitIdent(s)
	if root == "" {
		return p, fmt.Errorf("want a parameter or result name first, such as req.Model")
	}
	p.root = root
	if strings.HasPrefix(rest, "()") {
		p.rootCall, rest = true, rest[2:]
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
				p.steps = append(p.steps, step{kind: stepMethod, name: name, off: off})
				rest = rest[2:]
				continue
			}
			p.steps = append(p.steps, step{kind: stepField, name: name, off: off})
		case '[':
			off := at(rest)
			if strings.HasPrefix(rest, `["`) {
				key, after, err := quotedKey(rest[1:])
				if err != nil {
					return p, err
				}
				p.steps = append(p.steps, step{kind: stepKey, name: key, off: off})
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
				p.steps = append(p.steps, step{kind: stepEach, off: off})
				continue
			}
			n, err := strconv.Atoi(idx)
			if err != nil || n < 0 {
				return p, fmt.Errorf("index %q is not a constant non-negative integer or *", idx)
			}
			p.steps = append(p.steps, step{kind: stepIndex, index: n, off: off})
		default:
			return p, fmt.Errorf("unexpected %q; want .Field, .Method(), [N], [*] or [\"key\"]", rest)
		}
	}
	each := 0
	for _, st := range p.steps {
		if st.kind == stepEach {
			each++
		}
	}
	if each > 1 {
		return p, fmt.Errorf("at most one [*] per path")
	}
	if p.len && each > 0 {
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

// eachIndex returns the position of the [*] step, or -1.
func (p path) eachIndex() int {
	for i, st := range p.steps {
		if st.kind == stepEach {
			return i
		}
	}
	return -1
}
