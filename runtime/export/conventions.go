package export

// Conventions chooses the release of the GenAI semantic conventions whose
// names spans and metrics leave the process in; inside, every span speaks
// v1.41's.
type Conventions int

const (
	// ConventionsV141 sends the names of semantic-conventions v1.41.0 (the
	// default: the Go semconv package ships no later GenAI release).
	ConventionsV141 Conventions = iota
	// ConventionsLatest sends the names of the GenAI conventions' first
	// standalone release, semantic-conventions-genai v0.1.0, and none of
	// v1.41's they replace (OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental).
	ConventionsLatest
)

// String returns "v1.41" or "genai-v0.1.0".
func (c Conventions) String() string {
	if c == ConventionsLatest {
		return "genai-v0.1.0"
	}
	return "v1.41"
}
