package generator

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/genaitrace/genaitrace/generator/mapping"
)

// TestSuggestionLinesThatDoNotGenerateAreDropped checks the gate between
// inference and output: a suggested line generation rejects is left out
// (here planted: a field that does not exist, a count read from a
// string, a stream on a method returning none), the rest is printed, and
// what is printed generates.
func TestSuggestionLinesThatDoNotGenerateAreDropped(t *testing.T) {
	m := newGoldenModule(t)
	ctx := context.Background()
	opts := Options{Dir: filepath.Join(m.dir, "suggest", "llm")}
	s, env, err := infer(ctx, opts, []string{"Client"})
	if err != nil {
		t.Fatal(err)
	}
	var chat, embed *methodSuggestion
	for _, ms := range s.wrappers[0].methods {
		switch ms.name {
		case "Chat":
			chat = ms
		case "Embed":
			embed = ms
		}
	}
	if chat == nil || embed == nil {
		t.Fatalf("no Chat or Embed suggested: %s", s.render())
	}
	bad := []*line{sure("reasoning_tokens", "result.Usage.ReasoningTokens"), sure("seed", "req.Model")}
	chat.add(bad...)
	embed.stream = &streamSuggestion{head: sure("stream", "")}
	if err := s.check(env); err != nil {
		t.Fatal(err)
	}
	out := s.render()
	for _, l := range bad {
		if !l.dropped || strings.Contains(out, l.key+": "+l.value) {
			t.Errorf("%s: %s was kept:\n%s", l.key, l.value, out)
		}
	}
	if !embed.stream.head.dropped || strings.Count(out, "stream:") != 1 {
		t.Errorf("the stream on Embed was kept:\n%s", out)
	}
	if !strings.Contains(out, "input_tokens: result.Usage.PromptTokens") {
		t.Errorf("a good line was dropped:\n%s", out)
	}
	parsed, err := mapping.ParseMapping(suggestFile, []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	var errs mapping.ErrorList
	buildUnits(parsed.Packages, env.pkgs, env.missing, map[string]string{}, &errs)
	if len(errs) > 0 {
		t.Errorf("the printed suggestion does not generate: %v", errs)
	}
}
