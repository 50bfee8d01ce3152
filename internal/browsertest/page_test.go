package browsertest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("GENAITRACE_REQUIRE_BROWSER") != "" {
		t.Fatal("Chromium not found and GENAITRACE_REQUIRE_BROWSER is set: install the Debian package chromium")
	}
	t.Skip("Chromium not found (apt-get install chromium); CI sets GENAITRACE_REQUIRE_BROWSER=1 and runs this test")
	return ""
}

// artifactDir is where the screenshot goes: $GENAITRACE_ARTIFACTS in CI,
// else the test's temporary directory.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("GENAITRACE_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// emitTrace makes an agent → tool → LLM trace with a failed second call.
func emitTrace(tr trace.Tracer) trace.TraceID {
	ctx, agent := tr.Start(context.Background(), "invoke_agent planner", trace.WithAttributes(
		genai.OperationName.String("invoke_agent"), genai.AgentName.String("planner")))
	_, tool := tr.Start(ctx, "execute_tool search", trace.WithAttributes(genai.OperationName.String("execute_tool"), genai.ToolName.String("search")))
	time.Sleep(5 * time.Millisecond)
	tool.End()
	_, llm := tr.Start(ctx, "chat gpt-4o-mini", trace.WithAttributes(genai.OperationName.String("chat"),
		genai.ProviderName.String("openai"), genai.RequestModel.String("gpt-4o-mini")))
	time.Sleep(10 * time.Millisecond)
	llm.SetAttributes(genai.UsageInputTokens.Int(900), genai.UsageOutputTokens.Int(120))
	llm.End()
	_, bad := tr.Start(ctx, "chat gpt-4o-mini", trace.WithAttributes(genai.OperationName.String("chat"), genai.RequestModel.String("gpt-4o-mini")))
	time.Sleep(3 * time.Millisecond)
	bad.SetStatus(codes.Error, "429 Too Many Requests")
	bad.End()
	agent.End()
	return agent.SpanContext().TraceID()
}

func TestDiagnosticsPageInChromium(t *testing.T) {
	exe := chromium(t)
	for _, k := range []string{"INSTANA_ENDPOINT", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
		t.Setenv(k, "")
	}
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	m, err := runtime.Configure(context.Background(), runtime.WithoutGlobal(), runtime.WithServiceName("browser-test"),
		runtime.WithLogger(slog.New(slog.DiscardHandler)), runtime.WithSpoolDir(t.TempDir()),
		runtime.WithInstana(instana.URL(), ""), runtime.WithLangfuse(langfuse.URL(), "pk", "sk"),
		runtime.WithBatchTimeout(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	tid := emitTrace(m.Tracer("browser"))
	if err := m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/telemetry/", http.StripPrefix("/telemetry", m.DiagnosticsHandler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	count := func(ctx context.Context, selector string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+selector+"`"+`).length`))
		if err != nil {
			t.Fatalf("count %s: %v", selector, err)
		}
		return n
	}

	page := srv.URL + "/telemetry/?trace=" + tid.String()
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil { // starts the browser: no timeout on this call
		t.Fatalf("browser: %v", err)
	}
	wait, cancelWait := context.WithTimeout(ctx, 30*time.Second)
	defer cancelWait()
	if err := chromedp.Do(wait, chromedp.WaitVisible(chromedp.CSS(`#waterfall .wf-row .bar`))); err != nil {
		t.Fatalf("waterfall never drawn: %v", err)
	}
	destinations, traceRows := count(ctx, "tr.destination"), count(ctx, "tr.trace-row")
	bars, errorBars := count(ctx, "#waterfall .bar"), count(ctx, "#waterfall .bar.error")
	firstBarWidth, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelectorAll("#waterfall .bar")[0].style.width`))
	if err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(artifactDir(t), "diagnostics-page.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	if destinations != 2 || traceRows != 1 || bars != 4 || errorBars != 1 {
		t.Errorf("rendered %d destinations, %d trace rows, %d bars (%d error); want 2, 1, 4 (1)", destinations, traceRows, bars, errorBars)
	}
	if firstBarWidth != "100%" || !strings.Contains(title, "browser-test") {
		t.Errorf("root bar width %q, title %q", firstBarWidth, title)
	}

	// Without JavaScript the tables are all there; only the waterfall is not.
	noJS, cancelNoJS := chromedp.NewContext(ctx) // a new tab of the same browser
	defer cancelNoJS()
	disableJS := chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	if err := chromedp.Do(noJS, chromedp.Navigate("about:blank"), disableJS, chromedp.Navigate(page),
		chromedp.WaitReady(chromedp.CSS(`#spans`))); err != nil {
		t.Fatalf("browser without JS: %v", err)
	}
	spanRows, destinations, bars := count(noJS, "tr.span-row"), count(noJS, "tr.destination"), count(noJS, "#waterfall .bar")
	if spanRows != 4 || destinations != 2 || bars != 0 {
		t.Errorf("without JS: %d span rows, %d destinations, %d bars; want 4, 2, 0", spanRows, destinations, bars)
	}
}
