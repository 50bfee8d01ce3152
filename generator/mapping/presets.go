package mapping

import (
	"fmt"
	"io/fs"
	"maps"
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

// LoadPreset parses templates/<name>.yaml: its wrappers, positioned in the
// preset's own file so an error against a changed SDK points there.
func LoadPreset(name string) ([]*WrapperSpec, error) {
	data, err := fs.ReadFile(templates.FS, name+".yaml")
	if err != nil {
		return nil, fmt.Errorf("unknown preset %q%s (presets: %s)", name, DidYouMean(name, presetNames()), strings.Join(presetNames(), ", "))
	}
	p := &parser{file: "templates/" + name + ".yaml"}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, p.yamlError(err, data)
	}
	var out []*WrapperSpec
	var sdk string
	if len(doc.Content) > 0 {
		p.mapping(doc.Content[0], "preset "+name, []string{"sdk", "wrappers"}, func(key string, _, v *yaml.Node) {
			switch key {
			case "wrappers":
				p.eachEntry(v, "preset "+name+": wrappers", func(k, v *yaml.Node) { out = append(out, p.wrapper(k, v)) })
			case "sdk":
				sdk, _ = p.scalar(v, "preset "+name+": sdk")
			}
		})
	}
	if len(p.errs) > 0 {
		return nil, fmt.Errorf("preset %s is invalid: %v", name, p.errs)
	}
	for _, w := range out {
		w.Preset, w.PresetSDK = name, sdk
	}
	return out, nil
}

// mergeWrappers adds more to base: a wrapper of a new key is appended; one
// whose key exists extends it, at every level: more's settings win key by
// key, in the wrapper, in each method, in each stream and in its chunk:
// a key more does not write keeps base's value. A key's value (a path, a
// {path: ..., role: ...} of messages) is replaced whole.
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
		if m.Unmapped != "" {
			b.Unmapped, b.UnmappedPos = m.Unmapped, m.UnmappedPos
		}
		if b.Preset == "" {
			b.Preset, b.PresetSDK, b.PresetPos = m.Preset, m.PresetSDK, m.PresetPos
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
	if over.skipSet {
		out.Skip, out.skipSet = over.Skip, true
	}
	for _, pair := range []struct {
		dst **Value
		src *Value
	}{
		{&out.SpanName, over.SpanName}, {&out.Operation, over.Operation}, {&out.Provider, over.Provider}, {&out.Kind, over.Kind},
		{&out.ErrorWhen, over.ErrorWhen}, {&out.Propagate, over.Propagate},
	} {
		if pair.src != nil {
			*pair.dst = pair.src
		}
	}
	if over.ErrorType != nil {
		out.ErrorType = over.ErrorType
	}
	if over.Options != "" {
		out.Options, out.OptionsPos = over.Options, over.OptionsPos
	}
	out.Stream = mergeStream(base.Stream, over.Stream)
	if len(over.Fields) > 0 {
		out.Fields = mergeValues(base.Fields, over.Fields)
	}
	return out
}

// mergeStream overlays over's stream keys on base's: names and the pipe
// when written, chunk keys one by one.
func mergeStream(base, over *StreamSpec) *StreamSpec {
	switch {
	case over == nil:
		return base
	case base == nil:
		return over
	}
	out := *base
	out.Pos = over.Pos
	for _, pair := range []struct{ dst, src *string }{
		{&out.Result, &over.Result}, {&out.Callback, &over.Callback}, {&out.Next, &over.Next}, {&out.Current, &over.Current},
		{&out.Err, &over.Err}, {&out.Recv, &over.Recv}, {&out.Close, &over.Close},
	} {
		if *pair.src != "" {
			*pair.dst = *pair.src
		}
	}
	if over.Pipe != "" {
		out.Pipe, out.PipePos = over.Pipe, over.PipePos
	}
	if over.ChunkError != nil {
		out.ChunkError = over.ChunkError
	}
	out.Chunk = mergeValues(base.Chunk, over.Chunk)
	return &out
}

func mergeValues(base, over map[string]*Value) map[string]*Value {
	out := make(map[string]*Value, len(base)+len(over))
	maps.Copy(out, base)
	maps.Copy(out, over)
	return out
}
