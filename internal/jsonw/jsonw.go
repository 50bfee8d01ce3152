// Package jsonw appends JSON values to byte slices without reflection, for
// the attributes genaitrace builds on hot paths (messages, usage, model
// parameters).
package jsonw

import (
	"math"
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// String appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func String(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// Float appends f as a JSON number; NaN and infinities, which JSON cannot
// hold, become null.
func Float(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// Object builds a JSON object, one key at a time. Small objects are built
// in place, so String is their only allocation.
type Object struct {
	b   []byte
	buf [192]byte
}

func (o *Object) key(k string) {
	if len(o.b) == 0 {
		o.b = append(o.buf[:0], '{')
	} else {
		o.b = append(o.b, ',')
	}
	o.b = String(o.b, k)
	o.b = append(o.b, ':')
}

// Int adds an integer member.
func (o *Object) Int(k string, v int64) { o.key(k); o.b = strconv.AppendInt(o.b, v, 10) }

// Float adds a number member.
func (o *Object) Float(k string, v float64) { o.key(k); o.b = Float(o.b, v) }

// Bool adds a boolean member.
func (o *Object) Bool(k string, v bool) { o.key(k); o.b = strconv.AppendBool(o.b, v) }

// Str adds a string member.
func (o *Object) Str(k, v string) { o.key(k); o.b = String(o.b, v) }

// Strings adds an array-of-strings member.
func (o *Object) Strings(k string, vs []string) {
	o.key(k)
	o.b = append(o.b, '[')
	for i, v := range vs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = String(o.b, v)
	}
	o.b = append(o.b, ']')
}

// Empty reports whether no member was added.
func (o *Object) Empty() bool { return len(o.b) == 0 }

// String returns the object's JSON.
func (o *Object) String() string {
	if len(o.b) == 0 {
		return "{}"
	}
	o.b = append(o.b, '}')
	s := string(o.b)
	o.b = o.b[:len(o.b)-1]
	return s
}
