// Package generator is genaitrace-gen: it reads annotations.yaml, loads
// the Go types it names and writes traced wrappers. The command in
// cmd/genaitrace-gen is a thin main over Run.
//
// A run is four stages, each in its own files, each using only the ones
// before it:
//
//	mapping   package generator/mapping          parse annotations.yaml (and the presets it
//	                                             names) into specs, every node positioned;
//	                                             it imports nothing of the generator, which
//	                                             the compiler holds it to
//	load      load.go                            find the packages to write into, then one
//	                                             packages.Load of everything the specs name
//	model     build.go, resolve*.go, model.go,   resolve each spec against go/types into the
//	          deprecation.go, typepred.go        model (unit → wrapper → method → attr),
//	                                             reporting every mistake at its YAML node
//	emit      emit*.go, types.go, names.go       render the model as Go source with jennifer;
//	                                             the emitter reads the model
//
// then write.go writes each unit's file (or, with -check, diffs it) and
// run.go orchestrates. -suggest (suggest*.go) infers specs from types with
// the go/types predicates of typepred.go, which generation uses too, and
// checks them with the model stage. Mistakes are collected as a
// mapping.ErrorList of *mapping.Error, each with its Pos, and reported
// together in file, line and column order, so that one run shows every
// mistake of a mapping.
package generator
