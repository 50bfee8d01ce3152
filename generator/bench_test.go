package generator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// benchModule writes a module with one package of n interfaces of five
// methods each, and a mapping for all of them, as a larger application's
// would be.
func benchModule(tb testing.TB, n int) (dir, mappingFile string) {
	tb.Helper()
	root := repoRoot(tb)
	dir = tb.TempDir()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		tb.Fatal(err)
	}
	mod := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(gomod), "module example.com/bench")
	mod += "\nrequire github.com/genaitrace/genaitrace v0.0.0\n\nreplace github.com/genaitrace/genaitrace => " + root + "\n"
	writeFile(tb, filepath.Join(dir, "go.mod"), mod)
	sum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	writeFile(tb, filepath.Join(dir, "go.sum"), string(sum))

	var code, yaml strings.Builder
	code.WriteString("package llm\n\nimport \"context\"\n\ntype Message struct{ Role, Content string }\n\n" +
		"type Request struct {\n\tModel string\n\tMessages []Message\n\tTemperature float64\n}\n\n" +
		"type Usage struct{ In, Out int }\n\ntype Response struct {\n\tModel string\n\tUsage *Usage\n\tReasons []string\n}\n\n")
	yaml.WriteString("packages:\n  example.com/bench/llm:\n    wrappers:\n")
	for i := range n {
		fmt.Fprintf(&code, "type Client%d interface {\n", i)
		fmt.Fprintf(&yaml, "      Client%d:\n        provider: openai\n        operation: chat\n        methods:\n", i)
		for j := range 5 {
			fmt.Fprintf(&code, "\tCall%d(ctx context.Context, req *Request) (*Response, error)\n", j)
			fmt.Fprintf(&yaml, "          Call%d:\n            request_model: req.Model\n            temperature: req.Temperature\n"+
				"            response_model: result.Model\n            input_tokens: result.Usage.In\n            output_tokens: result.Usage.Out\n"+
				"            finish_reasons: result.Reasons\n            input: {path: req.Messages, role: Role, content: Content}\n", j)
		}
		code.WriteString("}\n\n")
	}
	writeFile(tb, filepath.Join(dir, "llm", "llm.go"), code.String())
	mappingFile = filepath.Join(dir, "annotations.yaml")
	writeFile(tb, mappingFile, yaml.String())
	return dir, mappingFile
}

// BenchmarkGenerate measures a whole run (parse, load, type-check, emit,
// format, compare) for 20 interfaces of 5 methods, warm: a first run
// writes the file, a second fills the go command's cache with the package
// as written, and each measured run checks it.
//
//	go test ./generator -run '^$' -bench BenchmarkGenerate -count 6
func BenchmarkGenerate(b *testing.B) {
	dir, mappingFile := benchModule(b, 20)
	ctx := context.Background()
	opts := Options{Mapping: mappingFile, Dir: filepath.Join(dir, "llm")}
	if _, err := Run(ctx, opts); err != nil {
		b.Fatal(err)
	}
	opts.Check = true
	if _, err := Run(ctx, opts); err != nil { // the go command caches the package as written
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := Run(ctx, opts)
		if err != nil || len(rep.Stale) > 0 {
			b.Fatalf("%v %v", err, rep.Stale)
		}
	}
}
