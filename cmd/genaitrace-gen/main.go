package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/genaitrace/genaitrace/generator"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: genaitrace-gen [flags]

Generates OpenTelemetry GenAI tracing wrappers (NewTraced<Interface>) for the
interfaces a mapping file names. Run it from go generate in the package the
wrappers belong in:

	//go:generate go tool genaitrace-gen -config ../annotations.yaml

Flags:
`

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("genaitrace-gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts generator.Options
	var tags, suggest string
	var debug, version bool
	fs.StringVar(&opts.Mapping, "config", "annotations.yaml", "the mapping `file`, e.g. -config ../annotations.yaml")
	fs.StringVar(&opts.Dir, "dir", ".", "the `directory` of the package to generate into, e.g. -dir ./llm")
	fs.BoolVar(&opts.All, "all", false, "generate every package of the mapping in one load, e.g. from the module root")
	fs.StringVar(&tags, "tags", "", "build `tags` for loading packages, comma-separated, e.g. -tags integration")
	fs.BoolVar(&opts.Check, "check", false, "write nothing; exit 1 with a diff if a generated file is out of date (for CI)")
	fs.StringVar(&suggest, "suggest", "", "print a mapping inferred from the `types` (comma-separated) instead of generating, e.g. -suggest '*github.com/openai/openai-go/v3.ChatCompletionService'")
	fs.BoolVar(&debug, "debug", false, "print the resolved model to stderr")
	fs.BoolVar(&version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "genaitrace-gen: unexpected arguments %q; the mapping is given with -config\n", fs.Args())
		fs.Usage()
		return 2
	}
	if version {
		fmt.Fprintln(stdout, "genaitrace-gen", generator.Version)
		return 0
	}
	if tags != "" {
		opts.Tags = strings.Split(tags, ",")
	}
	if debug {
		opts.Debug = stderr
	}
	if suggest != "" {
		return runSuggest(opts, strings.Split(suggest, ","), stdout, stderr)
	}
	rep, err := generator.Run(context.Background(), opts)
	if rep != nil {
		for _, path := range rep.Stale {
			fmt.Fprintf(stderr, "genaitrace-gen: %s is out of date; run go generate\n%s", path, rep.Diffs[path])
		}
	}
	if err != nil {
		return failed(err, stderr)
	}
	if len(rep.Stale) > 0 {
		return 1
	}
	return 0
}

// runSuggest prints the mapping Suggest infers for refs.
func runSuggest(opts generator.Options, refs []string, stdout, stderr io.Writer) int {
	out, err := generator.Suggest(context.Background(), opts, refs...)
	if err != nil {
		return failed(err, stderr)
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintln(stderr, "genaitrace-gen:", err)
		return 1
	}
	return 0
}

// failed prints err and returns the exit status: 2 for a mistake in the
// command line, 1 for every other error.
func failed(err error, stderr io.Writer) int {
	fmt.Fprintln(stderr, err)
	var usageErr *generator.UsageError
	if errors.As(err, &usageErr) {
		return 2
	}
	return 1
}
