package textcut

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Content cuts content to at most limit bytes. JSON stays JSON: it is
// cut inside its structure, in order, a string cut short ending in
// Mark and a list or object that lost members ending in the
// member "…[truncated]" (an object: under that key), so that a
// destination that parses it (Langfuse shows input and output as JSON)
// still can. Text that is not JSON is cut as text. limit <= 0 means no
// limit.
func Content(s string, limit int) string {
	if limit <= 0 || len(s) <= limit {
		return s
	}
	if len(s) > 0 && (s[0] == '[' || s[0] == '{') && json.Valid([]byte(s)) {
		if out, ok := cutJSON(s, limit); ok {
			return out
		}
	}
	return To(s, limit)
}

// jsonCutter writes a JSON value's tokens while they fit a budget.
type jsonCutter struct {
	dec   *json.Decoder
	out   bytes.Buffer
	limit int
	// open are the containers open in out, innermost last: '[' or '{'.
	open []byte
	// full is set once a member did not fit: the rest is skipped.
	full bool
}

var truncatedJSON = strconv.Quote(Mark)

// cutJSON cuts the JSON value s (valid) to limit bytes; false when even
// its outermost structure does not fit.
func cutJSON(s string, limit int) (string, bool) {
	c := &jsonCutter{dec: json.NewDecoder(bytes.NewReader([]byte(s))), limit: limit}
	c.dec.UseNumber()
	if err := c.value(); err != nil || c.out.Len() > limit {
		return "", false
	}
	return c.out.String(), true
}

// reserve is what closing the open containers, and marking one as cut,
// takes.
func (c *jsonCutter) reserve() int {
	return len(c.open) + len(`,"`+Mark+`":`+truncatedJSON)
}

func (c *jsonCutter) fits(n int) bool { return c.out.Len()+n+c.reserve() <= c.limit }

// value copies one value, cut to what fits.
func (c *jsonCutter) value() error {
	tok, err := c.dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if !c.fits(2) { // not even an empty list or object fits: the mark stands for it
			c.full = true
			c.out.WriteString(truncatedJSON)
			return c.skipRest(1)
		}
		return c.container(byte(t))
	case string:
		c.writeString(t)
	default:
		lit := literal(t)
		if !c.fits(len(lit)) {
			c.full = true
			c.out.WriteString("null")
			return nil
		}
		c.out.WriteString(lit)
	}
	return nil
}

// container copies a list or an object whose opening delimiter was read.
func (c *jsonCutter) container(delim byte) error {
	c.out.WriteByte(delim)
	c.open = append(c.open, delim)
	first := true
	for c.dec.More() {
		var key string
		if delim == '{' {
			tok, err := c.dec.Token()
			if err != nil {
				return err
			}
			key, _ = tok.(string)
		}
		if c.full {
			if err := c.skip(); err != nil {
				return err
			}
			continue
		}
		member := 0 // what the member's name takes
		if delim == '{' {
			member = len(quote(key)) + 1
		}
		if !c.fits(member + 1 + len(truncatedJSON)) {
			c.markCut(first)
			if err := c.skip(); err != nil {
				return err
			}
			continue
		}
		if !first {
			c.out.WriteByte(',')
		}
		if delim == '{' {
			c.out.WriteString(quote(key))
			c.out.WriteByte(':')
		}
		first = false
		if err := c.value(); err != nil {
			return err
		}
	}
	if _, err := c.dec.Token(); err != nil { // the closing delimiter
		return err
	}
	c.open = c.open[:len(c.open)-1]
	if delim == '{' {
		c.out.WriteByte('}')
	} else {
		c.out.WriteByte(']')
	}
	return nil
}

// markCut ends a container that lost members with the cut mark.
func (c *jsonCutter) markCut(first bool) {
	c.full = true
	if !first {
		c.out.WriteByte(',')
	}
	if c.open[len(c.open)-1] == '{' {
		c.out.WriteString(truncatedJSON + ":")
	}
	c.out.WriteString(truncatedJSON)
}

// writeString writes s whole or, once it does not fit, its prefix ending
// in the cut mark.
func (c *jsonCutter) writeString(s string) {
	q := quote(s)
	if c.fits(len(q)) {
		c.out.WriteString(q)
		return
	}
	c.full = true
	room := c.limit - c.out.Len() - len(c.open) - len(Mark) // nothing follows a cut string but the closers
	lo, hi := 0, min(len(s), max(room, 0))                  // the longest prefix whose quoted form fits
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(quote(Prefix(s, mid))) <= room {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	c.out.WriteString(quote(Prefix(s, lo) + Mark))
}

// skipRest reads past the rest of depth open containers.
func (c *jsonCutter) skipRest(depth int) error {
	for depth > 0 {
		tok, err := c.dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '[' || d == '{' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// skip reads past one value.
func (c *jsonCutter) skip() error {
	var v json.RawMessage
	return c.dec.Decode(&v)
}

// quote writes s as a JSON string, leaving <, > and & as they are.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return string(bytes.TrimSuffix(b.Bytes(), []byte{'\n'}))
}

func literal(t json.Token) string {
	switch t := t.(type) {
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	}
	return "null"
}
