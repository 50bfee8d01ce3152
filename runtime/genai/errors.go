package genai

import (
	"context"
	"errors"
	"os"
)

// ErrorTyper is implemented by errors that know their own low-cardinality
// class, as the error.type attribute wants it.
type ErrorTyper interface {
	ErrorType() string
}

// ErrorTypeOther is the error.type value for an error of no known class.
const ErrorTypeOther = "_OTHER"

// ErrorTypeOf classifies err for the error.type attribute without
// reflection: an error's own ErrorType method wins, then context
// cancellation and deadlines, then timeouts; anything else is fallback, which
// generated code sets to the static type name of the error result when it is
// more precise than error, and to "_OTHER" otherwise.
func ErrorTypeOf(err error, fallback string) string {
	var typer ErrorTyper
	switch {
	case err == nil:
		return ""
	case errors.As(err, &typer):
		if t := typer.ErrorType(); t != "" {
			return t
		}
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	}
	if fallback == "" {
		return ErrorTypeOther
	}
	return fallback
}
