package runtime

import (
	"context"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/export"
)

// TestCompressionPerDestination: a destination on this machine (the
// loopback receivers here, as a host agent is) gets its requests
// uncompressed unless told otherwise; the standard OTLP variables and
// genaitrace's own choose per destination. The spool stores every batch
// gzip'd (so that it holds as many spans whatever the setting); one
// replayed to a destination that takes none is decompressed first, so
// each request, live or replayed, is as its destination's setting says,
// decoded whole by the receiver.
func TestCompressionPerDestination(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		opts []Option
		want map[string]string // destination: Content-Encoding
	}{
		{"defaults on loopback", nil, nil, map[string]string{"instana": "", "langfuse": "", "otlp": ""}},
		{"variables", map[string]string{envInstanaCompression: "gzip", envLangfuseCompress: "gzip", envOTLPCompression: "gzip"}, nil,
			map[string]string{"instana": "gzip", "langfuse": "gzip", "otlp": "gzip"}},
		{"traces variable wins", map[string]string{envOTLPCompression: "gzip", envOTLPTracesCompress: "none"}, nil,
			map[string]string{"otlp": ""}},
		{"option", nil, []Option{WithCompression("langfuse", export.Gzip)}, map[string]string{"langfuse": "gzip", "instana": ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			rs := map[string]*otlptest.Receiver{"instana": otlptest.New(t), "langfuse": otlptest.New(t), "otlp": otlptest.New(t)}
			for _, r := range rs {
				r.Down() // first to the spool, then replayed
			}
			m, _ := configure(t, append([]Option{WithInstana(rs["instana"].URL(), ""), WithLangfuse(rs["langfuse"].URL(), "pk", "sk"),
				WithOTLP(rs["otlp"].URL()+"/v1/traces", nil), WithBreaker(1, 50*time.Millisecond, 50*time.Millisecond)}, c.opts...)...)
			for range 3 {
				_, s := m.Tracer("t").Start(context.Background(), "op")
				s.End()
			}
			waitUntil(t, func() bool {
				for _, d := range m.Destinations() {
					if d.Spooled < 3 {
						return false
					}
				}
				return true
			})
			for _, r := range rs {
				if err := r.Up(); err != nil {
					t.Fatal(err)
				}
			}
			for name, want := range c.want {
				r := rs[name]
				r.WaitSpans(t, 3, 10*time.Second)
				for _, req := range r.Requests() {
					if got := req.Header.Get("Content-Encoding"); req.Status == 200 && got != want {
						t.Errorf("%s: a request with Content-Encoding %q, want %q", name, got, want)
					}
				}
				waitUntil(t, func() bool { return m.Destinations()[kindIndex(t, name)].Replayed >= 3 }) // from the spool, all
			}
			if want, ok := c.want["instana"]; ok && m.Config().Instana.Compression != map[string]string{"": "none", "gzip": "gzip"}[want] {
				t.Errorf("/config says instana compression %q, want %q", m.Config().Instana.Compression, want)
			}
		})
	}
}

func kindIndex(t *testing.T, name string) int {
	for i, k := range destinationKinds {
		if k.name == name {
			return i
		}
	}
	t.Fatalf("no kind %s", name)
	return 0
}
