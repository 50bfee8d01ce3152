package runtime

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// validateNumbers checks every number the options may set as strictly as
// the environment's values are checked, before defaults fill the zeros: a
// negative size, count or duration is an error naming the variable and
// the option, never a value silently replaced by a default.
func (c *config) validateNumbers() error {
	var errs []error
	size := func(env, opt string, n int64, example string) {
		if n < 0 {
			errs = append(errs, fmt.Errorf("%s: %d is negative; want a size such as %s, or 0 for the default", orOption(env, opt), n, example))
		}
	}
	count := func(env, opt string, n int, example string) {
		if n < 0 {
			errs = append(errs, fmt.Errorf("%s: %d is negative; want a whole number such as %s, or 0 for the default", orOption(env, opt), n, example))
		}
	}
	duration := func(env, opt string, d time.Duration, example string) {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s: %v is negative; want a duration such as %s, or 0 for the default", orOption(env, opt), d, example))
		}
	}
	if math.IsNaN(c.SampleRate) || c.SampleRate < 0 || c.SampleRate > 1 {
		errs = append(errs, fmt.Errorf("%s (WithSampleRate): %v is not a sampling ratio; want a number from 0 to 1 such as 0.25", envSampleRate, c.SampleRate))
	}
	if math.IsNaN(c.ContentSampleRate) || c.ContentSampleRate < 0 || c.ContentSampleRate > 1 {
		errs = append(errs, fmt.Errorf("%s (WithContentSampleRate): %v is not a share of traces; want a number from 0 to 1 such as 0.1", envContentSampleRate, c.ContentSampleRate))
	}
	e := &c.Export
	size(envMemoryMaxBytes, "WithMemoryMaxBytes", e.MemoryMaxBytes, "64MiB")
	size(envQueueMaxBytes, "WithQueueMaxBytes", e.QueueMaxBytes, "16MiB")
	size(envSpoolMaxBytes, "WithSpoolMaxBytes", c.Spool.MaxBytes, "256MiB")
	size(envDiagnosticsMaxBytes, "WithDiagnosticsMaxBytes", c.Diagnostics.MaxBytes, "4MiB")
	count(envMaxInFlight, "WithMaxInFlight", e.MaxInFlight, "4")
	if n := c.Langfuse.ReplayChecks; n < 0 {
		errs = append(errs, fmt.Errorf("%s: %d is negative; want a number of requests a minute such as %d, or 0 to ask nothing",
			orOption(envLangfuseReplayChecks, "WithLangfuseReplayChecks"), n, defaultReplayChecks))
	}
	count("", "WithRetry's MaxAttempts", e.Retry.MaxAttempts, "3")
	duration("", "WithBatchTimeout", e.BatchTimeout, "500ms")
	duration("", "WithAttemptTimeout", e.AttemptTimeout, "5s")
	duration("", "WithPollInterval", e.PollInterval, "1s")
	duration("", "WithRetry's Initial", e.Retry.Initial, "250ms")
	duration("", "WithRetry's Max", e.Retry.Max, "5s")
	duration("", "WithRetry's MaxRetryAfter", e.Retry.MaxRetryAfter, "30s")
	duration(envBreakerOpen, "WithBreaker", c.Breaker.OpenTimeout, "30s")
	duration(envBreakerMaxOpen, "WithBreaker", c.Breaker.MaxOpenTimeout, "5m")
	duration(envMetricsInterval, "WithMetricsInterval", c.Metrics.Interval, "30s")
	if r := e.Retry; r.Max > 0 && r.Initial > r.Max {
		errs = append(errs, fmt.Errorf("WithRetry: Initial %v is longer than Max %v; want Initial ≤ Max, such as 250ms and 5s", r.Initial, r.Max))
	}
	if b := c.Breaker; b.MaxOpenTimeout > 0 && b.OpenTimeout > b.MaxOpenTimeout {
		errs = append(errs, fmt.Errorf("%s (WithBreaker): %v is shorter than %s %v; want the longest open period at least the first, such as 30s and 5m",
			envBreakerMaxOpen, b.MaxOpenTimeout, envBreakerOpen, b.OpenTimeout))
	}
	return errors.Join(errs...)
}

// orOption names a setting by its variable and option, or by its option
// alone when no variable sets it.
func orOption(env, opt string) string {
	if env == "" {
		return opt
	}
	return env + " (" + opt + ")"
}
