package dialect

import (
	"strings"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// langSmith reads LangSmith Go's spans (langchain-ai/langsmith-go
// instrumentation/traceopenai, traceanthropic, tracegemini): the prompt
// and completion as JSON (jsonContent), usage split in
// langsmith.usage_metadata, the stop reason, and errors recorded with up
// to 500 bytes of the provider's error body. Its operations outside the
// conventions (embedding, responses, stream_generate_content) are
// renamed in operations; its copies of token counts onto the caller's
// span carry no model and are not usage of that span (export's facts).
func (n *normalizer) langSmith() {
	if !n.is(dialectLangSmith) {
		return
	}
	n.langSmithUsage()
	if r := n.str(langSmithStopReason); r != "" {
		n.set(genai.ResponseFinishReasons.StringSlice([]string{r}))
	}
	n.errorsEcho = true
}

// StripEcho cuts what follows the status of an error message LangSmith's
// instrumentation wrote ("HTTP 400: {...the provider's error body...}"
// becomes "HTTP 400"): the body may quote the request. Other messages are
// returned as they are.
func StripEcho(msg string) string {
	rest, ok := strings.CutPrefix(msg, "HTTP ")
	if !ok {
		return msg
	}
	code, _, found := strings.Cut(rest, ":")
	if !found || len(code) != 3 || strings.Trim(code, "0123456789") != "" {
		return msg
	}
	return "HTTP " + code
}
