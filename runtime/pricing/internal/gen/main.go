// Command gen derives genaitrace's embedded price table from LiteLLM's
// model_prices_and_context_window.json. It keeps the per-token USD prices of
// the text models (chat, completion, responses, embedding) and nothing else,
// and writes them sorted so that regenerating an unchanged source changes no
// byte.
//
// Usage (run by go generate in runtime/pricing):
//
//	go run ./internal/gen -in ../../../shared/pricing/model_prices.json -out prices.json
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
)

type source struct {
	Mode            string   `json:"mode"`
	Input           *float64 `json:"input_cost_per_token"`
	Output          *float64 `json:"output_cost_per_token"`
	CacheRead       *float64 `json:"cache_read_input_token_cost"`
	CacheWrite      *float64 `json:"cache_creation_input_token_cost"`
	Reasoning       *float64 `json:"output_cost_per_reasoning_token"`
	InputAbove200k  *float64 `json:"input_cost_per_token_above_200k_tokens"`
	OutputAbove200k *float64 `json:"output_cost_per_token_above_200k_tokens"`
}

var textModes = map[string]bool{"chat": true, "completion": true, "responses": true, "embedding": true}

func main() {
	in := flag.String("in", "", "LiteLLM model_prices_and_context_window.json")
	out := flag.String("out", "prices.json", "output file")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	slices.Sort(names)

	sum := sha256.Sum256(raw)
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\n\"source_sha256\": %q,\n\"columns\": [\"input\", \"output\", \"cache_read\", \"cache_write\", \"reasoning\", \"input_above_200k\", \"output_above_200k\"],\n\"models\": {", hex.EncodeToString(sum[:]))
	n := 0
	for _, name := range names {
		if name == "sample_spec" {
			continue
		}
		var s source
		if err := json.Unmarshal(all[name], &s); err != nil || !textModes[s.Mode] || s.Input == nil {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		fmt.Fprintf(&b, "\n%q: [%s]", name, row(s))
	}
	b.WriteString("\n}\n}\n")
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, b.Bytes()) {
		return nil
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}

func row(s source) string {
	cols := []*float64{s.Input, s.Output, s.CacheRead, s.CacheWrite, s.Reasoning, s.InputAbove200k, s.OutputAbove200k}
	var b []byte
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		v := 0.0
		if c != nil {
			v = *c
		}
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	return string(b)
}
