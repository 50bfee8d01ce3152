package generator

import (
	"fmt"
	"io"
	"strings"
)

// dump writes the resolved model, for -debug.
func dump(w io.Writer, units []*unit) {
	for _, u := range units {
		fmt.Fprintf(w, "package %s → %s\n", u.pkg.Path(), u.spec.Output)
		for _, wr := range u.wrappers {
			fmt.Fprintf(w, "  %s wraps %s\n", wr.typeName, wr.spec.Name)
			for _, m := range wr.methods {
				if m.skip {
					fmt.Fprintf(w, "    %s: skipped\n", m.name)
					continue
				}
				fmt.Fprintf(w, "    %s: operation=%s provider=%q kind=%s ctx=%d err=%d\n", m.name, m.op, m.provider, m.kind, m.ctx, m.err)
				for _, a := range m.before {
					fmt.Fprintf(w, "      before %-22s %s\n", a.field.Key, describe(a))
				}
				for _, a := range m.after {
					fmt.Fprintf(w, "      after  %-22s %s\n", a.field.Key, describe(a))
				}
			}
		}
	}
}

func describe(a *attr) string {
	if a.root == nil {
		return fmt.Sprintf("const %q", a.konst)
	}
	var hops []string
	for _, h := range a.chain {
		hops = append(hops, fmt.Sprint(h))
	}
	return fmt.Sprintf("%s (%s) hops=[%s]", a.value.Text, typeName(a.leaf), strings.Join(hops, " "))
}
