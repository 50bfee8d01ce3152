package runtime

import (
	"bufio"
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	goruntime "runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// The operation tests run genaitrace in real child processes: the test
// binary itself, re-executed with childEnv set, configured from the
// environment as an application is, and driven by one command per line on
// its stdin. The parent kills them with SIGKILL, shuts them down, restarts
// them with other settings, and counts what real receivers got.
const childEnv = "GENAITRACE_TEST_CHILD"

// Child-only settings (the tests' fast timings), besides the real
// variables Configure reads.
const (
	childBatchEnv   = "GENAITRACE_TEST_BATCH_TIMEOUT"
	childPollEnv    = "GENAITRACE_TEST_POLL_INTERVAL"
	childAttemptEnv = "GENAITRACE_TEST_ATTEMPT_TIMEOUT"
	childGraceEnv   = "GENAITRACE_TEST_REPLAY_GRACE" // replayCheckGrace
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain(os.Stdin, os.Stdout))
	}
	// The parallel tests of this package wait on real timeouts, child
	// processes and outages far more than they compute: unless told
	// otherwise, run more of them at once than there are cores.
	flag.Parse()
	if !flagSet("test.parallel") {
		_ = flag.Set("test.parallel", strconv.Itoa(max(goruntime.GOMAXPROCS(0), 6)))
	}
	// The shell's settings must not reach Configure: a test that wants a
	// variable sets it (t.Setenv); the others may then run in parallel.
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); ourVariable(name) {
			_ = os.Unsetenv(name)
		}
	}
	os.Exit(m.Run())
}

func flagSet(name string) (set bool) {
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// ourVariable reports whether Configure may read the variable.
func ourVariable(name string) bool {
	return slices.Contains(allEnv, name) || strings.HasPrefix(name, "TELEMETRY_") ||
		strings.HasPrefix(name, "LANGFUSE_") || strings.HasPrefix(name, "INSTANA_") || strings.HasPrefix(name, "OTEL_")
}

// childStats is what a child reports of itself.
type childStats struct {
	Pipeline     export.PipelineStats      `json:"pipeline"`
	Destinations []export.DestinationStats `json:"destinations"`
	// PeakRSS is the process's peak resident set (VmHWM), in bytes, 0
	// where /proc does not tell; after emitgenai rounds of prompts of 1 MiB
	// or more, the highest peak of a round, measured from its start.
	PeakRSS int64 `json:"peak_rss"`
}

// roundsPeakRSS is the highest peak of the emitgenai rounds, each measured
// from its start (see resetPeakRSS).
var roundsPeakRSS atomic.Int64

// resetPeakRSS sets VmHWM back to the current resident set (Linux).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS reads VmHWM from /proc/self/status.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func (s childStats) dest(name string) export.DestinationStats {
	for _, d := range s.Destinations {
		if d.Name == name {
			return d
		}
	}
	return export.DestinationStats{}
}

