package runtime

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the JSON examples of docs/diagnostics.md from real responses")

// dynamicMaps are objects whose keys are data, not fields: their keys are
// not compared.
var dynamicMaps = map[string]bool{"attributes": true, "destinations.*": true, "dropped_by_reason": true, "modules": true,
	"metadata": true, "by_reason": true, "resource_attributes": true, "headers": true}

var responseMarker = regexp.MustCompile("<!-- response: (GET|POST) (\\S+) -->\n```json\n")

// TestDiagnosticsDocMatchesResponses calls every endpoint documented in
// docs/diagnostics.md and compares the response with the example there:
// the same fields, of the same JSON types (values differ: times, IDs).
// With -update-docs it writes the real responses into the document.
func TestDiagnosticsDocMatchesResponses(t *testing.T) {
	_, base, tid := diagSetup(t)
	path := "../docs/diagnostics.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rest := doc
	n := 0
	for {
		loc := responseMarker.FindSubmatchIndex(rest)
		if loc == nil {
			out.Write(rest)
			break
		}
		method, endpoint := string(rest[loc[2]:loc[3]]), string(rest[loc[4]:loc[5]])
		out.Write(rest[:loc[1]])
		rest = rest[loc[1]:]
		end := bytes.Index(rest, []byte("```\n"))
		if end < 0 {
			t.Fatalf("%s %s: unterminated example", method, endpoint)
		}
		documented := rest[:end]
		rest = rest[end:]
		n++
		real := fetchExample(t, method, base+strings.NewReplacer("{trace_id}", tid, "{destination}", "instana").Replace(strings.TrimPrefix(endpoint, "/")))
		if *updateDocs {
			out.Write(real)
			continue
		}
		out.Write(documented)
		var want, got any
		if err := json.Unmarshal(documented, &want); err != nil {
			t.Errorf("%s %s: the example is not JSON (%v); run with -update-docs", method, endpoint, err)
			continue
		}
		_ = json.Unmarshal(real, &got)
		for _, d := range shapeDiff("", want, got) {
			t.Errorf("%s %s: %s (run with -update-docs if the change is intended)", method, endpoint, d)
		}
	}
	if n < 15 {
		t.Errorf("%d documented responses, want every endpoint", n)
	}
	if *updateDocs {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func fetchExample(t *testing.T, method, url string) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set(intentHeader, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, url, b)
	}
	shorten(v)
	pretty, _ := json.MarshalIndent(v, "", "  ")
	return append(pretty, '\n')
}

// shorten cuts every list to its first element, for the document.
func shorten(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if l, ok := e.([]any); ok && len(l) > 1 {
				x[k] = l[:1]
			}
			shorten(x[k])
		}
	case []any:
		for _, e := range x {
			shorten(e)
		}
	}
}

// shapeDiff lists where got's fields or types differ from want's.
func shapeDiff(path string, want, got any) []string {
	kind := func(v any) string {
		switch v.(type) {
		case map[string]any:
			return "object"
		case []any:
			return "list"
		case string:
			return "string"
		case float64:
			return "number"
		case bool:
			return "boolean"
		}
		return "null"
	}
	if kind(want) == "null" || kind(got) == "null" {
		return nil // an optional value, absent in one of them
	}
	if kind(want) != kind(got) {
		return []string{fmt.Sprintf("%s is a %s in the document, a %s in the response", orRoot(path), kind(want), kind(got))}
	}
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		last := path[strings.LastIndex(path, ".")+1:]
		if dynamicMaps[last] || dynamicMaps[parentKey(path)+".*"] {
			return nil
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inW:
				out = append(out, fmt.Sprintf("%s.%s is in the response, not in the document", orRoot(path), k))
			case !inG && !slices.Contains(optionalFields, k):
				out = append(out, fmt.Sprintf("%s.%s is in the document, not in the response", orRoot(path), k))
			case inG:
				out = append(out, shapeDiff(path+"."+k, wv, gv)...)
			}
		}
	case []any:
		g := got.([]any)
		if len(w) > 0 && len(g) > 0 {
			out = append(out, shapeDiff(path+"[]", w[0], g[0])...)
		}
	}
	return out
}

// optionalFields are left out of a response when they have no value.
var optionalFields = []string{"parent_span_id", "status_message", "genai", "error_type", "detail", "reason", "hint",
	"next_before", "read_back", "last_confirmed", "message", "confirmed_trace", "missing_trace", "error", "session_id", "user_id",
	"operation", "model", "provider", "request_model", "response_model", "tool", "agent", "time_to_first_chunk_ms"}

func parentKey(path string) string {
	parts := strings.Split(strings.TrimSuffix(path, "[]"), ".")
	if len(parts) < 2 {
		return ""
	}
	return strings.TrimSuffix(parts[len(parts)-2], "[]")
}

func orRoot(p string) string {
	if p == "" {
		return "the response"
	}
	return strings.TrimPrefix(p, ".")
}
