//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
)

const jaegerVersion = "v1.76.0"

func repoRoot(t *testing.T) string {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// jaegerBinary builds Jaeger once per machine, from tools/jaeger's go.mod
// and go.sum (which let the build verify modules without the checksum
// database), into the user cache directory.
func jaegerBinary(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	bin := filepath.Join(cache, "genaitrace", "jaeger-"+jaegerVersion, "jaeger")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	start := time.Now()
	cmd := exec.Command("go", "build", "-o", bin, "github.com/jaegertracing/jaeger/cmd/jaeger")
	cmd.Dir = filepath.Join(repoRoot(t), "tools", "jaeger")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building Jaeger: %v\n%s", err, out)
	}
	t.Logf("built Jaeger %s in %v", jaegerVersion, time.Since(start).Round(time.Second))
	return bin
}

func goBuild(t *testing.T, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs a binary until the test ends, logging its output on failure.
func start(t *testing.T, name string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(name), out.String())
		}
	})
	return cmd
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return
			}
		}
	}
	t.Fatalf("%s never answered", url)
}

const jaegerConfig = `
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:%d
    grpc:
      endpoint: 127.0.0.1:%d
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`

// jaegerTrace is the part of Jaeger's /api/traces answer the test reads.
type jaegerTrace struct {
	TraceID string `json:"traceID"`
	Spans   []struct {
		SpanID        string `json:"spanID"`
		OperationName string `json:"operationName"`
		ProcessID     string `json:"processID"`
		References    []struct {
			RefType string `json:"refType"`
			SpanID  string `json:"spanID"`
		} `json:"references"`
		Tags []struct {
			Key   string `json:"key"`
			Value any    `json:"value"`
		} `json:"tags"`
	} `json:"spans"`
	Processes map[string]struct {
		ServiceName string `json:"serviceName"`
		Tags        []struct {
			Key   string `json:"key"`
			Value any    `json:"value"`
		} `json:"tags"`
	} `json:"processes"`
}

func TestChatServiceAgainstJaeger(t *testing.T) {
	jaeger := jaegerBinary(t)
	fakellm, chatservice := goBuild(t, "./examples/fakellm/cmd/fakellm"), goBuild(t, "./examples/chatservice")

	queryPort, grpcPort, otlpPort := freePort(t), freePort(t), freePort(t)
	cfg := filepath.Join(t.TempDir(), "jaeger.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(jaegerConfig, queryPort, grpcPort, otlpPort)), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, jaeger, nil, "--config", cfg)
	query := fmt.Sprintf("http://127.0.0.1:%d", queryPort)
	waitHTTP(t, query+"/api/services")

	langfuse := otlptest.New(t)
	llmPort, chatPort := freePort(t), freePort(t)
	start(t, fakellm, nil, "-addr", fmt.Sprintf("127.0.0.1:%d", llmPort), "-latency", "1ms")
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", llmPort))
	env := []string{
		"OTEL_SERVICE_NAME=chatservice",
		fmt.Sprintf("INSTANA_ENDPOINT=http://127.0.0.1:%d", otlpPort),
		"LANGFUSE_ENDPOINT=" + langfuse.URL(), "LANGFUSE_PUBLIC_KEY=pk-lf-it", "LANGFUSE_SECRET_KEY=sk-lf-it",
		"TELEMETRY_SPOOL_DIR=" + t.TempDir(), "OTEL_EXPORTER_OTLP_ENDPOINT=", "TELEMETRY_CONSOLE=false",
	}
	chat := start(t, chatservice, env, "-addr", fmt.Sprintf("127.0.0.1:%d", chatPort), "-llm-url", fmt.Sprintf("http://127.0.0.1:%d", llmPort))
	chatURL := fmt.Sprintf("http://127.0.0.1:%d", chatPort)
	waitHTTP(t, chatURL+"/telemetry/health")

	var traceIDs []string
	for i, body := range []string{
		`{"session_id":"s-1","user_id":"u-1","message":"hello"}`,
		`{"session_id":"s-1","user_id":"u-1","message":"and again"}`,
		`{"session_id":"s-2","message":"fail please","model":"fail-model"}`,
	} {
		resp, err := http.Post(chatURL+"/chat", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			TraceID string `json:"trace_id"`
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		_ = json.Unmarshal(data, &out)
		if i < 2 {
			if resp.StatusCode != 200 || out.TraceID == "" {
				t.Fatalf("POST /chat %d: %d %s", i, resp.StatusCode, data)
			}
			traceIDs = append(traceIDs, out.TraceID)
		} else if resp.StatusCode != http.StatusBadGateway {
			t.Fatalf("failing model: %d %s", resp.StatusCode, data)
		}
	}

	// SIGTERM: the service drains and flushes telemetry before exiting.
	if err := chat.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- chat.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("chatservice exit: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("chatservice did not stop after SIGTERM")
	}

	// Langfuse's receiver got every span: 3 per successful request, 3 for the failed one.
	lfSpans := langfuse.WaitSpans(t, 9, 10*time.Second)
	lfTraces := map[string]bool{}
	for _, s := range lfSpans {
		lfTraces[s.TraceID()] = true
	}

	// Jaeger, standing in for Instana, got the same traces with parents and attributes.
	var traces []jaegerTrace
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		traces = jaegerTraces(t, query)
		if len(traces) >= 3 && countSpans(traces) >= 9 {
			break
		}
	}
	if len(traces) != 3 || countSpans(traces) != 9 {
		t.Fatalf("Jaeger has %d traces, %d spans; want 3 and 9", len(traces), countSpans(traces))
	}
	jTraces := map[string]bool{}
	for _, tr := range traces {
		jTraces[tr.TraceID] = true
		checkTrace(t, tr)
	}
	for _, id := range traceIDs {
		if !jTraces[id] || !lfTraces[id] {
			t.Errorf("trace %s: in Jaeger %v, in Langfuse %v", id, jTraces[id], lfTraces[id])
		}
	}
	if len(jTraces) != len(lfTraces) {
		t.Errorf("Jaeger has %d traces, Langfuse %d", len(jTraces), len(lfTraces))
	}
	for id := range lfTraces {
		if !jTraces[id] {
			t.Errorf("trace %s reached Langfuse but not Jaeger", id)
		}
	}
}

func jaegerTraces(t *testing.T, query string) []jaegerTrace {
	t.Helper()
	resp, err := http.Get(query + "/api/traces?service=chatservice&limit=100&lookback=1h")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data []jaegerTrace `json:"data"`
	}
	if err := json.NewDecoder(bufio.NewReader(resp.Body)).Decode(&out); err != nil {
		t.Fatalf("Jaeger query: %v", err)
	}
	return out.Data
}

