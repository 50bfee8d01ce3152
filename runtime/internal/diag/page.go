package diag

import (
	"embed"
	"io/fs"
	"net/http"
)

// The page is static: ui/index.html and the script that draws every view
// from the JSON endpoints, with no external resource (no CDN: the page
// works where the service runs, offline).
//
//go:embed ui
var ui embed.FS

func staticHandler() http.Handler {
	sub, _ := fs.Sub(ui, "ui")
	return http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
}

func (h *handler) page(w http.ResponseWriter, _ *http.Request) {
	b, err := ui.ReadFile("ui/index.html")
	if err != nil {
		writeError(w, http.StatusInternalServerError, "the page is missing from the build: %v", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}
