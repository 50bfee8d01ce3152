// Package templates holds genaitrace-gen's presets: ready, type-checked
// mappings for the Go LLM SDKs people use, named in a mapping file's
// presets: key and extendable there:
//
//	packages:
//	  example.com/app/llm:
//	    presets: [openai-go]
//	    wrappers:
//	      OpenAIChat:               # extends the preset's wrapper
//	        methods:
//	          New: {conversation_id: ...}
//
// Each preset is a YAML file of wrappers in the mapping's own schema; the
// test modules under tests/ generate them against pinned SDK versions and
// drive them against in-test servers speaking each provider's wire format.
package templates

import "embed"

// FS holds the presets, one <name>.yaml each.
//
//go:embed *.yaml
var FS embed.FS
