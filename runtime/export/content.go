package export

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
)

// IsContent reports whether key holds prompt, completion or tool content
// in any language genaitrace reads or writes.
func IsContent(key attribute.Key) bool { return dialect.IsContent(key) }

// IsEventContent reports whether an attribute of a span event holds
// content (a content key, or a body field of pre-v1.37 message events).
func IsEventContent(event string, k attribute.Key) bool { return dialect.IsEventContent(event, k) }

// contentTaker is implemented by translators that may send content.
type contentTaker interface{ takesContent() bool }

// takesContent reports whether tr sends content.
func takesContent(tr Translator) bool {
	ct, ok := tr.(contentTaker)
	return ok && ct.takesContent()
}
