package runtime

import (
	"cmp"
	"io"
	"os"
	"strings"

	"github.com/genaitrace/genaitrace/runtime/internal/redact"
)

// logConfigured says once, at INFO, what Configure started: the
// destinations and where they send (without credentials), who gets
// prompts and completions, the sampling and the spool. Until then a
// service learned it only from the first failure.
func (m *Manager) logConfigured() {
	c := &m.cfg
	var dests, content []string
	for _, d := range m.dests {
		k := d.kind
		line := k.name + " " + redact.URL(k.tracesURL(c))
		if k.onlyGenAI(c) {
			line += " (traces with GenAI work only)"
		}
		dests = append(dests, line)
		if k.content(c) {
			content = append(content, k.name)
		}
	}
	switch {
	case m.console != nil && (c.ConsoleWriter == nil || c.ConsoleWriter == io.Writer(os.Stderr)):
		dests = append(dests, "console (stderr)")
	case m.console != nil:
		dests = append(dests, "console")
	}
	spool := "off: undelivered spans are kept in memory only"
	if !c.Spool.Disabled {
		spool = c.Spool.Dir + " (" + c.Durability.String() + " durability)"
	}
	c.Logger.Info("genaitrace: configured",
		"service", c.ServiceName,
		"destinations", cmp.Or(strings.Join(dests, ", "), "none"),
		"content", contentPolicy(c, content),
		"sample_rate", c.SampleRate,
		"spool", spool)
}

// contentPolicy says whether prompts and completions are recorded, and who
// gets them.
func contentPolicy(c *config, to []string) string {
	if c.CaptureContent == nil || !*c.CaptureContent {
		return "prompts and completions not recorded (" + envCaptureContent + ")"
	}
	s := "prompts and completions recorded"
	if len(to) > 0 {
		s += ", sent to " + strings.Join(to, " and ")
	} else {
		s += ", sent to no destination"
	}
	if c.MaskSecrets || c.Mask != nil {
		s += ", masked"
	}
	if c.Diagnostics.Content {
		s += ", shown on the diagnostics page"
	}
	return s
}
