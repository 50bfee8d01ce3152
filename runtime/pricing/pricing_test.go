package pricing

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestEmbeddedTable(t *testing.T) {
	tab := Default()
	if tab.Len() < 1000 {
		t.Fatalf("embedded table has %d models", tab.Len())
	}
	p, ok := tab.Lookup("openai", "gpt-4o")
	if !ok || !near(p.Input, 2.5e-6) || !near(p.Output, 1e-5) || !near(p.CacheRead, 1.25e-6) {
		t.Errorf("gpt-4o: %+v %v", p, ok)
	}
}

func TestLookupSpellings(t *testing.T) {
	tab := New(map[string]Price{"gpt-x": {Input: 1}, "azure/gpt-y": {Input: 2}})
	for _, tc := range []struct {
		provider, model string
		want            float64
	}{
		{"", "gpt-x", 1}, {"", "GPT-X", 1}, {"openai", "openai/gpt-x", 1}, {"azure", "gpt-y", 2},
	} {
		p, ok := tab.Lookup(tc.provider, tc.model)
		if !ok || p.Input != tc.want {
			t.Errorf("Lookup(%q, %q) = %+v, %v", tc.provider, tc.model, p, ok)
		}
	}
	if _, ok := tab.Lookup("", "unknown"); ok {
		t.Error("unknown model found")
	}
	if _, ok := tab.Lookup("", "unknown"); ok { // cached miss
		t.Error("unknown model found from the cache")
	}
	var nilTab *Table
	if _, ok := nilTab.Lookup("", "gpt-x"); ok {
		t.Error("nil table found a model")
	}
}

func TestCostBuckets(t *testing.T) {
	p := Price{Input: 2e-6, Output: 8e-6, CacheRead: 0.5e-6, Reasoning: 0, InputAbove200k: 4e-6, OutputAbove200k: 16e-6}
	c := p.Of(Usage{Input: 1000, Output: 300, CacheRead: 400, CacheWrite: 100, Reasoning: 100})
	// 500 plain input, 400 cached, 100 cache writes at the input price,
	// 200 plain output, 100 reasoning at the output price.
	want := Cost{Input: 500 * 2e-6, CacheRead: 400 * 0.5e-6, CacheWrite: 100 * 2e-6, Output: 200 * 8e-6, Reasoning: 100 * 8e-6}
	if !near(c.Input, want.Input) || !near(c.CacheRead, want.CacheRead) || !near(c.CacheWrite, want.CacheWrite) ||
		!near(c.Output, want.Output) || !near(c.Reasoning, want.Reasoning) || !near(c.Total(), 500*2e-6+400*0.5e-6+100*2e-6+300*8e-6) {
		t.Errorf("cost %+v, want %+v", c, want)
	}
	big := p.Of(Usage{Input: 300_000, Output: 10})
	if !near(big.Input, 300_000*4e-6) || !near(big.Output, 10*16e-6) {
		t.Errorf("above 200k: %+v", big)
	}
}

func TestWithAndOverrides(t *testing.T) {
	over, err := ParseOverrides([]byte(`{"my-model": {"input": 1e-6, "output": 2e-6}}`))
	if err != nil {
		t.Fatal(err)
	}
	tab := Default().With(over)
	if c, ok := tab.Estimate("", "my-model", Usage{Input: 10, Output: 5}); !ok || !near(c.Total(), 10*1e-6+5*2e-6) {
		t.Errorf("override: %+v %v", c, ok)
	}
	if _, ok := Default().Lookup("", "my-model"); ok {
		t.Error("With modified the default table")
	}
	for _, bad := range []string{`[1]`, `{"m": {"input": -1}}`, `not json`} {
		if _, err := ParseOverrides([]byte(bad)); err == nil {
			t.Errorf("ParseOverrides(%s) succeeded", bad)
		}
	}
}
