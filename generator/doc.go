// Package generator is genaitrace-gen: it reads annotations.yaml, loads
// the Go types it names and writes traced wrappers. The command in
// cmd/genaitrace-gen is a thin main over Run.
//
// A run is four stages, each in its own files, each using only the ones
// before it:
//
//	mapping   mapping.go, path.go, presets.go   parse annotations.yaml (and the presets it
//	                                             names) into specs, every node positioned
//	load      load.go                           find the packages to write into, then one
//	                                             packages.Load of everything the specs name
//	model     build.go, resolve.go, fields.go,  resolve each spec against go/types into the
//	          model.go                          model (unit → wrapper → method → attr),
//	                                             reporting every mistake at its YAML node
//	emit      emit*.go, types.go, names.go      render the model as Go source with jennifer;
//	                                             the emitter reads the model, never writes it
//
// then write.go writes each unit's file (or, with -check, diffs it) and
// run.go orchestrates. Mistakes are collected as an ErrorList of *Error,
// each with its Pos, and reported together in file, line and column order,
// so that one run shows every mistake of a mapping.
package generator
