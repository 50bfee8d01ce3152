package runtime

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
)

// TestInstanaTenantCheckRecipe runs the shell recipe of docs/instana.md
// ("Checking a tenant for double counting in ten minutes") as a user
// copies it, with a loopback receiver for Instana, its own directory for
// the binaries and free ports, and checks that the four services send
// what the document says: ten calls of 100 and 10 tokens each, under the
// family each is set to, and the token metric from the three with metrics.
func TestInstanaTenantCheckRecipe(t *testing.T) {
	t.Parallel() // child processes: their environment is the script's
	doc, err := os.ReadFile(filepath.Join("..", "docs", "instana.md"))
	if err != nil {
		t.Fatal(err)
	}
	script := recipe(t, string(doc), "## Checking a tenant for double counting")
	instana := otlptest.New(t)
	dir := t.TempDir()
	script = strings.ReplaceAll(script, "/tmp/", dir+"/")
	script = strings.Replace(script, "export INSTANA_ENDPOINT=... INSTANA_API_KEY=...", "export INSTANA_ENDPOINT="+instana.URL(), 1)
	// Every port, wherever the recipe writes it (the services' come as a
	// word of their line, "new 8101 ..."): two runs of the test at once
	// (another checkout's) would otherwise send their requests to one
	// another's services.
	for _, port := range []string{"9000", "8101", "8102", "8103", "8104"} {
		script = regexp.MustCompile(`\b`+port+`\b`).ReplaceAllString(script, freePort(t))
	}
	if regexp.MustCompile(`\b(9000|810[1-4])\b`).MatchString(script) {
		t.Fatalf("a fixed port is left in the recipe:\n%s", script)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euc", script)
	cmd.Dir = ".."
	// The services' spools go to the user cache directory by default:
	// this test's own, so that nothing is left behind or adopted. The
	// build cache stays where it was (Go puts it in the same directory).
	cmd.Env = append(childBaseEnv(), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
	if os.Getenv("GOCACHE") == "" {
		if c, err := os.UserCacheDir(); err == nil {
			cmd.Env = append(cmd.Env, "GOCACHE="+filepath.Join(c, "go-build"))
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the recipe failed: %v\n%s", err, out)
	}

	spans := map[string][]map[string]any{}
	for _, s := range instana.Spans() {
		if s.Name == "chat gpt-4o-mini" {
			svc := fmt.Sprint(s.Resource["service.name"])
			spans[svc] = append(spans[svc], s.Attrs())
		}
	}
	for svc, family := range map[string][][]string{"gt-check-new": {tokenNamesConventions}, "gt-check-old": {tokenNamesLegacy},
		"gt-check-both": {tokenNamesConventions, tokenNamesLegacy}, "gt-check-nometrics": {tokenNamesConventions}} {
		calls := spans[svc]
		if len(calls) != 10 {
			t.Errorf("%s: %d model calls at Instana, want 10", svc, len(calls))
			continue
		}
		in, out := "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"
		if family[0][0] == tokenNamesLegacy[0] {
			in, out = "gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens"
		}
		for _, a := range calls {
			if a[in] != int64(100) || a[out] != int64(10) {
				t.Errorf("%s: %s = %v, %s = %v, want 100 and 10", svc, in, a[in], out, a[out])
			}
			if len(family) == 1 {
				assertOneTokenFamily(t, svc, a, family[0])
			} else if a["gen_ai.usage.prompt_tokens"] != int64(100) {
				t.Errorf("%s: no legacy count beside the conventions': %v", svc, a)
			}
		}
	}
	inputTokens := map[string]float64{}
	for _, rm := range instana.Metrics() {
		svc := fmt.Sprint(otlptest.KeyValues(rm.Resource.GetAttributes())["service.name"])
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				if m.Name == "gen_ai.client.token.usage" {
					_, sum := histCount(m, func(a map[string]any) bool { return a["gen_ai.token.type"] == "input" })
					inputTokens[svc] = sum // cumulative: the last collection has them all
				}
			}
		}
	}
	want := map[string]float64{"gt-check-new": 1000, "gt-check-old": 1000, "gt-check-both": 1000}
	if fmt.Sprint(inputTokens) != fmt.Sprint(want) {
		t.Errorf("input tokens in gen_ai.client.token.usage by service %v, want %v (none from gt-check-nometrics)", inputTokens, want)
	}
}

// recipe returns the first sh block after heading in a document.
func recipe(t *testing.T, doc, heading string) string {
	t.Helper()
	_, after, ok := strings.Cut(doc, heading)
	if !ok {
		t.Fatalf("no %q in the document", heading)
	}
	m := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(after)
	if m == nil {
		t.Fatalf("no sh block after %q", heading)
	}
	return m[1]
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}