// childMain is the child process: Configure from the environment, then
// commands:
//
//	emit N PREFIX [RATE]  N single-span traces named PREFIX-0 ... PREFIX-N-1,
//	                as fast as possible or RATE per second
//	emitgenai N PREFIX RATE BYTES [sdk]  the same as model calls: ten
//	                GenAI attributes and a prompt of BYTES bytes each, which
//	                gzip cannot fold into the others' (RATE 0: as fast as
//	                possible); with sdk, through a bare SDK provider instead
//	                of genaitrace's: the application's own cost, to compare
//	score N PREFIX  N single-span traces PREFIX-0 ..., each scored
//	                (genai.Score "quality", the ID PREFIX-i, the value i)
//	flush           Manager.Flush (10 s)
//	stats           one line of JSON: childStats
//	serve           mount the diagnostics handler on loopback; answers its URL
//	shutdown MS     Manager.Shutdown with a deadline of MS milliseconds, then exit
func childMain(in io.Reader, out io.Writer) int {
	opts := []Option{WithoutGlobal(), WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))}
	for env, opt := range map[string]func(time.Duration) Option{childBatchEnv: WithBatchTimeout, childPollEnv: WithPollInterval, childAttemptEnv: WithAttemptTimeout} {
		if d, err := time.ParseDuration(os.Getenv(env)); err == nil {
			opts = append(opts, opt(d))
		}
	}
	if d, err := time.ParseDuration(os.Getenv(childGraceEnv)); err == nil {
		replayCheckGrace = d
	}
	m, err := Configure(context.Background(), opts...)
	if err != nil {
		fmt.Fprintln(out, "error", err)
		return 1
	}
	fmt.Fprintln(out, "ready")
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "emit":
			n, _ := strconv.Atoi(f[1])
			perSecond := 0
			if len(f) > 3 {
				perSecond, _ = strconv.Atoi(f[3])
			}
			emitSpans(m.Tracer("child"), n, f[2], perSecond)
			fmt.Fprintln(out, "ok")
		case "emitgenai":
			n, _ := strconv.Atoi(f[1])
			perSecond, _ := strconv.Atoi(f[3])
			size, _ := strconv.Atoi(f[4])
			tr := m.Tracer("child")
			if len(f) > 5 && f[5] == "sdk" {
				tr = sdktrace.NewTracerProvider().Tracer("child")
			}
			emitGenAISpans(tr, n, f[2], perSecond, size)
			if m.Flush(context.Background()) == nil && peakRSS() > roundsPeakRSS.Load() {
				roundsPeakRSS.Store(peakRSS())
			}
			fmt.Fprintln(out, "ok")
		case "score":
			n, _ := strconv.Atoi(f[1])
			scoreSpans(m.Tracer("child"), n, f[2])
			fmt.Fprintln(out, "ok")
		case "flush":
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := m.Flush(ctx)
			cancel()
			fmt.Fprintln(out, "ok", err)
		case "stats":
			st := childStats{Pipeline: m.PipelineStats(), PeakRSS: cmp.Or(roundsPeakRSS.Load(), peakRSS())}
			st.Destinations = append(st.Destinations, m.Destinations()...)
			b, _ := json.Marshal(st)
			fmt.Fprintln(out, string(b))
		case "serve":
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				fmt.Fprintln(out, "error", err)
				continue
			}
			go func() { _ = http.Serve(ln, m.DiagnosticsHandler()) }()
			fmt.Fprintln(out, "http://"+ln.Addr().String())
		case "shutdown":
			ms, _ := strconv.Atoi(f[1])
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(ms)*time.Millisecond)
			_ = m.Shutdown(ctx)
			cancel()
			fmt.Fprintln(out, "ok")
			return 0
		default:
			fmt.Fprintln(out, "error unknown command", f[0])
		}
	}
	return 0
}

// emitSpans makes n single-span traces, in bursts of a hundredth of a
// second's worth when paced.
func emitSpans(tr trace.Tracer, n int, prefix string, perSecond int) {
	burst, next := max(perSecond/100, 1), time.Now()
	for i := range n {
		if perSecond > 0 && i%burst == 0 {
			time.Sleep(time.Until(next))
			next = next.Add(10 * time.Millisecond)
		}
		_, s := tr.Start(context.Background(), prefix+"-"+strconv.Itoa(i))
		s.End()
	}
}

