package diag

import (
	"strings"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export"
)

// Every state but ok and recovered says what to check, naming the
// variable; the error's own text is not in the sentence (the page shows
// it once, apart); times are RFC 3339, the JSON's one format.
func TestEveryStateNamesWhatToCheck(t *testing.T) {
	now := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	settings := export.DestinationSettings{Credentials: "LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY",
		EndpointFrom: "LANGFUSE_ENDPOINT, a base URL to which /api/public/otel/v1/traces is appended"}
	base := func(status int, cleared bool) export.DestinationStats {
		st := export.DestinationStats{Name: "langfuse", Endpoint: "https://lf.example/api/public/otel/v1/traces", Settings: settings,
			LastError: "HTTP 500: a long text of the destination's own", LastErrorTime: now.Add(-time.Minute), LastErrorStatus: status,
			Breaker: breaker.Status{State: breaker.Closed, Since: now.Add(-time.Hour)}}
		if cleared {
			st.LastSuccess = now
		}
		return st
	}
	for _, c := range []struct {
		name  string
		st    export.DestinationStats
		state string
		want  []string // in the detail
	}{
		{"refused", base(401, false), "refused", []string{"HTTP 401", "check LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY", "since 2026-12-04T17:59:00Z"}},
		{"not found and down", func() export.DestinationStats {
			st := base(404, false)
			st.Breaker = breaker.Status{State: breaker.Open, Since: now.Add(-time.Minute), NextProbe: now.Add(time.Minute)}
			return st
		}(), "down", []string{"next probe at 2026-12-04T18:01:00Z", "nothing takes traces at https://lf.example/api/public/otel/v1/traces (HTTP 404)", "check LANGFUSE_ENDPOINT"}},
		{"no answer and down", func() export.DestinationStats {
			st := base(0, false)
			st.Breaker = breaker.Status{State: breaker.Open, Since: now}
			return st
		}(), "down", []string{"no answer from https://lf.example", "check that it runs and LANGFUSE_ENDPOINT"}},
		{"probing", func() export.DestinationStats {
			st := base(0, false)
			st.Breaker = breaker.Status{State: breaker.HalfOpen, Since: now}
			return st
		}(), "probing", []string{"LANGFUSE_ENDPOINT"}},
		{"failing on its side", base(503, false), "failing", []string{"HTTP 503", "set by LANGFUSE_ENDPOINT"}},
		{"rate limited", func() export.DestinationStats {
			st := base(429, false)
			st.PausedUntil = now.Add(time.Minute)
			return st
		}(), "paused", []string{"until 2026-12-04T18:01:00Z", "TELEMETRY_SAMPLE_RATE"}},
		{"missing", func() export.DestinationStats {
			st := base(0, true)
			st.LastError = ""
			st.ReadBack = &export.ReadBackStatus{Missing: true, MissingTrace: "abc"}
			return st
		}(), "missing", []string{"LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY", "LANGFUSE_ENDPOINT"}},
		{"recovered", base(500, true), "recovered", []string{"last error at 2026-12-04T17:59:00Z"}},
	} {
		v := viewDestination(c.st, now)
		if v.State != c.state {
			t.Errorf("%s: state %q, want %q (%s)", c.name, v.State, c.state, v.Detail)
		}
		for _, w := range c.want {
			if !strings.Contains(v.Detail, w) {
				t.Errorf("%s: detail %q lacks %q", c.name, v.Detail, w)
			}
		}
		if strings.Contains(v.Detail, "a long text of the destination's own") {
			t.Errorf("%s: the detail repeats the error's text: %q", c.name, v.Detail)
		}
	}
}
