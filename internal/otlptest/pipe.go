package otlptest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
)

// NewInMemory starts a receiver that speaks HTTP over in-memory
// connections (net.Pipe) instead of loopback, and returns it with a client
// that reaches it: for tests in a testing/synctest bubble, where time
// moves on only while every goroutine is durably blocked, which a goroutine
// waiting on a socket never is. The protocol is the same HTTP/1.1 the
// loopback receiver speaks; URL still names a host, which the client's
// dialer ignores. Call it inside the bubble.
func NewInMemory(t testing.TB) (*Receiver, *http.Client) {
	t.Helper()
	ln := &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
	r := &Receiver{addr: "in-memory.test:4318", seen: map[string]int{}, hangs: make(chan struct{}), arrived: make(chan struct{}, 1)}
	r.serveOn(ln)
	tr := &http.Transport{DialContext: ln.dial}
	t.Cleanup(func() {
		r.Close()
		tr.CloseIdleConnections()
	})
	return r, &http.Client{Transport: tr}
}

// pipeListener is a net.Listener whose connections are in-memory pipes
// handed over by dial.
type pipeListener struct {
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, &net.OpError{Op: "dial", Net: "pipe", Err: errors.New("connection refused")}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "in-memory.test:4318" }
