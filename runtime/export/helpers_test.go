package export

import (
	"cmp"
	"log/slog"
)

// withDefaults fills the settings a test leaves at zero with the
// defaults runtime would have resolved.
func withDefaults(c DestinationConfig) DestinationConfig {
	d, s := DefaultRetryPolicy, &c.Settings
	s.Retry.MaxAttempts = cmp.Or(s.Retry.MaxAttempts, d.MaxAttempts)
	s.Retry.Initial = cmp.Or(s.Retry.Initial, d.Initial)
	s.Retry.Max = cmp.Or(s.Retry.Max, d.Max)
	s.Retry.MaxRetryAfter = cmp.Or(s.Retry.MaxRetryAfter, d.MaxRetryAfter)
	s.QueueMaxBytes = cmp.Or(s.QueueMaxBytes, DefaultMemoryMaxBytes/4)
	s.MaxInFlight = cmp.Or(s.MaxInFlight, DefaultMaxInFlight)
	s.PollInterval = cmp.Or(s.PollInterval, DefaultPollInterval)
	s.AttemptTimeout = cmp.Or(s.AttemptTimeout, DefaultAttemptTimeout)
	s.SpoolMaxBytes = cmp.Or(s.SpoolMaxBytes, DefaultSpoolMaxBytes)
	if c.Translator == nil {
		c.Translator = Passthrough{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
