package genai

import (
	"os"
	"strconv"
	"strings"
	"sync/atomic"
)

// CaptureContentEnv and CaptureContentEnvOTel name the environment variables
// that switch content capture on at start-up. Either set to a true value
// ("true", "1", "yes", "on") turns it on.
const (
	CaptureContentEnv     = "TELEMETRY_CAPTURE_CONTENT"
	CaptureContentEnvOTel = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
)

var captureContent atomic.Bool

func init() {
	for _, name := range []string{CaptureContentEnv, CaptureContentEnvOTel} {
		if on, err := ParseBool(os.Getenv(name)); err == nil && on {
			captureContent.Store(true)
		}
	}
}

// CaptureContent reports whether wrappers record prompts, completions, tool
// arguments and tool results. It is off by default, as the GenAI semantic
// conventions ask: content often carries personal data.
func CaptureContent() bool { return captureContent.Load() }

// SetCaptureContent switches content capture on or off for the whole process.
// It is safe to call at any time; spans started afterwards follow it.
func SetCaptureContent(on bool) { captureContent.Store(on) }

// ParseBool parses the boolean forms accepted in genaitrace's environment
// variables: true/false, 1/0, yes/no, on/off, case-insensitive. An empty
// string is an error so callers can tell "unset" from "false".
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on", "t", "y":
		return true, nil
	case "false", "0", "no", "off", "f", "n":
		return false, nil
	}
	return false, strconv.ErrSyntax
}
