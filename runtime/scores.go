package runtime

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/genaitrace/genaitrace/runtime/breaker"
	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// Environment variables of scores (genai.Score). The README's
// configuration table documents each.
const (
	envScores                 = "TELEMETRY_SCORES"
	envLangfuseScoresPerMin   = "LANGFUSE_SCORES_PER_MINUTE"
	envOTLPLogsEndpoint       = "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"
	langfuseScoresPath        = "/api/public/scores"
	defaultCloudScoresPerMin  = 25
	langfuseCloudDomainSuffix = ".langfuse.com"
)

// scoresConfig says which destinations take scores.
type scoresConfig struct {
	// To names the destinations that take scores; nil: every enabled
	// destination (TELEMETRY_SCORES unset), empty: none.
	To []string
}

// String is the setting as TELEMETRY_SCORES writes it.
func (s scoresConfig) String() string {
	switch {
	case s.To == nil:
		return "all"
	case len(s.To) == 0:
		return "none"
	}
	return strings.Join(s.To, ",")
}

// validate checks the names WithScores gave (TELEMETRY_SCORES's are
// checked as they are read).
func (s scoresConfig) validate() error {
	for _, name := range s.To {
		if _, ok := kindNamed(name); !ok {
			return fmt.Errorf("WithScores: %q is not a destination; want langfuse, instana or otlp", name)
		}
	}
	return nil
}

// takes reports whether the destination named takes scores.
func (s scoresConfig) takes(name string) bool { return s.To == nil || slices.Contains(s.To, name) }

// scoresFromEnv reads TELEMETRY_SCORES, LANGFUSE_SCORES_PER_MINUTE and
// OTEL_EXPORTER_OTLP_LOGS_ENDPOINT.
func scoresFromEnv(r *envReader, c *config) {
	if v := strings.ToLower(r.str(envScores)); v != "" {
		c.Scores.To = []string{}
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			switch {
			case name == "none" || name == "":
			case name == "all":
				c.Scores.To = nil
			default:
				if _, ok := kindNamed(name); !ok {
					r.fail(envScores, "%q is not a destination; want a comma list of langfuse, instana and otlp, all, or none", name)
					continue
				}
				c.Scores.To = append(c.Scores.To, name)
			}
			if c.Scores.To == nil {
				break
			}
		}
	}
	if v := r.str(envLangfuseScoresPerMin); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			r.fail(envLangfuseScoresPerMin, "%q is not a rate; want a whole number of requests a minute such as 900, or 0 not to pace them", v)
		} else {
			c.Langfuse.ScoresPerMinute, c.Langfuse.scoresPaceSet = n, true
		}
	}
	if v := r.str(envOTLPLogsEndpoint); v != "" {
		c.OTLP.LogsEndpoint = v
	}
}

// resolveScores fills the scores' defaults: Langfuse Cloud's scores API
// shares the organisation's public-API rate limit (30 requests a minute on
// the hobby plan, with the read-back's), so requests to it are paced below
// that unless told otherwise; a self-hosted server has no limit.
func (c *config) resolveScores() {
	if !c.Langfuse.scoresPaceSet {
		c.Langfuse.ScoresPerMinute = 0
		if u, err := url.Parse(c.Langfuse.Endpoint); err == nil && strings.HasSuffix(u.Hostname(), langfuseCloudDomainSuffix) {
			c.Langfuse.ScoresPerMinute = defaultCloudScoresPerMin
		}
	}
	c.OTLP.LogsEndpoint, c.OTLP.logsQuery = splitQuery(c.OTLP.LogsEndpoint)
	if c.OTLP.Enabled && c.OTLP.LogsEndpoint == "" {
		c.OTLP.LogsEndpoint = strings.TrimSuffix(c.OTLP.Endpoint, "/v1/traces") + "/v1/logs"
		c.OTLP.logsQuery = c.OTLP.query
	}
}

// langfuseAPIURL is the URL of path (such as /api/public/scores) on the
// Langfuse server whose base URL is given in any form LANGFUSE_ENDPOINT
// takes (the base, its OTLP base, the traces URL).
func langfuseAPIURL(base, path string) string {
	traces := signalURL(base, langfuseOTLPPath, "/v1/traces")
	u, err := url.Parse(traces)
	if err != nil {
		return strings.TrimRight(base, "/") + path
	}
	u.Path = strings.TrimSuffix(u.Path, langfuseOTLPPath+"/v1/traces") + path
	u.RawPath = ""
	return u.String()
}

// scoresName names a destination's scores: their spool directory (beside
// the spans'), their spool identity and their breaker.
func scoresName(kind string) string { return kind + "-scores" }

// wireScores tells the destination of kind k, reached through ep and
// configured by dc, about its scores, which go through br.
func (m *Manager) wireScores(dc *export.DestinationConfig, k destinationKind, ep endpoint, br *breaker.Breaker) {
	cfg := &m.cfg
	sc := &dc.Scores
	sc.Format, sc.URL, sc.Identity, sc.Breaker = ep.scoresFormat, ep.scoresURL, ep.scoresIdentity, br
	sc.Environment, sc.Resource, sc.EndpointFrom = cfg.Environment, m.resource, k.scoresFrom(cfg)
	if sc.Format == scores.LangfuseAPI {
		sc.PerMinute = cfg.Langfuse.ScoresPerMinute
	}
	if !cfg.Spool.Disabled {
		sc.SpoolDir = filepath.Join(cfg.Spool.Dir, scoresName(k.name))
	}
}
