package dialect

import (
	"strings"

	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// providers corrects and infers gen_ai.provider.name. otelc derives it
// from the host it called (open-telemetry/opentelemetry-go-compile-instrumentation
// instrumentation/github.com/openai/openai-go/v3/middleware.go,
// getProviderName): azure, google, mistral and others that are not the
// conventions' names where the conventions have one. ADK's model calls
// from v0.5 on name none (adkGemini); ADK's and eino's gen_ai.system
// name the framework.
func (n *normalizer) providers() {
	if p := n.str(genai.ProviderName); p != "" && n.is(dialectOtelc) {
		if c, ok := otelcProviders[p]; ok {
			n.correct(genai.ProviderName, genai.ProviderName.String(c).Value)
		}
	}
	if !n.has(genai.ProviderName) && n.adkGemini() {
		n.set(genai.ProviderName.String("gcp.gen_ai"))
	}
	if _, framework := notProviders[strings.ToLower(n.str(vocab.LegacySystem))]; framework {
		// ADK's gcp.vertex.agent and eino's eino name no provider, and
		// Instana reads gen_ai.system as one: it gets the provider's name
		// instead, when known.
		n.drop(vocab.LegacySystem)
	}
}

// otelcProviders are otelc's host-derived provider names that have a
// well-known value in the conventions. The others (qwen, ark, tencent,
// moonshot, zhipu, baidu, minimax, siliconflow, together, ollama, and
// local for any loopback host) have none and stay as they are.
var otelcProviders = map[string]string{
	"azure":   "azure.ai.openai",
	"google":  "gcp.gen_ai", // googleapis.com or generativelanguage: Gemini's API or Vertex AI
	"mistral": "mistral_ai",
}
