package generator

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/genaitrace/genaitrace/templates"
)

// presetNames lists the embedded presets.
func presetNames() []string {
	entries, _ := fs.ReadDir(templates.FS, ".")
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// loadPreset parses templates/<name>.yaml: its wrappers, positioned in the
// preset's own file so an error against a changed SDK points there.
func loadPreset(name string) ([]*WrapperSpec, error) {
	data, err := fs.ReadFile(templates.FS, name+".yaml")
	if err != nil {
		return nil, fmt.Errorf("unknown preset %q%s (presets: %s)", name, suggest(name, presetNames()), strings.Join(presetNames(), ", "))
	}
	p := &parser{file: "templates/" + name + ".yaml"}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, p.yamlError(err, data)
	}
	var out []*WrapperSpec
	if len(doc.Content) > 0 {
		p.mapping(doc.Content[0], "preset "+name, []string{"sdk", "wrappers"}, func(key string, _, v *yaml.Node) {
			if key == "wrappers" {
				p.eachEntry(v, "preset "+name+": wrappers", func(k, v *yaml.Node) { out = append(out, p.wrapper(k, v)) })
			}
		})
	}
	if len(p.errs) > 0 {
		return nil, fmt.Errorf("preset %s is invalid: %v", name, p.errs)
	}
	return out, nil
}

// mergeWrappers adds more to base: a wrapper of a new key is appended; one
// whose key exists extends it, its own settings winning, method by method.
func mergeWrappers(base, more []*WrapperSpec) []*WrapperSpec {
	for _, m := range more {
		i := slices.IndexFunc(base, func(b *WrapperSpec) bool { return b.Name == m.Name })
		if i < 0 {
			base = append(base, m)
			continue
		}
		b := *base[i]
		if m.Type != "" {
			b.Type, b.TypePos = m.Type, m.TypePos
		}
		b.Defaults = mergeMethod(b.Defaults, m.Defaults)
		for _, mm := range m.Methods {
			j := slices.IndexFunc(b.Methods, func(x *MethodSpec) bool { return x.Name == mm.Name })
			if j < 0 {
				b.Methods = append(b.Methods, mm)
				continue
			}
			merged := mergeMethod(*b.Methods[j], *mm)
			b.Methods = slices.Clone(b.Methods)
			b.Methods[j] = &merged
		}
		base[i] = &b
	}
	return base
}

// mergeMethod overlays over's settings on base's.
func mergeMethod(base, over MethodSpec) MethodSpec {
	out := base
	if over.Name != "" {
		out.Name, out.Pos = over.Name, over.Pos
	}
	out.Skip = base.Skip || over.Skip
	for _, pair := range []struct {
		dst **Value
		src *Value
	}{
		{&out.SpanName, over.SpanName}, {&out.Operation, over.Operation}, {&out.Provider, over.Provider}, {&out.Kind, over.Kind},
	} {
		if pair.src != nil {
			*pair.dst = pair.src
		}
	}
	if over.Stream != nil {
		out.Stream = over.Stream
	}
	if len(over.Fields) > 0 {
		out.Fields = make(map[string]*Value, len(base.Fields)+len(over.Fields))
		for k, v := range base.Fields {
			out.Fields[k] = v
		}
		for k, v := range over.Fields {
			out.Fields[k] = v
		}
	}
	return out
}
