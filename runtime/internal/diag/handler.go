package diag

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// Options configure the handler.
type Options struct {
	// Token, when set, is required as a bearer token (or, for the page, a
	// cookie set by opening it once with ?token=). Without it every
	// endpoint is open, POSTs included.
	Token  string
	Logger *slog.Logger
}

type handler struct {
	src    Source
	store  *Store
	ledger *Ledger
	log    *slog.Logger
}

// New returns the diagnostics handler. Mount it on any mux, under any
// prefix:
//
//	mux.Handle("/telemetry/", http.StripPrefix("/telemetry", h))
//
// Without a token it logs one warning that it is open.
func New(src Source, store *Store, ledger *Ledger, opts Options) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	h := &handler{src: src, store: store, ledger: ledger, log: log}
	if opts.Token == "" {
		log.Warn("genaitrace: the diagnostics handler has no token: anyone who reaches it can read the recent traces (span names, attributes, with TELEMETRY_DIAGNOSTICS_CONTENT=true also prompts), the configuration without secrets, and can flush and reset breakers; set TELEMETRY_DIAGNOSTICS_TOKEN, or mount it only where operators reach")
	}
	mux := http.NewServeMux()
	get := func(pattern string, f http.HandlerFunc) {
		mux.HandleFunc(pattern, methods(f, http.MethodGet, http.MethodHead))
	}
	post := func(pattern string, f http.HandlerFunc) {
		mux.HandleFunc(pattern, methods(requireIntent(f), http.MethodPost))
	}
	get("/{$}", h.page)
	mux.Handle("/static/", methods(staticHandler().ServeHTTP, http.MethodGet, http.MethodHead))
	get("/health", h.health)
	get("/destinations", h.destinations)
	get("/exporters", h.destinations) // the name of earlier releases
	get("/circuit_breakers", h.breakers)
	get("/config", h.config)
	get("/stats", h.stats)
	get("/spool", h.spool)
	get("/exported_traces", h.traces)
	get("/traces/{trace_id}", h.trace)
	get("/trace_analyzer/{trace_id}", h.analyzer)
	get("/sessions", h.sessions)
	get("/models", h.models)
	get("/version", h.version)
	post("/flush", h.flush)
	post("/breakers/{destination}/reset", h.reset)
	post("/spool/{destination}/set_aside/{action}", h.setAside)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint %s; see the page at the handler's root", r.URL.Path)
	})
	return authorize(opts.Token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" {
			r.URL.Path = "/" // mounted with StripPrefix of the prefix and its slash
		}
		defer func() {
			if v := recover(); v != nil { // never take the application down
				log.Error("genaitrace: diagnostics handler panic", "panic", fmt.Sprint(v))
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		mux.ServeHTTP(w, r)
	}))
}

func methods(h http.HandlerFunc, allowed ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, m := range allowed {
			if r.Method == m {
				h(w, r)
				return
			}
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, http.StatusMethodNotAllowed, "%s %s: method not allowed; use %s", r.Method, r.URL.Path, strings.Join(allowed, " or "))
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// errorBody is every error's shape.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, errorBody{errorDetail{Code: status, Message: fmt.Sprintf(format, args...)}})
}
