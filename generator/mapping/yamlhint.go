package mapping

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// yaml.v3 reports where its parser noticed a mistake, often the line of the
// mapping that encloses it, in the parser's words. yamlMistake looks for
// the mistakes people make in a mapping file (a tab in the indentation, a
// key out of line with its siblings, a value starting with * or &, a
// second ": " in a plain value), from the top of the file, and says where
// it is and how to fix it. It returns ok false when it finds none of them.
func yamlMistake(data []byte) (line, col int, hint string, ok bool) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	type level struct {
		indent int
		key    string // the last key seen at that indentation
	}
	var open []level // the enclosing blocks' keys
	valued := false  // the previous key line has a value on it
	prevIndent := -1
	scalar := -1 // inside a block scalar (key: |) whose key has this indentation
	for i, text := range lines {
		n := i + 1
		body := strings.TrimLeft(text, " \t")
		if body == "" || body[0] == '#' {
			continue
		}
		indent := len(text) - len(body)
		if scalar >= 0 && indent > scalar {
			continue
		}
		scalar = -1
		if j := strings.IndexByte(text[:indent], '\t'); j >= 0 {
			return n, j + 1, "a tab in the indentation; YAML indents with spaces only", true
		}
		if c, h, found := aliasLike(body); found {
			return n, indent + c, h, true
		}
		key, value, isKey := splitKeyLine(body)
		if !isKey {
			continue // a list item or flow content: left to the parser
		}
		if c, scalar, found := bracketInFlow(value); found {
			return n, indent + len(key) + 2 + c, fmt.Sprintf("%s: %s inside {...} holds [ or ], which YAML reads as structure there; quote it: '%s'", key, scalar, scalar), true
		}
		if c, found := secondColon(value); found {
			return n, indent + len(key) + 2 + c, fmt.Sprintf("%s: a plain value cannot hold \": \"; quote it: %s: %q", key, key, strings.TrimSpace(value)), true
		}
		if c, found := unclosedFlow(value, lines[i+1:], indent); found {
			return n, indent + len(key) + 2 + c, fmt.Sprintf("%s: the %c opened here is not closed on its line; close it, or write the value as a block", key, strings.TrimSpace(value)[0]), true
		}
		switch {
		case len(open) == 0 || indent > open[len(open)-1].indent:
			if prevIndent >= 0 && valued {
				return n, indent + 1, fmt.Sprintf("%s: indented under the line before, which already has a value; align it with that line's key (%d spaces)", key, prevIndent), true
			}
			open = append(open, level{indent, key})
		case indent < open[len(open)-1].indent:
			var deeper level
			for len(open) > 0 && open[len(open)-1].indent > indent {
				deeper, open = open[len(open)-1], open[:len(open)-1]
			}
			if len(open) == 0 || open[len(open)-1].indent != indent {
				around := fmt.Sprintf("%s has %d", deeper.key, deeper.indent)
				if len(open) > 0 {
					around += fmt.Sprintf(", %s %d", open[len(open)-1].key, open[len(open)-1].indent)
				}
				return n, indent + 1, fmt.Sprintf("%s: indented %d spaces, like no key around it (%s); align it with the keys it belongs with", key, indent, around), true
			}
		}
		open[len(open)-1].key = key
		v := strings.TrimSpace(stripComment(value))
		valued = v != ""
		if strings.HasPrefix(v, "|") || strings.HasPrefix(v, ">") {
			scalar, valued = indent, false
		}
		prevIndent = indent
	}
	return 0, 0, "", false
}

// splitKeyLine splits "key: value" (a plain or quoted key); isKey is false
// for list items and lines without a key.
func splitKeyLine(body string) (key, value string, isKey bool) {
	if strings.HasPrefix(body, "- ") || body == "-" || body[0] == '{' || body[0] == '[' {
		return "", "", false
	}
	if body[0] == '"' || body[0] == '\'' {
		end := strings.IndexByte(body[1:], body[0])
		if end < 0 || !strings.HasPrefix(body[end+2:], ":") {
			return "", "", false
		}
		return body[:end+2], strings.TrimPrefix(body[end+3:], " "), true
	}
	i := strings.Index(body, ":")
	if i <= 0 || (i+1 < len(body) && body[i+1] != ' ') {
		return "", "", false
	}
	return body[:i], strings.TrimPrefix(body[i+1:], " "), true
}

