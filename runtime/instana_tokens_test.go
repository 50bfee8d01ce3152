package runtime

import "testing"

// The token count names of each family Instana may get (export's
// InstanaTokenNames), spelled out rather than shared with the code under
// test.
var (
	tokenNamesConventions = []string{"gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
		"gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_creation.input_tokens",
		"gen_ai.usage.cache_write.input_tokens", "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.total_tokens"}
	tokenNamesLegacy = []string{"gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "llm.usage.total_tokens",
		"gen_ai.usage.cache_read_input_tokens", "gen_ai.usage.cache_creation_input_tokens", "gen_ai.usage.reasoning_tokens"}
)

// assertOneTokenFamily fails when a span Instana received carries a token
// count under a name of the family it was not to get.
func assertOneTokenFamily(t *testing.T, span string, attrs map[string]any, family []string) {
	t.Helper()
	other := tokenNamesLegacy
	if family[0] == tokenNamesLegacy[0] {
		other = tokenNamesConventions
	}
	for _, k := range other {
		if v, ok := attrs[k]; ok {
			t.Errorf("Instana's %q has %s = %v: a count under two families' names may be counted twice", span, k, v)
		}
	}
}
