package mapping

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Error is one mistake in the mapping, or in the Go code it refers to, at
// its position: what is wrong, and how to fix it.
type Error struct {
	// Pos is where the mistake is; zero when it has no position.
	Pos Pos
	// Msg says what is wrong and how to fix it.
	Msg string
	// Text, when set, is the whole message as another tool worded it
	// (the go command's errors keep their own form).
	Text string
}

// Error returns "file:line:col: message".
func (e *Error) Error() string {
	switch {
	case e.Text != "":
		return e.Text
	case e.Pos.File == "":
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// ErrorList is every mistake a run found. Its Error lists them one per
// line, in file, line and column order, so that a mapping's mistakes read
// from top to bottom.
type ErrorList []*Error

// Error returns the sorted list, one mistake per line, each once: a
// mistake in a file several packages use (a preset) is found for each.
func (l ErrorList) Error() string {
	lines := make([]string, 0, len(l))
	for _, e := range l.sorted() {
		lines = append(lines, e.Error())
	}
	return strings.Join(slices.Compact(lines), "\n")
}

// Add records a mistake at pos.
func (l *ErrorList) Add(pos Pos, format string, args ...any) {
	*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// AddErr records err: an *Error or ErrorList as it is, any other error
// (joined ones flattened) without a position.
func (l *ErrorList) AddErr(err error) {
	var list ErrorList
	var one *Error
	switch {
	case err == nil:
	case errors.As(err, &list):
		*l = append(*l, list...)
	case errors.As(err, &one):
		*l = append(*l, one)
	default:
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				l.AddErr(e)
			}
			return
		}
		*l = append(*l, &Error{Msg: err.Error()})
	}
}

// Err is the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// sorted orders a copy by file, line and column; a mistake without a
// position sorts by its text.
func (l ErrorList) sorted() ErrorList {
	out := slices.Clone(l)
	key := func(e *Error) (string, int, int) {
		if e.Pos.File == "" {
			return e.Error(), 0, 0
		}
		return e.Pos.File, e.Pos.Line, e.Pos.Col
	}
	slices.SortStableFunc(out, func(a, b *Error) int {
		fa, la, ca := key(a)
		fb, lb, cb := key(b)
		return cmp.Or(strings.Compare(fa, fb), cmp.Compare(la, lb), cmp.Compare(ca, cb))
	})
	return out
}

// ToolError keeps another tool's error in its own words, positioned by
// its "file:line:col" (or "file:line") prefix for sorting.
func ToolError(pos, text string) *Error {
	e := &Error{Text: text}
	parts := strings.Split(pos, ":")
	if len(parts) >= 2 {
		line, err := strconv.Atoi(parts[1])
		if err == nil {
			e.Pos = Pos{File: parts[0], Line: line}
			if len(parts) >= 3 {
				e.Pos.Col, _ = strconv.Atoi(parts[2])
			}
		}
	}
	return e
}
