package generator

import (
	"fmt"
	"strings"
)

// render writes the suggestion as annotations.yaml, noting where each line
// went so that check can drop the ones generation rejects.
func (s *suggestion) render() string {
	r := &renderer{}
	r.comment(0, "Suggested by: genaitrace-gen -suggest %s", strings.Join(s.refs, ","))
	r.comment(0, "inferred from the types alone; every path below is type-checked. Check")
	r.comment(0, "the lines marked \"unsure\"; methods not listed get a plain span (none")
	r.comment(0, "without a context). Then add")
	r.comment(0, "  //go:generate go tool genaitrace-gen -config annotations.yaml")
	r.comment(0, "to the package and run go generate (docs/mapping.md lists every key).")
	r.printf(0, "packages:")
	r.printf(1, "%s:", s.pkg)
	r.printf(2, "wrappers:")
	for _, w := range s.wrappers {
		r.wrapper(w)
	}
	return r.b.String()
}

type renderer struct {
	b     strings.Builder
	lines int
}

func (r *renderer) printf(depth int, format string, args ...any) {
	r.b.WriteString(strings.Repeat("  ", depth))
	fmt.Fprintf(&r.b, format, args...)
	r.b.WriteByte('\n')
	r.lines++
}

func (r *renderer) comment(depth int, format string, args ...any) {
	r.printf(depth, "# "+format, args...)
}

// entry writes a suggested line, unless it was dropped.
func (r *renderer) entry(depth int, l *line) {
	if l == nil || l.dropped {
		return
	}
	text := l.key + ": " + blockScalar(l.value)
	if l.note != "" {
		text += "  # " + l.note
	}
	r.printf(depth, "%s", text)
	l.at = r.lines
}

func (r *renderer) wrapper(w *wrapperSuggestion) {
	methods := w.liveMethods()
	if w.typ == "" && len(methods) == 0 && !w.live(w.provider) {
		r.printf(3, "%s: {}", w.key)
		r.plainComment(4, w)
		return
	}
	r.printf(3, "%s:", w.key)
	if w.typ != "" {
		r.printf(4, "type: %s", blockScalar(w.typ))
	}
	r.entry(4, w.provider)
	if w.providerHint && !w.live(w.provider) {
		r.comment(4, "provider: openai  # gen_ai.provider.name: openai, anthropic, aws.bedrock, gcp.gemini, ...")
	}
	if len(methods) > 0 {
		r.printf(4, "methods:")
	}
	for _, m := range methods {
		r.printf(5, "%s:", m.name)
		r.entry(6, m.op)
		for _, a := range m.attrs {
			r.entry(6, a)
		}
		r.stream(6, m.stream)
	}
	r.plainComment(4, w)
}

func (r *renderer) plainComment(depth int, w *wrapperSuggestion) {
	if len(w.plain) > 0 {
		r.comment(depth, "not mapped (nothing recognised): %s", strings.Join(w.plain, ", "))
	}
	if len(w.plain) >= 5 {
		r.comment(depth, "unmapped: skip  # calls those straight through, without plain spans")
	}
}

func (r *renderer) stream(depth int, st *streamSuggestion) {
	if st == nil || st.head.dropped {
		return
	}
	var attrs []*line
	for _, a := range st.attrs {
		if !a.dropped {
			attrs = append(attrs, a)
		}
	}
	if st.callback == "" && st.pipe == "" && len(attrs) == 0 {
		r.printf(depth, "stream: {}")
		st.head.at = r.lines
		return
	}
	r.printf(depth, "stream:")
	// The stream's own errors are at its value: the line after.
	st.head.at, st.head.alt = r.lines, r.lines+1
	if st.callback != "" {
		r.printf(depth+1, "callback: %s", st.callback)
	}
	if st.pipe != "" {
		r.printf(depth+1, "pipe: %s  # the SDK's pipe: the traced stream keeps its type", st.pipe)
	}
	if len(attrs) > 0 {
		r.printf(depth+1, "chunk:")
		for _, a := range attrs {
			r.entry(depth+2, a)
		}
	}
}

func (w *wrapperSuggestion) live(l *line) bool { return l != nil && !l.dropped }

// liveMethods are the methods with something left to say.
func (w *wrapperSuggestion) liveMethods() []*methodSuggestion {
	var out []*methodSuggestion
	for _, m := range w.methods {
		if w.live(m.op) || (m.stream != nil && !m.stream.head.dropped) || findLive(m.attrs) {
			out = append(out, m)
		}
	}
	return out
}

func findLive(ls []*line) bool {
	for _, l := range ls {
		if !l.dropped {
			return true
		}
	}
	return false
}
