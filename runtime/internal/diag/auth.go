package diag

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// intentHeader must accompany POSTs: a cross-site form cannot set it, so a
// page elsewhere cannot make a browser flush or reset a breaker.
const intentHeader = "X-Genaitrace-Diagnostics"

func requireIntent(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(intentHeader) == "" {
			writeError(w, http.StatusForbidden, "POST needs the header %s: 1", intentHeader)
			return
		}
		h(w, r)
	}
}

const tokenCookie = "genaitrace_diagnostics"

// authorize requires the token, when one is set, as a bearer token or
// (for the page) a cookie set by visiting it with ?token=.
func authorize(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	ok := func(s string) bool { return subtle.ConstantTimeCompare([]byte(s), []byte(token)) == 1 }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Get("token"); q != "" && ok(q) && (r.URL.Path == "/" || r.URL.Path == "") {
			http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: token, Path: mountPath(r), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
			http.Redirect(w, r, mountPath(r), http.StatusSeeOther) // drop the token from the address bar
			return
		}
		if auth, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); found && ok(auth) {
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(tokenCookie); err == nil && ok(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="genaitrace diagnostics"`)
		writeError(w, http.StatusUnauthorized, "the diagnostics need the token set in TELEMETRY_DIAGNOSTICS_TOKEN: send Authorization: Bearer <token>, or open the page once with ?token=<token>")
	})
}

// mountPath is the prefix the handler is mounted under, from the request
// URI before StripPrefix.
func mountPath(r *http.Request) string {
	full := r.RequestURI
	if u, err := url.ParseRequestURI(full); err == nil {
		full = u.Path
	}
	if p := strings.TrimSuffix(full, r.URL.Path); p != "" {
		return p + "/"
	}
	return "/"
}
