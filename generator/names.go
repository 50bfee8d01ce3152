package generator

import "strconv"

// scope allocates identifiers: user names are registered first and kept;
// generated names yield, taking the first free of name, name2, name3, ...
type scope struct {
	taken map[string]bool
}

func newScope(reserved ...map[string]bool) *scope {
	s := &scope{taken: map[string]bool{}}
	for _, r := range reserved {
		for k := range r {
			s.taken[k] = true
		}
	}
	return s
}

func (s *scope) reserve(name string) {
	if name != "" && name != "_" {
		s.taken[name] = true
	}
}

// fresh returns a free name based on name and takes it.
func (s *scope) fresh(name string) string {
	n := name
	for i := 2; s.taken[n] || isKeywordOrPredeclared(n); i++ {
		n = name + strconv.Itoa(i)
	}
	s.taken[n] = true
	return n
}

var predeclared = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true, "default": true,
	"defer": true, "else": true, "fallthrough": true, "for": true, "func": true, "go": true,
	"goto": true, "if": true, "import": true, "interface": true, "map": true, "package": true,
	"range": true, "return": true, "select": true, "struct": true, "switch": true, "type": true, "var": true,
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true, "complex128": true,
	"error": true, "float32": true, "float64": true, "int": true, "int8": true, "int16": true,
	"int32": true, "int64": true, "rune": true, "string": true, "uint": true, "uint8": true,
	"uint16": true, "uint32": true, "uint64": true, "uintptr": true, "true": true, "false": true,
	"iota": true, "nil": true, "append": true, "cap": true, "clear": true, "close": true,
	"complex": true, "copy": true, "delete": true, "imag": true, "len": true, "make": true,
	"max": true, "min": true, "new": true, "panic": true, "print": true, "println": true,
	"real": true, "recover": true,
}

func isKeywordOrPredeclared(s string) bool { return predeclared[s] }
