package otlptest

import (
	"io"
	"net/http"
)

// A Handler takes the requests to one path that is not OTLP (an API of the
// destination beside its OTLP ingestion, such as Langfuse's scores). It is
// given the body and the answer's header (to set Retry-After, say), and
// says what to answer and how many items the request held; commit, when not nil, stores them, and is called only once the
// receiver has recorded the request (not when it went down meanwhile, as a
// crashed destination stores nothing).
type Handler func(req *http.Request, body []byte, header http.Header) (status int, answer []byte, items int, commit func())

// Handle makes the receiver answer requests to path with h. The receiver's
// mode applies first (down, refusing, rate-limiting, hanging...), so such
// an API fails as the destination's OTLP ingestion does.
func (r *Receiver) Handle(path string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = map[string]Handler{}
	}
	r.handlers[path] = h
}

func (r *Receiver) serveHandler(w http.ResponseWriter, req *http.Request, h Handler) {
	raw, err := io.ReadAll(io.LimitReader(req.Body, 16<<20))
	if err != nil {
		r.record(req, 0, http.StatusBadRequest, nil)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	status, answer, items, commit := h(req, raw, w.Header())
	if !r.record(req, items, status, nil) {
		panic(http.ErrAbortHandler) // crashed: neither stored nor answered
	}
	if commit != nil {
		commit()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(answer)
}
