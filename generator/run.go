package generator

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/genaitrace/genaitrace/generator/mapping"
)

// Version is genaitrace-gen's version, written into generated headers.
const Version = "v0.1.0"

// Options configure one run.
type Options struct {
	// Mapping is the path of annotations.yaml.
	Mapping string
	// Dir is the directory of the package to generate into (default ".").
	Dir string
	// All generates every package of the mapping, not only Dir's.
	All bool
	// Tags are build tags for loading packages (GOFLAGS is honoured too).
	Tags []string
	// Check reports files that are out of date, with a diff, instead of
	// writing them.
	Check bool
	// Debug, when set, receives a dump of the resolved model.
	Debug io.Writer
}

// Report says what a run did.
type Report struct {
	Written   []string
	Unchanged []string
	// Stale lists out-of-date files found with Check; Diffs has a unified
	// diff for each.
	Stale []string
	Diffs map[string]string
}

// UsageError is a mistake in how the generator was invoked; the command
// exits with status 2 for it, and 1 for every other error.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Run generates (or checks) the wrappers the mapping asks for.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Dir == "" {
		opts.Dir = "."
	}
	data, err := os.ReadFile(opts.Mapping)
	if err != nil {
		return nil, &UsageError{fmt.Errorf("cannot read the mapping: %w; pass -config path/to/annotations.yaml", err)}
	}
	parsed, parseErr := mapping.ParseMapping(displayPath(opts.Mapping), data)
	if parsed == nil {
		return nil, parseErr
	}
	var errs mapping.ErrorList
	errs.AddErr(parseErr)
	specs, err := selectPackages(ctx, opts, parsed)
	if err != nil {
		errs.AddErr(err)
		return nil, errs
	}
	pkgs, missing, err := load(ctx, opts, specs)
	if err != nil {
		errs.AddErr(err)
		return nil, errs
	}
	dirs, err := outputDirs(specs, pkgs)
	if err != nil {
		errs.AddErr(err)
		return nil, errs
	}
	units := buildUnits(specs, pkgs, missing, dirs, &errs)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if opts.Debug != nil {
		dump(opts.Debug, units)
	}
	return write(opts, parsed, units)
}

// displayPath shortens the mapping's path for messages when it is under
// the working directory.
func displayPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}
