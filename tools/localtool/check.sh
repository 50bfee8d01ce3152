#!/usr/bin/env bash
# Proves the recipe README.md and docs/mapping.md give for using genaitrace-gen
# as a `go tool` from a local checkout (or a fork's clone) that the module
# proxy does not serve: in a scratch module outside this repository, the
# commands as written, then go generate, go vet and the generator's -check.
# CI runs it (.ci/run); run it by hand with tools/localtool/check.sh.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
export GOFLAGS="${GOFLAGS:-} -mod=mod" GOWORK=off

go mod init example.com/scratch >/dev/null 2>&1
mkdir llm
cat > llm/llm.go <<'GO'
// Package llm is a scratch package wrapping an interface of its own.
package llm

import "context"

//go:generate go tool genaitrace-gen -config ../annotations.yaml

// Request is a model call.
type Request struct{ Model string }

// Client calls a model.
type Client interface {
	Complete(ctx context.Context, req *Request) (string, error)
}
GO
cat > annotations.yaml <<'YAML'
packages:
  example.com/scratch/llm:
    wrappers:
      Client:
        provider: openai
        operation: chat
        methods:
          Complete: {request_model: req.Model, output: result}
YAML

# The recipe, exactly as documented (with <path> the checkout):
go mod edit -require=github.com/genaitrace/genaitrace@v0.0.0-00010101000000-000000000000 -replace=github.com/genaitrace/genaitrace="$root" -tool=github.com/genaitrace/genaitrace/cmd/genaitrace-gen && go mod tidy

go tool genaitrace-gen -version
go generate ./...
go mod tidy # the generated file imports the runtime and OpenTelemetry
go vet ./...
(cd llm && go tool genaitrace-gen -check -config ../annotations.yaml)
grep -q 'func NewTracedClient(inner Client' llm/genaitrace_gen.go
echo "localtool: genaitrace-gen ran as a go tool from $root"