// aliasLike finds a value that starts with * or & (YAML's alias and
// anchor marks), as in type: *example.com/pkg.Type.
func aliasLike(body string) (col int, hint string, found bool) {
	key, value, isKey := splitKeyLine(body)
	if !isKey || value == "" || (value[0] != '*' && value[0] != '&') {
		return 0, "", false
	}
	v := strings.TrimSpace(stripComment(value))
	return len(key) + 3, fmt.Sprintf("%s: a value starting with %c is read as a YAML %s; quote it: %s: %q", key, v[0],
		map[byte]string{'*': "alias", '&': "anchor"}[v[0]], key, v), true
}

// bracketInFlow finds a plain scalar holding [ or ] inside a flow mapping
// ({path: result.Choices[0].Message, ...}): YAML allows neither there, and
// reports the mistake on the line before. It returns the scalar's column
// in value (1-based) and the scalar.
func bracketInFlow(value string) (int, string, bool) {
	v := stripComment(value)
	if !strings.HasPrefix(strings.TrimSpace(v), "{") {
		return 0, "", false
	}
	start := -1 // where the current plain scalar starts
	var quote byte
	var open []byte // the flow collections around: { or [
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case (c == '{' || c == '[') && start < 0: // a collection at a value's start
			open, start = append(open, c), -1
		case (c == '}' && len(open) > 0 && open[len(open)-1] == '{') || (c == ']' && len(open) > 0 && open[len(open)-1] == '['):
			open, start = open[:len(open)-1], -1
		case c == ',' || c == ':':
			start = -1
		case c == '[' || c == ']':
			if start < 0 {
				start = i // a ] closing nothing
			}
			end := strings.IndexAny(v[i:], ",}")
			if end < 0 {
				end = len(v) - i
			}
			return start + 1, strings.TrimSpace(v[start : i+end]), true
		case c != ' ' && start < 0:
			start = i
		}
	}
	return 0, "", false
}

// secondColon finds ": " inside a plain (unquoted, not flow) value.
func secondColon(value string) (int, bool) {
	v := stripComment(value)
	if v == "" || strings.ContainsAny(v[:1], `"'{[|>`) {
		return 0, false
	}
	i := strings.Index(v, ": ")
	return i + 1, i >= 0
}

// unclosedFlow finds a flow value ([...] or {...}) not closed on its line
// when the lines after it do not continue it (they are not indented more).
func unclosedFlow(value string, rest []string, indent int) (int, bool) {
	v := strings.TrimSpace(stripComment(value))
	if v == "" || (v[0] != '[' && v[0] != '{') {
		return 0, false
	}
	depth := 0
	for _, r := range v {
		switch r {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
	}
	if depth <= 0 {
		return 0, false
	}
	for _, next := range rest {
		body := strings.TrimLeft(next, " ")
		if body == "" || body[0] == '#' {
			continue
		}
		return 1, len(next)-len(body) <= indent
	}
	return 1, true
}

func stripComment(v string) string {
	if i := strings.Index(v, " #"); i >= 0 {
		return v[:i]
	}
	return v
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns yaml.v3's error into a positioned one: at the mistake
// yamlMistake finds, with its hint, else where yaml.v3 says, in its words.
func (p *parser) yamlError(err error, data []byte) error {
	words := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		words = m[2]
	}
	if l, c, hint, ok := yamlMistake(data); ok {
		return &Error{Pos: Pos{p.file, l, c}, Msg: hint + " (the file is not valid YAML: " + words + ")"}
	}
	return &Error{Pos: Pos{p.file, line, 1}, Msg: words + " (the file is not valid YAML)"}
}
