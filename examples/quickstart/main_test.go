package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The quickstart is tested as users run it: the real binary.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "quickstart")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func cleanEnv(spool string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "INSTANA_") || strings.HasPrefix(kv, "LANGFUSE_") || strings.HasPrefix(kv, "OTEL_EXPORTER_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TELEMETRY_SPOOL_DIR="+spool)
}

func TestOnce(t *testing.T) {
	cmd := exec.Command(build(t), "-once", "-addr", "127.0.0.1:0")
	cmd.Env = cleanEnv(t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("quickstart -once: %v\n%s", err, out)
	}
	for _, want := range []string{
		"invoke_agent planner", "├─ execute_tool search", "├─ chat gpt-4o-mini", "└─ chat gpt-4o-mini",
		"gpt-4o-mini-2024-07-18", "✗ 429 Too Many Requests", "answer: Light rain", "No destination is configured",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The README shows this output: the same lines, but for the numbers.
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	shape := regexp.MustCompile(`[0-9a-f]{32}|[0-9]+(\.[0-9]+)?`)
	tree := func(text string) []string {
		var lines []string
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, "── trace") || strings.HasPrefix(l, "  ") && strings.ContainsAny(l, "├└") || strings.HasPrefix(l, "  invoke_agent") {
				lines = append(lines, strings.Join(strings.Fields(shape.ReplaceAllString(l, "#")), " "))
			}
		}
		return lines
	}
	got := tree(string(out))
	sample := string(readme)[strings.Index(string(readme), "With nothing configured"):]
	want := tree(sample[:strings.Index(sample, "\n```\n\n")])
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the README's sample output differs from the quickstart's:\nREADME:\n%s\nquickstart:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
}

func TestServesDiagnosticsUntilInterrupted(t *testing.T) {
	cmd := exec.Command(build(t), "-addr", "127.0.0.1:0", "-every", "100ms")
	cmd.Env = cleanEnv(t.TempDir())
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stderr)
	var url string
	for sc.Scan() {
		if m := regexp.MustCompile(`Diagnostics: (http://\S+/telemetry/)`).FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	go io.Copy(io.Discard, stderr)
	if url == "" {
		t.Fatal("the quickstart did not print the diagnostics address")
	}
	var health, traces string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		health, traces = get(t, url+"health"), get(t, url+"exported_traces")
		if strings.Contains(traces, "invoke_agent planner") {
			break
		}
	}
	if !strings.Contains(health, `"status": "ok"`) || !strings.Contains(traces, "invoke_agent planner") {
		t.Errorf("health %s\ntraces lack the agent's: %s", health, traces)
	}
	if page := get(t, url); !strings.Contains(page, "genaitrace diagnostics") {
		t.Errorf("page: %s", page)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after Ctrl-C: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not exit after SIGINT")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
