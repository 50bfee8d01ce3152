// Package otlptest is a real OTLP/HTTP trace receiver for tests: it listens
// on loopback, decodes what arrives with the official OTLP protobuf types,
// keeps every span with the request it came in, and can be told to fail the
// ways real destinations fail: down (port closed), refusing (500),
// rate-limiting (429 with Retry-After), rejecting (400), hanging, or slow.
package otlptest

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Mode is how the receiver answers.
type Mode int

// Receiver modes.
const (
	Accept       Mode = iota // 200
	Refuse                   // 500
	RateLimit                // 429 with Retry-After
	Reject                   // 400
	Hang                     // accept the connection, never answer
	Slow                     // answer 200 after Delay
	TooLarge                 // 413 for requests of more than MaxSpans spans
	Discard                  // 200 without decoding: a remote destination's cost, for benchmarks
	Unauthorized             // 401: the credentials are refused
	SlowAnswer               // store the request, then answer 200 after Delay: a client that gives up meanwhile has delivered it
)

// Span is one received span with its context.
type Span struct {
	*tracepb.Span
	Resource map[string]any
	Scope    string
	Path     string
	Header   http.Header
}

// TraceID returns the span's trace ID in hex.
func (s Span) TraceID() string { return hex.EncodeToString(s.Span.TraceId) }

// SpanID returns the span's ID in hex.
func (s Span) SpanID() string { return hex.EncodeToString(s.Span.SpanId) }

// ParentID returns the parent span's ID in hex, or "".
func (s Span) ParentID() string { return hex.EncodeToString(s.Span.ParentSpanId) }

// Attrs returns the span's attributes as Go values (string, bool, int64,
// float64, []any).
func (s Span) Attrs() map[string]any { return KeyValues(s.Span.Attributes) }

// Request is one received request.
type Request struct {
	Time   time.Time
	Path   string
	Header http.Header
	Spans  int
	// Status is the status answered, 0 for a request left hanging.
	Status int
}

// Receiver is an OTLP/HTTP receiver on loopback.
type Receiver struct {
	addr string

	mu         sync.Mutex
	srv        *http.Server // nil while down
	mode       Mode
	retryAfter int
	delay      time.Duration
	maxSpans   int
	spans      []Span
	requests   []Request
	seen       map[string]int
	hangs      chan struct{}
	discarded  int64
	unanswered int
	metrics    []*metricspb.ResourceMetrics
	logs       []LogRecord
	arrived    chan struct{}
	paths      []string // nil: every path takes OTLP
	handlers   map[string]Handler
	// httpHandlers serve other paths than OTLP's (a destination's own
	// API), by exact path, before any mode; they go down and up with the
	// receiver.
	httpHandlers map[string]http.Handler
}

// New starts a receiver and stops it when the test ends.
func New(t testing.TB) *Receiver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &Receiver{addr: ln.Addr().String(), seen: map[string]int{}, hangs: make(chan struct{}), arrived: make(chan struct{}, 1)}
	r.serveOn(ln)
	t.Cleanup(r.Close)
	return r
}

// serverKey marks a request's context with the server that took it.
type serverKey struct{}

func (r *Receiver) serveOn(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 5 * time.Second}
	srv.BaseContext = func(net.Listener) context.Context { return context.WithValue(context.Background(), serverKey{}, srv) }
	r.srv = srv
	go func() { _ = srv.Serve(ln) }()
}

// URL is the receiver's base URL, http://127.0.0.1:port.
func (r *Receiver) URL() string { return "http://" + r.addr }

// OnlyAt makes the receiver take OTLP at these paths only, as a real
// destination does (Langfuse at /api/public/otel/v1/traces, an agent at
// /v1/traces and /v1/metrics): a request to any other path is answered
// 404 and recorded with that status.
func (r *Receiver) OnlyAt(paths ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paths = paths
}

// HandleHTTP serves path with h instead of taking OTLP there, whatever
// the mode: a destination's own API beside its ingestion (Langfuse's
// public API), down when the receiver is.
func (r *Receiver) HandleHTTP(path string, h http.Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.httpHandlers == nil {
		r.httpHandlers = map[string]http.Handler{}
	}
	r.httpHandlers[path] = h
}

// SetMode changes how the receiver answers.
func (r *Receiver) SetMode(m Mode) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mode == Hang && m != Hang {
		close(r.hangs) // release hung requests
		r.hangs = make(chan struct{})
	}
	r.mode = m
}

