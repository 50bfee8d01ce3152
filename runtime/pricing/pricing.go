// Package pricing estimates the USD cost of a GenAI call from its model and
// token usage, off the caller's path. The default table is derived from
// LiteLLM's price list and embedded in the binary (see PROVENANCE.md); users
// override or extend it per model.
package pricing

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// Price is the USD price per token of one model. A zero CacheRead,
// CacheWrite or Reasoning price means those tokens cost the plain input or
// output price. Prices above 200k input tokens apply when set and the
// request's input exceeds 200,000 tokens, as several providers bill.
type Price struct {
	Input           float64 `json:"input"`
	Output          float64 `json:"output"`
	CacheRead       float64 `json:"cache_read,omitempty"`
	CacheWrite      float64 `json:"cache_write,omitempty"`
	Reasoning       float64 `json:"reasoning,omitempty"`
	InputAbove200k  float64 `json:"input_above_200k,omitempty"`
	OutputAbove200k float64 `json:"output_above_200k,omitempty"`
}

// Usage is a call's token usage as the GenAI semantic conventions count it:
// Input includes CacheRead and CacheWrite; Output includes Reasoning.
type Usage struct {
	Input, Output, CacheRead, CacheWrite, Reasoning int64
}

// Cost is an itemised cost in USD. Items are exclusive: every token is
// billed in exactly one of them.
type Cost struct {
	Input, CacheRead, CacheWrite, Output, Reasoning float64
}

// Total is the sum of the items.
func (c Cost) Total() float64 {
	return c.Input + c.CacheRead + c.CacheWrite + c.Output + c.Reasoning
}

// Of prices usage u at p.
func (p Price) Of(u Usage) Cost {
	in, out := p.Input, p.Output
	if u.Input > 200_000 {
		in = orElse(p.InputAbove200k, in)
		out = orElse(p.OutputAbove200k, out)
	}
	plainIn := max(u.Input-u.CacheRead-u.CacheWrite, 0)
	plainOut := max(u.Output-u.Reasoning, 0)
	return Cost{
		Input:      float64(plainIn) * in,
		CacheRead:  float64(u.CacheRead) * orElse(p.CacheRead, in),
		CacheWrite: float64(u.CacheWrite) * orElse(p.CacheWrite, in),
		Output:     float64(plainOut) * out,
		Reasoning:  float64(u.Reasoning) * orElse(p.Reasoning, out),
	}
}

func orElse(v, fallback float64) float64 {
	if v > 0 {
		return v
	}
	return fallback
}

// Table maps model IDs to prices. The zero value is empty; Default returns the
// embedded table. A Table is safe for concurrent use.
type Table struct {
	prices map[string]Price
	// resolved caches Lookup's answer per queried name, including misses,
	// because lookups fall back through several spellings.
	mu       sync.RWMutex
	resolved map[lookupKey]lookupResult
}

type lookupKey struct{ provider, model string }

//go:embed prices.json
var embedded []byte

var defaultTable = sync.OnceValue(func() *Table {
	t, err := parseEmbedded(embedded)
	if err != nil {
		panic("pricing: embedded prices.json is invalid: " + err.Error()) // a build defect, caught by tests
	}
	return t
})

// Default returns the embedded price table. Callers must not modify it; use
// Default().With to derive one with overrides.
func Default() *Table { return defaultTable() }

func parseEmbedded(b []byte) (*Table, error) {
	var doc struct {
		Models map[string][7]float64 `json:"models"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	t := &Table{prices: make(map[string]Price, len(doc.Models))}
	for name, c := range doc.Models {
		t.prices[name] = Price{c[0], c[1], c[2], c[3], c[4], c[5], c[6]}
	}
	return t, nil
}

// New returns a table holding only the given prices.
func New(prices map[string]Price) *Table {
	t := &Table{prices: make(map[string]Price, len(prices))}
	for k, v := range prices {
		t.prices[k] = v
	}
	return t
}

// With returns a copy of t in which the given prices replace or add entries.
func (t *Table) With(overrides map[string]Price) *Table {
	n := &Table{prices: make(map[string]Price, len(t.prices)+len(overrides))}
	for k, v := range t.prices {
		n.prices[k] = v
	}
	for k, v := range overrides {
		n.prices[k] = v
	}
	return n
}

// Len reports the number of models in t.
func (t *Table) Len() int { return len(t.prices) }

// Lookup finds the price of model. Model IDs are matched exactly first, then
// case-insensitively, then without a provider prefix ("openai/gpt-4o"), then
// with the provider's prefix added ("gpt-4o" under provider "azure" finds
// "azure/gpt-4o"). Keep model IDs as the provider returns them.
func (t *Table) Lookup(provider, model string) (Price, bool) {
	if t == nil || model == "" {
		return Price{}, false
	}
	key := lookupKey{provider, model}
	t.mu.RLock()
	r, hit := t.resolved[key]
	t.mu.RUnlock()
	if hit {
		return r.price, r.ok
	}
	p, ok := t.lookup(provider, model)
	t.mu.Lock()
	if t.resolved == nil {
		t.resolved = map[lookupKey]lookupResult{}
	}
	if len(t.resolved) < 10_000 { // model names come from responses; bound the cache
		t.resolved[key] = lookupResult{p, ok}
	}
	t.mu.Unlock()
	return p, ok
}

type lookupResult struct {
	price Price
	ok    bool
}

func (t *Table) lookup(provider, model string) (Price, bool) {
	candidates := []string{model, strings.ToLower(model)}
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		candidates = append(candidates, model[i+1:], strings.ToLower(model[i+1:]))
	}
	if provider != "" {
		candidates = append(candidates, provider+"/"+model, strings.ToLower(provider+"/"+model))
	}
	for _, c := range candidates {
		if p, ok := t.prices[c]; ok {
			return p, true
		}
	}
	return Price{}, false
}

// Estimate prices usage u of model under provider. ok is false when the
// model is unknown.
func (t *Table) Estimate(provider, model string, u Usage) (c Cost, ok bool) {
	p, ok := t.Lookup(provider, model)
	if !ok {
		return Cost{}, false
	}
	return p.Of(u), true
}

// ParseOverrides parses user price overrides given as JSON, an object from
// model ID to a Price object, for example
// {"my-model": {"input": 1e-6, "output": 2e-6}}.
func ParseOverrides(b []byte) (map[string]Price, error) {
	var m map[string]Price
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("price overrides must be a JSON object of model to {\"input\": usd_per_token, \"output\": usd_per_token}: %w", err)
	}
	for name, p := range m {
		if p.Input < 0 || p.Output < 0 || p.CacheRead < 0 || p.CacheWrite < 0 || p.Reasoning < 0 {
			return nil, fmt.Errorf("price override for %q: prices must not be negative", name)
		}
	}
	return m, nil
}
