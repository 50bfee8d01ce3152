package export

import (
	"cmp"
	"log/slog"
)

// withDefaults fills the settings a test leaves at zero with the
// defaults runtime would have resolved.
func withDefaults(c DestinationConfig) DestinationConfig {
	d := DefaultRetryPolicy
	c.Retry.MaxAttempts = cmp.Or(c.Retry.MaxAttempts, d.MaxAttempts)
	c.Retry.Initial = cmp.Or(c.Retry.Initial, d.Initial)
	c.Retry.Max = cmp.Or(c.Retry.Max, d.Max)
	c.Retry.MaxRetryAfter = cmp.Or(c.Retry.MaxRetryAfter, d.MaxRetryAfter)
	c.QueueMaxBytes = cmp.Or(c.QueueMaxBytes, DefaultMemoryMaxBytes/4)
	c.MaxInFlight = cmp.Or(c.MaxInFlight, DefaultMaxInFlight)
	c.PollInterval = cmp.Or(c.PollInterval, DefaultPollInterval)
	c.AttemptTimeout = cmp.Or(c.AttemptTimeout, DefaultAttemptTimeout)
	c.SpoolMaxBytes = cmp.Or(c.SpoolMaxBytes, DefaultSpoolMaxBytes)
	if c.Translator == nil {
		c.Translator = Passthrough{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
