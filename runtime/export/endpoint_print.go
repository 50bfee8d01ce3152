package export

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/genaitrace/genaitrace/runtime/internal/redact"
)

// An Endpoint carries credentials in its headers and, for some
// destinations, in its URL's query. Every way of printing one (fmt verbs,
// JSON, slog) shows the URL without user info or query and the names of
// the headers, never their values.

// String returns the endpoint's URL without user info or query.
func (ep Endpoint) String() string { return displayURL(ep.URL) }

// GoString shows the URL as String does and the headers by name.
func (ep Endpoint) GoString() string {
	return fmt.Sprintf("export.Endpoint{URL: %q, Headers: %q}", displayURL(ep.URL), ep.headerNames())
}

// Format prints the endpoint the same way for every verb: %#v as
// GoString, the others as String.
func (ep Endpoint) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(ep.GoString()))
		return
	}
	_, _ = f.Write([]byte(ep.String()))
}

// MarshalJSON writes the URL without user info or query and the header
// names.
func (ep Endpoint) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		URL     string   `json:"url"`
		Headers []string `json:"headers,omitempty"`
	}{displayURL(ep.URL), ep.headerNames()})
}

// LogValue logs the endpoint as MarshalJSON writes it.
func (ep Endpoint) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", displayURL(ep.URL)), slog.Any("headers", ep.headerNames()))
}

func (ep Endpoint) headerNames() []string { return slices.Sorted(maps.Keys(ep.Headers)) }

// displayURL is raw as genaitrace shows it anywhere.
func displayURL(raw string) string { return redact.URL(raw) }

// String names the destination and where it sends.
func (d *Destination) String() string {
	return "destination " + d.cfg.Name + " (" + displayURL(d.cfg.Endpoint.URL) + ")"
}

// GoString is String: a destination's fields hold credentials.
func (d *Destination) GoString() string { return d.String() }

// Format prints String for every verb.
func (d *Destination) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(d.String())) }

// LogValue logs the destination's name and URL.
func (d *Destination) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", d.cfg.Name), slog.String("url", displayURL(d.cfg.Endpoint.URL)))
}

// MarshalJSON writes the destination's stats.
func (d *Destination) MarshalJSON() ([]byte, error) { return json.Marshal(d.Stats()) }
