package runtime

import (
	"fmt"
	"log/slog"
)

// Secret holds a credential. Every way of printing it (fmt verbs, %+v and %#v
// of a struct holding it, JSON, slog) shows "***"; Value is the only way to
// read it. The value sits behind a pointer so that even reflection-based
// printing of an unexported field shows an address, not the value.
type Secret struct{ v *string }

// NewSecret wraps s.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{v: &s}
}

// Value returns the secret itself, for the one place that sends it.
func (s Secret) Value() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsSet reports whether a value is held.
func (s Secret) IsSet() bool { return s.v != nil }

// String returns "***", or "" when unset.
func (s Secret) String() string {
	if s.v == nil {
		return ""
	}
	return "***"
}

// GoString returns the masked form.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// Format prints the masked form for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// MarshalText masks the secret in JSON and YAML.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue masks the secret in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