// SetRetryAfter sets the Retry-After seconds sent in RateLimit mode.
func (r *Receiver) SetRetryAfter(secs int) {
	r.mu.Lock()
	r.retryAfter = secs
	r.mu.Unlock()
}

// SetDelay sets the answer delay of Slow mode.
func (r *Receiver) SetDelay(d time.Duration) {
	r.mu.Lock()
	r.delay = d
	r.mu.Unlock()
}

// SetMaxSpans sets the largest request TooLarge mode accepts.
func (r *Receiver) SetMaxSpans(n int) {
	r.mu.Lock()
	r.maxSpans = n
	r.mu.Unlock()
}

// Down closes the port and every open connection, as a crashed
// destination does: connections are refused until Up, and a request it
// was still reading or decoding is not stored. One it had stored but not
// yet answered is (see Unanswered).
func (r *Receiver) Down() {
	r.mu.Lock()
	srv := r.srv
	r.srv = nil
	r.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Up listens on the same port again.
func (r *Receiver) Up() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil {
		return nil
	}
	var ln net.Listener
	var err error
	for range 50 { // the port may linger briefly
		if ln, err = net.Listen("tcp", r.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	r.serveOn(ln)
	return nil
}

// Close stops the receiver and releases hung requests.
func (r *Receiver) Close() {
	r.SetMode(Accept)
	r.Down()
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	mode, retryAfter, delay, maxSpans, hangs, paths := r.mode, r.retryAfter, r.delay, r.maxSpans, r.hangs, r.paths
	h, handler := r.httpHandlers[req.URL.Path], r.handlers[req.URL.Path]
	r.mu.Unlock()
	if h != nil {
		h.ServeHTTP(w, req)
		return
	}
	if paths != nil && !slices.Contains(paths, req.URL.Path) && handler == nil {
		_, _ = io.Copy(io.Discard, req.Body)
		r.record(req, 0, http.StatusNotFound, nil)
		http.NotFound(w, req)
		return
	}

	status := http.StatusOK
	var spans []Span
	var err error
	switch mode {
	case Hang:
		r.record(req, 0, 0, nil) // arrived, never answered: Status 0
		select {
		case <-hangs:
		case <-req.Context().Done():
		}
		// Released or given up: still no answer (returning would answer
		// 200 for spans never stored).
		panic(http.ErrAbortHandler)
	case Refuse:
		status = http.StatusInternalServerError
	case RateLimit:
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		status = http.StatusTooManyRequests
	case Reject:
		status = http.StatusBadRequest
	case Unauthorized:
		status = http.StatusUnauthorized
	case Discard:
		n, _ := io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		r.discarded += n
		r.requests = append(r.requests, Request{Time: time.Now(), Path: req.URL.Path, Status: status})
		r.mu.Unlock()
		w.WriteHeader(status)
		return
	case Slow:
		select {
		case <-time.After(delay):
		case <-req.Context().Done():
			return
		}
	}
	if status == http.StatusOK && handler != nil {
		r.serveHandler(w, req, handler)
		return
	}
	if status == http.StatusOK && strings.HasSuffix(req.URL.Path, "/v1/logs") {
		recs, err := decodeLogs(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			r.record(req, 0, http.StatusBadRequest, nil)
			return
		}
		if !r.record(req, len(recs), status, nil) {
			panic(http.ErrAbortHandler) // crashed: neither stored nor answered
		}
		r.mu.Lock()
		r.logs = append(r.logs, recs...)
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte("{}"))
		return
	}
	if status == http.StatusOK && strings.HasSuffix(req.URL.Path, "/metrics") {
		if err := r.decodeMetrics(req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.record(req, 0, status, nil)
		w.WriteHeader(status)
		return
	}
	if status == http.StatusOK {
		spans, err = decode(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			r.record(req, 0, http.StatusBadRequest, nil)
			return
		}
		if mode == TooLarge && len(spans) > maxSpans {
			status, spans = http.StatusRequestEntityTooLarge, nil
		}
	}
	if !r.record(req, len(spans), status, spans) {
		panic(http.ErrAbortHandler) // crashed: no answer either
	}
	if mode == SlowAnswer {
		select {
		case <-time.After(delay):
		case <-req.Context().Done():
			r.mu.Lock()
			r.unanswered += len(spans)
			r.mu.Unlock()
			return
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte("{}"))
	if err := http.NewResponseController(w).Flush(); err != nil {
		r.mu.Lock()
		r.unanswered += len(spans)
		r.mu.Unlock()
	}
}

// Unanswered counts the spans of requests taken (recorded) whose answer
// could not be written: the connection was gone, as when the destination
// goes down while it processes a request. The client sees a failure and
// sends them again.
func (r *Receiver) Unanswered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unanswered
}

// record stores a request and its spans, unless the receiver went down
// since the request arrived; it reports whether it stored them.
func (r *Receiver) record(req *http.Request, n, status int, spans []Span) bool {
	r.mu.Lock()
	if req.Context().Value(serverKey{}) != r.srv {
		// Down came while this request was being read or decoded: a
		// crashed destination does not go on to store it.
		r.mu.Unlock()
		return false
	}
	r.requests = append(r.requests, Request{Time: time.Now(), Path: req.URL.Path, Header: req.Header.Clone(), Spans: n, Status: status})
	for _, s := range spans {
		r.seen[s.TraceID()+s.SpanID()]++
	}
	r.spans = append(r.spans, spans...)
	r.mu.Unlock()
	select {
	case r.arrived <- struct{}{}:
	default:
	}
	return true
}

func (r *Receiver) decodeMetrics(req *http.Request) error {
	raw, err := body(req)
	if err != nil {
		return err
	}
	var msg colmetricspb.ExportMetricsServiceRequest
	if err := proto.Unmarshal(raw, &msg); err != nil {
		return err
	}
	r.mu.Lock()
	r.metrics = append(r.metrics, msg.ResourceMetrics...)
	r.mu.Unlock()
	return nil
}

// Metrics returns every ResourceMetrics received on /v1/metrics.
func (r *Receiver) Metrics() []*metricspb.ResourceMetrics {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*metricspb.ResourceMetrics(nil), r.metrics...)
}

func body(req *http.Request) ([]byte, error) {
	var rd io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			return nil, err
		}
		rd = zr
	}
	return io.ReadAll(rd)
}

