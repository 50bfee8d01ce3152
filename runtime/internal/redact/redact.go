// Package redact shows URLs the way genaitrace shows them anywhere (logs,
// errors, diagnostics, spool files): without what may carry a credential.
package redact

import (
	"net/url"
	"strings"
)

// URL returns raw without user info, query or fragment: scheme, host and
// path. A URL that does not parse is cut before its first '@', '?' or '#',
// and an '@' after the cut point cannot occur.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#@"); i >= 0 {
			raw = raw[:i]
		}
		return raw
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}
