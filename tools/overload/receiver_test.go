package overload

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"

	"google.golang.org/protobuf/encoding/protowire"
)

// receiverMain is the receiver process: an OTLP/HTTP endpoint that counts
// the spans it receives (walking the protobuf, not decoding it: its CPU
// competes with the application's on the same machine) and answers
// GET /count. It prints its URL and runs until its stdin closes.
func receiverMain() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	var spans, genai, requests atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /count", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]int64{"spans": spans.Load(), "genai": genai.Load(), "requests": requests.Load()})
	})
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = zr
		}
		raw, err := io.ReadAll(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n, g := countSpans(raw)
		spans.Add(int64(n))
		genai.Add(int64(g))
		requests.Add(1)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	})
	go func() { _ = http.Serve(ln, mux) }()
	fmt.Println("http://" + ln.Addr().String())
	_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
	return 0
}

// countSpans counts the spans of an ExportTraceServiceRequest: field 1
// (resource spans), in it field 2 (scope spans), in it field 2 (spans);
// and the GenAI calls among them, by their name (field 5), "chat ...".
func countSpans(b []byte) (n, genai int) {
	for _, rs := range fields(b, 1) {
		for _, ss := range fields(rs, 2) {
			for _, sp := range fields(ss, 2) {
				n++
				if name := fields(sp, 5); len(name) == 1 && bytes.HasPrefix(name[0], []byte("chat ")) {
					genai++
				}
			}
		}
	}
	return n, genai
}

// fields returns the length-delimited values of field num in b.
func fields(b []byte, num protowire.Number) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return out
		}
		b = b[l:]
		if typ == protowire.BytesType {
			v, l := protowire.ConsumeBytes(b)
			if l < 0 {
				return out
			}
			if n == num {
				out = append(out, v)
			}
			b = b[l:]
			continue
		}
		l = protowire.ConsumeFieldValue(n, typ, b)
		if l < 0 {
			return out
		}
		b = b[l:]
	}
	return out
}
