package mapping

import "testing"

// TestYAMLMistakes: each mistake people make in a mapping is reported at
// its own line and column with a hint, whatever line yaml.v3 names.
func TestYAMLMistakes(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		want      string
	}{
		{"tab", "packages:\n  a/api:\n\twrappers: {}\n",
			"m.yaml:3:1: a tab in the indentation; YAML indents with spaces only (the file is not valid YAML: found character that cannot start any token)"},
		{"unquoted star", "packages:\n  a/api:\n    wrappers:\n      Svc:\n        type: *example.com/x.Svc\n",
			`m.yaml:5:15: type: a value starting with * is read as a YAML alias; quote it: type: "*example.com/x.Svc" (the file is not valid YAML: did not find expected alphabetic or numeric character)`},
		{"colon in a value", "packages:\n  a/api:\n    wrappers:\n      Svc:\n        span_name: chat: gpt\n",
			`m.yaml:5:24: span_name: a plain value cannot hold ": "; quote it: span_name: "chat: gpt" (the file is not valid YAML: mapping values are not allowed in this context)`},
		{"indented under a value", "packages:\n  a/api:\n    wrappers:\n      Client:\n        provider: openai\n          operation: chat\n",
			"m.yaml:6:11: operation: indented under the line before, which already has a value; align it with that line's key (8 spaces) (the file is not valid YAML: mapping values are not allowed in this context)"},
		{"a block scalar is not keys", "packages:\n  a/api:\n    wrappers:\n      Client:\n        doc: |\n          text: with a colon\n       provider: openai\n",
			"m.yaml:7:8: provider: indented 7 spaces, like no key around it (doc has 8, Client 6); align it with the keys it belongs with (the file is not valid YAML: did not find expected key)"},
		{"an index inside a flow mapping", "packages:\n  a/api:\n    wrappers:\n      C:\n        methods:\n          M:\n            output: {path: result.Choices[0].Message, content: Content}\n",
			"m.yaml:7:28: output: result.Choices[0].Message inside {...} holds [ or ], which YAML reads as structure there; quote it: 'result.Choices[0].Message' (the file is not valid YAML: did not find expected ',' or '}')"},
		{"a list inside a flow mapping is fine", "packages:\n  a/api:\n    wrappers:\n      C:\n        methods:\n          M:\n            top_p: {first: [a.B, a.C]}\n            x: [\n",
			"m.yaml:8:16: x: the [ opened here is not closed on its line; close it, or write the value as a block (the file is not valid YAML: did not find expected node content)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseMapping("m.yaml", []byte(c.doc))
			if err == nil || err.Error() != c.want {
				t.Errorf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}
