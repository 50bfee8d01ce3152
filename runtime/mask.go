package runtime

import (
	"regexp"

	"go.opentelemetry.io/otel/attribute"
)

// Mask rewrites one value before it leaves the process for a destination
// ("instana", "langfuse" or "otlp"): a prompt, a completion, a tool's
// arguments or result (as the JSON the destination receives), or an
// attribute named in WithMask. It runs in the background, never on the
// caller's path, and must be safe for concurrent use.
type Mask func(destination string, key attribute.Key, value string) string

// secretShapes are the shapes of credentials that turn up in prompts and
// tool results: provider API keys, cloud and repository tokens, bearer
// headers and JSON Web Tokens. Each match is replaced by "***".
var secretShapes = regexp.MustCompile(alternatives(
	`\bsk-(?:ant-|proj-|lf-)?[A-Za-z0-9_-]{16,}`, // OpenAI, Anthropic, Langfuse secret keys
	`\bAKIA[0-9A-Z]{16}\b`,                       // AWS access key IDs
	`\bAIza[0-9A-Za-z_-]{35}\b`,                  // Google API keys
	`\bgh[pousr]_[A-Za-z0-9]{36,}\b`,             // GitHub tokens
	`\bgithub_pat_[A-Za-z0-9_]{22,}\b`,
	`\bxox[abprs]-[A-Za-z0-9-]{10,}\b`,                             // Slack tokens
	`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`, // JSON Web Tokens
	`(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{16,}`,                       // bearer headers, kept as "Bearer ***"
))

func alternatives(res ...string) string {
	out := ""
	for i, a := range res {
		if i > 0 {
			out += "|"
		}
		out += "(?:" + a + ")"
	}
	return out
}

// maskSecrets replaces credential shapes in v with "***".
func maskSecrets(v string) string {
	return secretShapes.ReplaceAllStringFunc(v, func(m string) string {
		if len(m) > 6 && (m[0] == 'B' || m[0] == 'b') && (m[1] == 'e' || m[1] == 'E') {
			return m[:6] + " ***"
		}
		return "***"
	})
}

// maskFor is what a destination applies: the secret shapes first, then the
// application's mask. Nil when neither is configured.
func (c *config) maskFor(destination string) func(attribute.Key, string) string {
	if c.Mask == nil && !c.MaskSecrets {
		return nil
	}
	user, secrets := c.Mask, c.MaskSecrets
	return func(k attribute.Key, v string) string {
		if secrets {
			v = maskSecrets(v)
		}
		if user != nil {
			v = user(destination, k, v)
		}
		return v
	}
}
