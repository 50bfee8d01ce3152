// Package textcut cuts text to a byte budget on a UTF-8 boundary, marking
// the cut, for the content the runtime keeps and exports.
package textcut

import "unicode/utf8"

// Mark ends text that was cut.
const Mark = "…[truncated]"

// Prefix returns the longest prefix of s of at most n bytes that does not
// split a rune.
func Prefix(s string, n int) string {
	if n >= len(s) {
		return s
	}
	n = max(n, 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// To cuts s to at most limit bytes, Mark included. limit <= 0 means no
// limit.
func To(s string, limit int) string {
	if limit <= 0 || len(s) <= limit {
		return s
	}
	return Prefix(s, limit-len(Mark)) + Mark
}
