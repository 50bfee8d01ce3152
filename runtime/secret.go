package runtime

import (
	"fmt"
	"log/slog"
)

// secret holds a credential. Every way of printing it (fmt verbs, %+v and %#v
// of a struct holding it, JSON, slog) shows "***"; Value is the only way to
// read it. The value sits behind a pointer so that even reflection-based
// printing of an unexported field shows an address, not the value.
type secret struct{ v *string }

// newSecret wraps s.
func newSecret(s string) secret {
	if s == "" {
		return secret{}
	}
	return secret{v: &s}
}

// Value returns the secret itself, for the one place that sends it.
func (s secret) Value() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsSet reports whether a value is held.
func (s secret) IsSet() bool { return s.v != nil }

// String returns "***", or "" when unset.
func (s secret) String() string {
	if s.v == nil {
		return ""
	}
	return "***"
}

// GoString returns the masked form.
func (s secret) GoString() string { return `"` + s.String() + `"` }

// Format prints the masked form for every verb.
func (s secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// MarshalText masks the secret in JSON and YAML.
func (s secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue masks the secret in slog output.
func (s secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
