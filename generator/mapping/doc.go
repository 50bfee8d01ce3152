// Package mapping is genaitrace-gen's first stage: it parses
// annotations.yaml, and the presets it names (templates/*.yaml, merged
// with the user's blocks key by key), into specs whose every node carries
// its position, and it holds the table of mapping keys (the attribute each
// records, its type) and the errors every stage reports (ErrorList of
// *Error, each file:line:col: what is wrong, and how to fix it).
//
// It knows YAML and the mapping's own syntax (paths such as
// result.Usage.PromptTokens, values, streams, error types), not Go types:
// checking the specs against the code is the generator's model stage, which
// imports this package; this package imports nothing of the generator.
package mapping