func countSpans(traces []jaegerTrace) int {
	n := 0
	for _, tr := range traces {
		n += len(tr.Spans)
	}
	return n
}

// checkTrace: the request span is the root, the LLM span its child, the HTTP
// client span the LLM span's child; the LLM span carries the GenAI
// attributes Instana reads; the process carries INSTANA_PLUGIN=genai.
func checkTrace(t *testing.T, tr jaegerTrace) {
	t.Helper()
	ops := map[string]string{}    // span ID → operation
	parent := map[string]string{} // span ID → parent span ID
	tags := map[string]map[string]any{}
	for _, s := range tr.Spans {
		ops[s.SpanID] = s.OperationName
		for _, r := range s.References {
			if r.RefType == "CHILD_OF" {
				parent[s.SpanID] = r.SpanID
			}
		}
		tags[s.SpanID] = map[string]any{}
		for _, tag := range s.Tags {
			tags[s.SpanID][tag.Key] = tag.Value
		}
		proc := tr.Processes[s.ProcessID]
		plugin := false
		for _, tag := range proc.Tags {
			plugin = plugin || (tag.Key == "INSTANA_PLUGIN" && tag.Value == "genai")
		}
		if proc.ServiceName != "chatservice" || !plugin {
			t.Errorf("trace %s: process %s, INSTANA_PLUGIN=genai %v", tr.TraceID, proc.ServiceName, plugin)
		}
	}
	var server, llm, client string
	for id, op := range ops {
		switch {
		case op == "POST /chat":
			server = id
		case strings.HasPrefix(op, "chat "):
			llm = id
		case strings.HasPrefix(op, "HTTP "):
			client = id
		}
	}
	if server == "" || llm == "" || client == "" {
		t.Fatalf("trace %s: operations %v", tr.TraceID, ops)
	}
	if parent[server] != "" || parent[llm] != server || parent[client] != llm {
		t.Errorf("trace %s: parents %v (server %s, llm %s, client %s)", tr.TraceID, parent, server, llm, client)
	}
	a := tags[llm]
	for _, k := range []string{"gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.system", "gen_ai.request.model", "llm.request.type"} {
		if a[k] == nil {
			t.Errorf("trace %s: LLM span lacks %s: %v", tr.TraceID, k, a)
		}
	}
	if ops[llm] == "chat fail-model" {
		if a["error"] != true && a["otel.status_code"] != "ERROR" {
			t.Errorf("failed LLM span not marked as an error: %v", a)
		}
		return
	}
	for _, k := range []string{"gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.total_tokens", "gen_ai.response.model", "gen_ai.usage.cost", "traceloop.workflow.name"} {
		if a[k] == nil {
			t.Errorf("trace %s: LLM span lacks %s: %v", tr.TraceID, k, a)
		}
	}
	// One token name family by default (INSTANA_TOKEN_NAMES=conventions).
	for _, k := range []string{"gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens", "llm.usage.total_tokens"} {
		if a[k] != nil {
			t.Errorf("trace %s: LLM span has the legacy %s as well: %v", tr.TraceID, k, a)
		}
	}
}
