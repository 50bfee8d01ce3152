// Package diag is genaitrace's diagnostics: an http.Handler with JSON
// endpoints and a page, for a person troubleshooting an export (is it
// healthy, what did each destination get, where did a trace's time and
// money go).
//
// It reads the manager only through Source: an exported, read-only Status
// (destinations, breakers, queues, spool, pipeline, effective
// configuration) and a few actions (flush, breaker reset, set-aside
// replay), so it never reaches into the runtime's fields; the runtime
// package cannot be imported from here (it imports this package). It owns
// the store of recent traces and the per-model ledger, two consumers the
// runtime puts in its pipeline.
//
// One concept per file: handler.go (routes, errors, JSON), auth.go (token,
// intent header), store.go (recent traces), ledger.go (per-model totals),
// analyze.go (summaries, tree, critical path), views.go (the JSON shapes),
// status.go (health, destinations, breakers, spool, stats, config),
// traces.go (traces, sessions, models), actions.go (POSTs), page.go and ui/
// (the page).
//
// JSON conventions, one for every endpoint: durations in milliseconds with
// an _ms suffix, times in RFC 3339, sizes in bytes with a _bytes suffix,
// counts of spans as plain numbers, destinations named "name"; errors as
// {"error": {"code": 404, "message": "..."}}.
package diag