func decode(req *http.Request) ([]Span, error) {
	raw, err := protobufBody(req)
	if err != nil {
		return nil, err
	}
	return Decode(raw, req.URL.Path, req.Header)
}

// protobufBody reads an OTLP/HTTP protobuf request's body, uncompressed.
func protobufBody(req *http.Request) ([]byte, error) {
	if ct := req.Header.Get("Content-Type"); ct != "application/x-protobuf" {
		return nil, fmt.Errorf("content type %q, want application/x-protobuf", ct)
	}
	return body(req)
}

// Decode decodes an uncompressed ExportTraceServiceRequest.
func Decode(raw []byte, path string, header http.Header) ([]Span, error) {
	var msg coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(raw, &msg); err != nil {
		return nil, err
	}
	var out []Span
	for _, rs := range msg.ResourceSpans {
		res := KeyValues(rs.GetResource().GetAttributes())
		for _, ss := range rs.ScopeSpans {
			for _, sp := range ss.Spans {
				if len(sp.TraceId) != 16 || len(sp.SpanId) != 8 {
					return nil, errors.New("span without a valid trace or span id")
				}
				out = append(out, Span{Span: sp, Resource: res, Scope: ss.GetScope().GetName(), Path: path, Header: header})
			}
		}
	}
	return out, nil
}

// KeyValues converts OTLP attributes to Go values.
func KeyValues(kvs []*commonpb.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = value(kv.Value)
	}
	return m
}

func value(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_ArrayValue:
		var out []any
		for _, e := range x.ArrayValue.Values {
			out = append(out, value(e))
		}
		return out
	case *commonpb.AnyValue_BytesValue:
		return x.BytesValue
	}
	return nil
}

// Spans returns every span received so far.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...)
}

// Requests returns every request received so far.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.requests...)
}

// Unique reports the distinct spans received and the duplicates (spans
// received more than once, counted once per extra copy).
func (r *Receiver) Unique() (unique, duplicates int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.seen {
		unique++
		duplicates += n - 1
	}
	return unique, duplicates
}

// WaitSpans waits until at least n distinct spans arrived, failing the test
// after timeout with what did arrive.
func (r *Receiver) WaitSpans(t testing.TB, n int, timeout time.Duration) []Span {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if u, _ := r.Unique(); u >= n {
			return r.Spans()
		}
		select {
		case <-r.arrived:
		case <-time.After(20 * time.Millisecond):
		case <-deadline.C:
			u, d := r.Unique()
			t.Fatalf("receiver %s: %d distinct spans (%d duplicates) after %v, want %d", r.URL(), u, d, timeout, n)
		}
	}
}

// ByName indexes spans by name; names must be unique.
func ByName(spans []Span) map[string]Span {
	m := make(map[string]Span, len(spans))
	for _, s := range spans {
		m[s.Name] = s
	}
	return m
}