// emitGenAISpans makes n single-span model-call traces with a prompt of
// size bytes each, paced like emitSpans. A prompt under 1 MiB is new for
// every call (gzip cannot fold one into another); a larger one is made
// once and sent with every call, as an application sends one document it
// holds: the process's memory is then the application's one prompt and
// genaitrace's, not the garbage of making megabytes of text per call.
func emitGenAISpans(tr trace.Tracer, n int, prefix string, perSecond, size int) {
	burst, next := max(perSecond/100, 1), time.Now()
	rnd := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, size/2)
	prompt := func() string {
		for j := range buf {
			buf[j] = byte(rnd.Uint32())
		}
		return genai.TextMessage("user", hex.EncodeToString(buf))
	}
	var shared string
	if size >= 1<<20 {
		shared, buf = prompt(), nil
		// What making the prompt cost is the application's business, not
		// what the calls cost: the peak is measured from here.
		debug.FreeOSMemory()
		resetPeakRSS()
	}
	for i := range n {
		if perSecond > 0 && i%burst == 0 {
			time.Sleep(time.Until(next))
			next = next.Add(10 * time.Millisecond)
		}
		p := shared
		if p == "" {
			p = prompt()
		}
		_, s := tr.Start(context.Background(), prefix+"-"+strconv.Itoa(i), tenAttributes,
			trace.WithAttributes(genai.InputMessages.String(p)))
		s.End()
	}
}

// child is a running child process.
type child struct {
	t     *testing.T
	name  string
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

// startChild starts a child with env (NAME=value) on top of the tests'
// environment and waits until it is configured.
func startChild(t *testing.T, name string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// Operations are about delivery: every trace goes to Langfuse, whether
	// it has GenAI work or not (the gate has tests of its own).
	cmd.Env = append(childBaseEnv(), append([]string{childEnv + "=1", envLangfuseExport + "=all"}, env...)...)
	cmd.Stderr = &prefixWriter{t: t, prefix: name + ": "}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, name: name, cmd: cmd, in: in, lines: make(chan string, 16)}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if line := c.read(); line != "ready" {
		t.Fatalf("%s did not start: %s", name, line)
	}
	return c
}

// childBaseEnv is the tests' environment without any variable Configure
// reads: a child is configured by what its test says, not by a variable
// a sequential test set meanwhile.
func childBaseEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !ourVariable(name) {
			out = append(out, kv)
		}
	}
	return out
}

func (c *child) read() string {
	c.t.Helper()
	select {
	case line, ok := <-c.lines:
		if !ok {
			c.t.Fatalf("%s exited", c.name)
		}
		return line
	case <-time.After(60 * time.Second):
		c.t.Fatalf("%s: no answer in 60 s", c.name)
	}
	return ""
}

// do sends one command and returns the answer.
func (c *child) do(format string, args ...any) string {
	c.t.Helper()
	if _, err := fmt.Fprintf(c.in, format+"\n", args...); err != nil {
		c.t.Fatalf("%s: %v", c.name, err)
	}
	return c.read()
}

func (c *child) emit(n int, prefix string) {
	c.t.Helper()
	c.do("emit %d %s", n, prefix)
}

func (c *child) flush() {
	c.t.Helper()
	if got := c.do("flush"); got != "ok <nil>" {
		c.t.Fatalf("%s flush: %s", c.name, got)
	}
}

func (c *child) stats() childStats {
	c.t.Helper()
	var st childStats
	if line := c.do("stats"); json.Unmarshal([]byte(line), &st) != nil {
		c.t.Fatalf("%s stats: %s", c.name, line)
	}
	return st
}

// waitStats polls the child's stats until ok holds.
func (c *child) waitStats(what string, ok func(childStats) bool) childStats {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := c.stats()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: %s did not happen in 30 s; stats %+v", c.name, what, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the child with SIGKILL: no shutdown hook runs.
func (c *child) kill() {
	c.t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	_ = c.cmd.Wait()
}

// shutdown shuts the child down with a deadline and waits for it to exit.
func (c *child) shutdown(deadline time.Duration) {
	c.t.Helper()
	if got := c.do("shutdown %d", deadline.Milliseconds()); got != "ok" {
		c.t.Fatalf("%s shutdown: %s", c.name, got)
	}
	if err := c.cmd.Wait(); err != nil {
		c.t.Fatalf("%s exit: %v", c.name, err)
	}
}

// prefixWriter passes a child's log lines to the test log.
type prefixWriter struct {
	t      *testing.T
	prefix string
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.t.Log(w.prefix + line)
	}
	return len(p), nil
}
