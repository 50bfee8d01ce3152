package genai

import "sync/atomic"

var captureContent atomic.Bool

// CaptureContent reports whether wrappers record prompts, completions, tool
// arguments and tool results. It is off until SetCaptureContent turns it on;
// runtime.Configure does so from its configuration
// (TELEMETRY_CAPTURE_CONTENT). Content often carries personal data.
func CaptureContent() bool { return captureContent.Load() }

// SetCaptureContent switches content capture on or off for the whole process.
// It is safe to call at any time; spans started afterwards follow it.
func SetCaptureContent(on bool) { captureContent.Store(on) }
