package mapping

import (
	"slices"
	"testing"
)

// A user's block extends a preset at every level: a stream's chunk keeps
// the preset's keys the user does not write (usage, the response model),
// skip: false undoes the preset's skip, wrapper keys merge too.
func TestPresetExtensionMergesAtEveryLevel(t *testing.T) {
	const src = `packages:
  example.com/app:
    presets: [openai-go]
    wrappers:
      OpenAIChatCompletions:
        unmapped: skip
        methods:
          NewStreaming:
            conversation_id: {const: support}
            stream:
              chunk:
                output_tokens: chunk.Usage.TotalTokens
          New:
            error_type: rate_limited
`
	m, err := ParseMapping("annotations.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var w *WrapperSpec
	for _, ws := range m.Packages[0].Wrappers {
		if ws.Name == "OpenAIChatCompletions" {
			w = ws
		}
	}
	if w == nil || w.Type != "*github.com/openai/openai-go/v3.ChatCompletionService" || w.Unmapped != "skip" || w.Preset != "openai-go" {
		t.Fatalf("wrapper %+v", w)
	}
	methods := map[string]*MethodSpec{}
	for _, ms := range w.Methods {
		methods[ms.Name] = ms
	}
	st := methods["NewStreaming"].Stream
	var chunk []string
	for k := range st.Chunk {
		chunk = append(chunk, k)
	}
	slices.Sort(chunk)
	want := []string{"cache_read_tokens", "finish_reasons", "input_tokens", "output", "output_tokens", "reasoning_tokens", "response_id", "response_model"}
	if !slices.Equal(chunk, want) {
		t.Errorf("chunk keys %v, want the preset's and the user's: %v", chunk, want)
	}
	if got := st.Chunk["output_tokens"].Text; got != "chunk.Usage.TotalTokens" {
		t.Errorf("output_tokens %q: the user's value wins", got)
	}
	if st.Chunk["input_tokens"].Pos.File != "templates/openai-go.yaml" {
		t.Errorf("input_tokens is at %v, want the preset's position", st.Chunk["input_tokens"].Pos)
	}
	ns := methods["NewStreaming"]
	if ns.Fields["request_model"] == nil || ns.Fields["conversation_id"] == nil || ns.Operation == nil || ns.Operation.Text != "chat" {
		t.Errorf("NewStreaming's keys: %v, operation %v", ns.Fields, ns.Operation)
	}
	if et := methods["New"].ErrorType; et == nil || et.Const != "rate_limited" || methods["New"].Fields["output"] == nil {
		t.Errorf("New: error_type %+v, output %v", et, methods["New"].Fields["output"])
	}

	// skip: false undoes a skip the preset (or an earlier block) wrote.
	undo, err := ParseMapping("annotations.yaml", []byte(`packages:
  example.com/app:
    presets: [openai-go]
    wrappers:
      OpenAIChatCompletions:
        methods:
          Delete: {skip: true}
  example.com/other:
    wrappers:
      X:
        methods:
          M: {skip: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	base := undo.Packages[0].Wrappers[0].Methods
	over := []*WrapperSpec{{Name: "OpenAIChatCompletions", Methods: []*MethodSpec{{Name: "Delete", Skip: false, skipSet: true}}}}
	merged := mergeWrappers([]*WrapperSpec{{Name: "OpenAIChatCompletions", Methods: base}}, over)
	for _, ms := range merged[0].Methods {
		if ms.Name == "Delete" && ms.Skip {
			t.Error("skip: false did not undo skip: true")
		}
	}
}
