package generator

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/genaitrace/genaitrace/generator/mapping"
)

// manualBlocks returns the mapping examples of the generator's manual
// (go doc ./cmd/genaitrace-gen): the indented blocks that start with
// "packages:".
func manualBlocks(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "cmd", "genaitrace-gen", "doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var cur []string
	for _, line := range strings.Split(string(data), "\n") {
		text, code := strings.CutPrefix(line, "//\t")
		switch {
		case code && (len(cur) > 0 || strings.HasPrefix(text, "packages:")):
			cur = append(cur, text)
		case len(cur) > 0:
			blocks = append(blocks, strings.Join(cur, "\n")+"\n")
			cur = nil
		}
	}
	return blocks
}

// The Go the manual's first example is written against: what a reader of
// the manual would have.
var manualCode = map[string]string{
	"app/llm/llm.go": `package llm

import "context"

type Message struct{ Role, Content string }

type Request struct {
	Model    string
	Messages []Message
}

type Usage struct{ PromptTokens, CompletionTokens int }

type Choice struct{ FinishReason string }

type Response struct {
	Usage   Usage
	Choices []Choice
}

type Client interface {
	Complete(ctx context.Context, req *Request) (*Response, error)
	Close() error
}
`,
	"tools/tools.go": `package tools

import "context"

type Searcher interface {
	Search(ctx context.Context, query string) ([]string, error)
}
`,
	"sdk/sdk.go": `package sdk

import "context"

type ChatService struct{}

func (*ChatService) Send(ctx context.Context, text string) (string, error) { return text, nil }
`,
}

// TestManualExamplesWork: the manual's mapping examples generate as written
// against the Go they describe (its paths name what such code has), and the
// result builds; the preset example parses and names a preset that exists.
func TestManualExamplesWork(t *testing.T) {
	blocks := manualBlocks(t)
	if len(blocks) < 2 {
		t.Fatalf("found %d mapping examples in the manual, want the main one and the preset one", len(blocks))
	}
	for _, b := range blocks[1:] {
		m, err := mapping.ParseMapping("manual.yaml", []byte(b))
		if err != nil {
			t.Errorf("the manual's example does not parse:\n%s\n%v", b, err)
			continue
		}
		for _, p := range m.Packages {
			for _, name := range p.Presets {
				if _, err := mapping.LoadPreset(name); err != nil {
					t.Errorf("the manual's example names preset %q: %v", name, err)
				}
			}
		}
	}

	dir := t.TempDir()
	root := repoRoot(t)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mod := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(gomod), "module example.com")
	mod += "\nrequire github.com/genaitrace/genaitrace v0.0.0\n\nreplace github.com/genaitrace/genaitrace => " + root + "\n"
	writeFile(t, filepath.Join(dir, "go.mod"), mod)
	sum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	writeFile(t, filepath.Join(dir, "go.sum"), string(sum))
	for name, code := range manualCode {
		writeFile(t, filepath.Join(dir, name), code)
	}
	writeFile(t, filepath.Join(dir, "annotations.yaml"), blocks[0])
	if _, err := Run(context.Background(), Options{Mapping: filepath.Join(dir, "annotations.yaml"), Dir: dir, All: true}); err != nil {
		t.Fatalf("the manual's example does not generate as written:\n%s\n%v", blocks[0], err)
	}
	goCmd(t, dir, "vet", "./...")
}
