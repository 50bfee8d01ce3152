package browsertest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
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

// artifactDir is where the screenshots go: $GENAITRACE_ARTIFACTS in CI,
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

// emitTrace makes an agent → tool → LLM trace, in a session, with a failed
// second call, messages recorded.
func emitTrace(tr trace.Tracer) trace.TraceID {
	ctx := genai.WithSession(genai.WithUser(context.Background(), "user-9"), "session-77")
	ctx, agent := tr.Start(ctx, "invoke_agent planner", trace.WithAttributes(
		genai.OperationName.String("invoke_agent"), genai.AgentName.String("planner")))
	_, tool := tr.Start(ctx, "execute_tool search", trace.WithAttributes(genai.OperationName.String("execute_tool"), genai.ToolName.String("search")))
	time.Sleep(5 * time.Millisecond)
	tool.End()
	_, llm := tr.Start(ctx, "chat gpt-4o-mini", trace.WithAttributes(genai.OperationName.String("chat"),
		genai.ProviderName.String("openai"), genai.RequestModel.String("gpt-4o-mini")))
	time.Sleep(10 * time.Millisecond)
	llm.SetAttributes(genai.UsageInputTokens.Int(900), genai.UsageOutputTokens.Int(120),
		genai.InputMessages.String(`[{"role":"user","parts":[{"type":"text","content":"What's the weather in Lyon?"}]}]`),
		genai.OutputMessages.String(`[{"role":"assistant","parts":[{"type":"text","content":"Sunny, 24 degrees."}],"finish_reason":"stop"}]`))
	llm.End()
	_, bad := tr.Start(ctx, "chat gpt-4o-mini", trace.WithAttributes(genai.OperationName.String("chat"), genai.RequestModel.String("gpt-4o-mini")))
	time.Sleep(3 * time.Millisecond)
	bad.SetStatus(codes.Error, "429 Too Many Requests")
	bad.End()
	agent.End()
	return agent.SpanContext().TraceID()
}

type browser struct {
	t   *testing.T
	ctx context.Context
}

func (b browser) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

func evaluate[T any](b browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b browser) count(selector string) int {
	b.t.Helper()
	return evaluate[int](b, `document.querySelectorAll(`+"`"+selector+"`"+`).length`)
}

func (b browser) text(selector string) string {
	b.t.Helper()
	return evaluate[string](b, `Array.from(document.querySelectorAll(`+"`"+selector+"`"+`)).map(e => e.textContent).join("\n")`)
}

func (b browser) attrs(selector, attr string) []string {
	b.t.Helper()
	return evaluate[[]string](b, `Array.from(document.querySelectorAll(`+"`"+selector+"`"+`)).map(e => e.getAttribute("`+attr+`"))`)
}

func (b browser) screenshot(name string, width int) {
	b.t.Helper()
	b.run(chromedp.EmulateViewport(int64(width), 900), chromedp.Sleep(200*time.Millisecond))
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(artifactDir(b.t), name)
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
	if overflow := evaluate[int](b, `document.documentElement.scrollWidth - window.innerWidth`); overflow > 1 {
		b.t.Errorf("%s: the page is %d px wider than the %d px window", name, overflow, width)
	}
}

// refusal is what the generic OTLP destination answers: a 401 with a long
// body, as gateways write them (a stand-in text, not a real gateway's).
const refusal = `{"error":"unauthorized","message":"The request carries no valid credentials for this tenant. ` +
	`Send an Authorization header with a bearer token issued for the tenant, or an x-api-key header. ` +
	`See the gateway's documentation, section Authentication."}`

func TestDiagnosticsPageInChromium(t *testing.T) {
	exe := chromium(t)
	for _, k := range []string{"INSTANA_ENDPOINT", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "OTEL_EXPORTER_OTLP_ENDPOINT", "LANGFUSE_EXPORT"} {
		t.Setenv(k, "")
	}
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	instana.Down()
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, refusal)
	}))
	defer gateway.Close()
	m, err := runtime.Configure(context.Background(), runtime.WithoutGlobal(), runtime.WithServiceName("browser-test"),
		runtime.WithLogger(slog.New(slog.DiscardHandler)), runtime.WithSpoolDir(t.TempDir()),
		runtime.WithInstana(instana.URL(), ""), runtime.WithLangfuse(langfuse.URL(), "pk", "sk"), // Langfuse: GenAI traces only, the default
		runtime.WithOTLP(gateway.URL+"/v1/traces", nil),
		runtime.WithCaptureContent(true), runtime.WithDiagnosticsContent(true),
		runtime.WithBatchTimeout(20*time.Millisecond), runtime.WithBreaker(1, 50*time.Millisecond, 100*time.Millisecond),
		runtime.WithPollInterval(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	defer genai.SetCaptureContent(false)

	// Instana is down while the traces are made, then comes back: its row
	// must show the recovery, not the stale error.
	tr := m.Tracer("browser")
	var plain []trace.TraceID
	for i := range 30 {
		_, s := tr.Start(context.Background(), fmt.Sprintf("GET /items/%02d", i))
		s.End()
		plain = append(plain, s.SpanContext().TraceID())
		time.Sleep(time.Millisecond)
	}
	tid := emitTrace(tr)
	_ = m.Flush(context.Background())
	waitFor(t, func() bool { return m.Destinations()[0].LastError != "" && m.Destinations()[2].LastErrorStatus == 401 })
	if err := instana.Up(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { d := m.Destinations()[0]; return d.LastSuccess.After(d.LastErrorTime) && d.Exported == 34 })
	waitFor(t, func() bool { d := m.Destinations()[1]; return d.Exported == 4 && d.Filtered == 30 })

	var outside atomic.Int32 // requests the page made outside the handler (a favicon)
	mux := http.NewServeMux()
	mux.Handle("/telemetry/", http.StripPrefix("/telemetry", m.DiagnosticsHandler()))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { outside.Add(1); http.NotFound(w, r) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	base := srv.URL + "/telemetry/"

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1024, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(base)); err != nil { // starts the browser: no timeout on this call
		t.Fatalf("browser: %v", err)
	}
	b := browser{t: t, ctx: ctx}

	// Overview: the recovered destination reads as recovered, its error
	// dated and marked as cleared; the refusing one names what to check,
	// its error once and cut short; filtered spans are explained.
	b.run(chromedp.WaitVisible(chromedp.CSS(`tr.destination[data-name="otlp"]`)))
	if state := b.text(`tr.destination[data-name="instana"] .badge`); state != "recovered" {
		t.Errorf("instana's state reads %q after it recovered, want recovered", state)
	}
	if e := b.text(`tr.destination-error[data-name="instana"] td.last-error`); !strings.Contains(e, "recovered since") {
		t.Errorf("instana's last error %q is not marked as cleared", e)
	}
	if got := b.text(`tr.destination[data-name="instana"] .exported`); got != "34 spans" {
		t.Errorf("instana exported %q, want 34 spans", got)
	}
	if st, detail := b.text(`tr.destination[data-name="otlp"] .badge`), b.text(`tr.destination[data-name="otlp"] .detail`); st != "refused" ||
		!strings.Contains(detail, "check OTEL_EXPORTER_OTLP_HEADERS, which is not set") {
		t.Errorf("the refusing destination reads %q: %q", st, detail)
	}
	if f := b.text(`tr.destination[data-name="langfuse"] .filtered`); !strings.Contains(f, "filtered 30") || !strings.Contains(f, "without a GenAI span (LANGFUSE_EXPORT=llm") {
		t.Errorf("filtered spans are not explained: %q", f)
	}
	checkOverview := func(width int) {
		b.t.Helper()
		// The refusal's text once, cut short: a distinctive part of its end
		// is not on the page until asked for, its start is, once.
		if n := evaluate[int](b, `document.body.innerText.split("The request carries no valid").length - 1`); n != 1 {
			t.Errorf("%d px: the error's text appears %d times, want once", width, n)
		}
		if evaluate[bool](b, `document.body.innerText.includes("bearer token issued")`) {
			t.Errorf("%d px: the whole error is shown before it is asked for", width)
		}
		lines := 1.5 // at 1024 px and wider: one line
		if width < 640 {
			lines = 4.5
		}
		if h := evaluate[float64](b, `document.querySelector('tr.destination-error[data-name="otlp"] .error').getBoundingClientRect().height`); h > lines*20 {
			t.Errorf("%d px: the error takes %.0f px of height, want at most %.0f lines", width, h, lines)
		}
	}
	checkOverview(1024)
	b.run(chromedp.Click(chromedp.CSS(`tr.destination-error[data-name="otlp"] .error summary`)))
	if full := b.text(`tr.destination-error[data-name="otlp"] .error .full`); !strings.Contains(full, "bearer token issued") ||
		!evaluate[bool](b, `document.querySelector('tr.destination-error[data-name="otlp"] .error details').open`) {
		t.Errorf("the whole error is not shown when asked for: %q", full)
	}
	b.screenshot("diagnostics-overview-1024.png", 1024)

	// The overview refreshes itself (every 5 s), keeping the opened error
	// open.
	for range 3 {
		_, s := tr.Start(context.Background(), "GET /later")
		s.End()
	}
	_ = m.Flush(context.Background())
	waitFor(t, func() bool { return m.Destinations()[0].Exported == 37 })
	waitFor(t, func() bool { return b.text(`tr.destination[data-name="instana"] .exported`) == "37 spans" })
	if !evaluate[bool](b, `document.querySelector('tr.destination-error[data-name="otlp"] .error details').open`) {
		t.Error("the refresh closed the error the operator opened")
	}
	b.run(chromedp.Click(chromedp.CSS(`tr.destination-error[data-name="otlp"] .error summary`)))

	// Recent traces: newest first, 25 a page, the next page after it with
	// none repeated; GenAI only leaves the agent's trace.
	b.run(chromedp.Navigate(base+"#/traces"), chromedp.WaitVisible(chromedp.CSS(`tr.trace-row`)))
	page1 := b.attrs(`tr.trace-row`, "data-trace-id")
	if len(page1) != 25 || page1[3] != tid.String() || page1[4] != plain[29].String() {
		t.Fatalf("first page: %d rows starting %v; want 25, newest first (3 later, %s, %s)", len(page1), page1[:min(5, len(page1))], tid, plain[29])
	}
	b.run(chromedp.Click(chromedp.CSS(`button.older`)), chromedp.WaitVisible(chromedp.CSS(`button.newest`)))
	page2 := b.attrs(`tr.trace-row`, "data-trace-id")
	if len(page2) != 9 || page2[0] != plain[8].String() || page2[8] != plain[0].String() {
		t.Errorf("second page: %d rows %v; want the 9 oldest, newest first", len(page2), page2)
	}
	for _, a := range page1 {
		for _, c := range page2 {
			if a == c {
				t.Errorf("trace %s on both pages", a)
			}
		}
	}
	b.run(chromedp.Navigate(base+"#/traces"), chromedp.WaitNotPresent(chromedp.CSS(`button.newest`)), // the first page again
		chromedp.Click(chromedp.CSS(`form.filters input[name="genai"]`)), chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)))
	waitFor(t, func() bool { return b.count(`tr.trace-row`) == 1 })
	if got := b.attrs(`tr.trace-row`, "data-trace-id"); got[0] != tid.String() || !evaluate[bool](b, `document.querySelector('form.filters input[name="genai"]').checked`) {
		t.Errorf("GenAI only lists %v, want the agent's trace %s", got, tid)
	}
	for _, w := range []int{360, 1024, 1920} {
		b.screenshot(fmt.Sprintf("diagnostics-traces-genai-%d.png", w), w)
	}

	// A trace: click a span, read its attributes and its messages.
	b.run(chromedp.Navigate(base+"#/trace/"+tid.String()), chromedp.WaitVisible(chromedp.CSS(`h2.trace-title[data-trace-id="`+tid.String()+`"]`)))
	if n, e := b.count(`#waterfall .wf-bar`), b.count(`#waterfall .wf-bar.error`); n != 4 || e != 1 {
		t.Errorf("waterfall: %d bars, %d failed; want 4, 1", n, e)
	}
	if facts := b.text(`.trace-facts`); !strings.Contains(facts, "session-77") || !strings.Contains(facts, "user-9") {
		t.Errorf("trace facts %q lack the session or the user", facts)
	}
	if got := b.attrs(`#delivery tr.delivery-row`, "data-name"); strings.Join(got, ",") != "instana,langfuse,otlp" {
		t.Errorf("the trace's delivery lists %v, want every destination", got)
	}
	// What became of it at each: delivered to Langfuse, delivered to
	// Instana after its outage (replayed from the spool), in the spool for
	// the gateway that refuses the credentials.
	for name, want := range map[string]string{"langfuse": "delivered", "instana": "delivered", "otlp": "in the spool"} {
		if st := b.text(`#delivery tr.delivery-row[data-name="` + name + `"] .badge`); st != want {
			t.Errorf("the GenAI trace's delivery to %s reads %q, want %q", name, st, want)
		}
	}
	if why := b.text(`#delivery tr.delivery-row[data-name="otlp"]`); !strings.Contains(why, "waiting on disk") {
		t.Errorf("the spooled trace's reason reads %q", why)
	}
	b.run(chromedp.Click(chromedp.CSS(`#waterfall .wf-row:nth-of-type(4)`)), chromedp.WaitVisible(chromedp.CSS(`#span-detail table.attributes`)))
	if title := b.text(`#span-detail h3`); title != "chat gpt-4o-mini" {
		t.Fatalf("clicked the first call, the panel shows %q", title)
	}
	attrs := b.text(`#span-detail table.attributes`)
	if !strings.Contains(attrs, "gen_ai.request.model") || !strings.Contains(attrs, "gpt-4o-mini") {
		t.Errorf("attributes panel: %q", attrs)
	}
	if user, assistant := b.text(`#span-detail .msg.user`), b.text(`#span-detail .msg.assistant`); !strings.Contains(user, "weather in Lyon") || !strings.Contains(assistant, "Sunny, 24 degrees.") {
		t.Errorf("messages: user %q, assistant %q", user, assistant)
	}
	if facts := b.text(`#span-detail table.facts`); !strings.Contains(facts, "900 in") || !strings.Contains(facts, "$") {
		t.Errorf("GenAI facts: %q", facts)
	}
	if sent := b.text(`#span-detail table.sent`); !strings.Contains(sent, "gen_ai.usage.total_tokens") {
		t.Errorf("what Instana was sent: %q", sent)
	}
	for _, w := range []int{1920, 1024, 360} {
		b.screenshot(fmt.Sprintf("diagnostics-trace-%d.png", w), w)
		if n := b.count(`#delivery .badge.delivered`) + b.count(`#delivery .badge.spooled`); n != 3 {
			t.Errorf("%d px: %d delivery states shown, want 3", w, n)
		}
		b.tablesReadable(fmt.Sprintf("trace at %d px", w))
		b.oneTimeFormat(fmt.Sprintf("trace at %d px", w))
	}

	// A trace Langfuse did not get: no GenAI span, GenAI traces only. Its
	// delivery says so, and the Langfuse tab shows no attributes as sent.
	b.run(chromedp.EmulateViewport(1024, 900), chromedp.Navigate(base+"#/trace/"+plain[3].String()),
		chromedp.WaitVisible(chromedp.CSS(`h2.trace-title[data-trace-id="`+plain[3].String()+`"]`)))
	if st := b.text(`#delivery tr.delivery-row[data-name="langfuse"]`); !strings.Contains(st, "filtered") || !strings.Contains(st, "LANGFUSE_EXPORT=llm") {
		t.Errorf("the plain trace's Langfuse delivery reads %q", st)
	}
	if st := b.text(`#delivery tr.delivery-row[data-name="instana"] .badge`); st != "delivered" {
		t.Errorf("the plain trace's Instana delivery reads %q, want delivered", st)
	}
	b.run(chromedp.Click(chromedp.CSS(`#waterfall .wf-row`)), chromedp.WaitVisible(chromedp.CSS(`#span-detail .tabs`)),
		chromedp.Click(chromedp.CSS(`#span-detail .tabs button[data-name="langfuse"]`)))
	if b.count(`#span-detail table.sent`) != 0 || !strings.Contains(b.text(`#span-detail .not-sent`), "not sent") {
		t.Errorf("the Langfuse tab of a filtered trace shows attributes as sent: %q", b.text(`#span-detail`))
	}
	for _, w := range []int{360, 1024, 1920} {
		b.screenshot(fmt.Sprintf("diagnostics-trace-filtered-%d.png", w), w)
	}

	// The overview at each width: every table readable, one time format,
	// the error once; at 360 px every destination's summary above the fold
	// of a phone (640 px).
	for _, w := range []int{360, 1024, 1920} {
		b.run(chromedp.EmulateViewport(int64(w), 900), chromedp.Navigate(base+"#/"), chromedp.WaitVisible(chromedp.CSS(`tr.destination`)))
		b.screenshot(fmt.Sprintf("diagnostics-overview-%d.png", w), w)
		checkOverview(w)
		b.tablesReadable(fmt.Sprintf("overview at %d px", w))
		b.oneTimeFormat(fmt.Sprintf("overview at %d px", w))
	}
	b.run(chromedp.EmulateViewport(360, 640), chromedp.Sleep(200*time.Millisecond))
	if below := evaluate[[]string](b, `Array.from(document.querySelectorAll("li.dest-summary")).filter(e => e.getBoundingClientRect().bottom > window.innerHeight).map(e => e.dataset.name)`); len(below) != 0 ||
		b.count(`li.dest-summary`) != 3 {
		t.Errorf("at 360×640 the summaries of %v are below the fold (%d summaries)", below, b.count(`li.dest-summary`))
	}
	b.run(chromedp.Navigate(base+"#/sessions"), chromedp.WaitVisible(chromedp.CSS(`tr.session-row`)))
	if s := b.text(`tr.session-row`); !strings.Contains(s, "session-77") {
		t.Errorf("sessions: %q", s)
	}
	b.tablesReadable("sessions at 360 px")
	b.oneTimeFormat("sessions at 360 px")
	b.run(chromedp.Navigate(base+"#/models"), chromedp.WaitVisible(chromedp.CSS(`tr.model-row`)))
	b.screenshot("diagnostics-models-360.png", 360)
	b.tablesReadable("models at 360 px")
	if n := outside.Load(); n != 0 {
		t.Errorf("the page made %d requests outside the diagnostics (a favicon?)", n)
	}

	// Without JavaScript the page still says where the JSON is.
	noJS, cancelNoJS := chromedp.NewContext(ctx) // a new tab of the same browser
	defer cancelNoJS()
	disableJS := chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	if err := chromedp.Do(noJS, chromedp.Navigate("about:blank"), disableJS, chromedp.Navigate(base), chromedp.WaitReady(chromedp.CSS(`footer`))); err != nil {
		t.Fatalf("browser without JS: %v", err)
	}
	nb := browser{t: t, ctx: noJS}
	if n := nb.count(`main noscript`); n != 1 || nb.count(`footer a`) < 8 {
		t.Errorf("without JavaScript: %d notices, %d JSON links", n, nb.count(`footer a`))
	}
}

// tablesReadable fails when a table of the view is wider than the space it
// has: a column cut off, to be scrolled to.
func (b browser) tablesReadable(where string) {
	b.t.Helper()
	wide := evaluate[[]string](b, `Array.from(document.querySelectorAll("#view table")).filter(t => t.getBoundingClientRect().width > 0 && t.scrollWidth > t.parentElement.clientWidth + 1).map(t => t.className + " " + t.scrollWidth + ">" + t.parentElement.clientWidth)`)
	if len(wide) > 0 {
		b.t.Errorf("%s: tables wider than their room: %v", where, wide)
	}
}

// oneTimeFormat fails when the page writes a time in another form than
// its own (HH:MM:SS, local): RFC 3339 or a 12-hour clock.
func (b browser) oneTimeFormat(where string) {
	b.t.Helper()
	other := evaluate[[]string](b, `(document.body.innerText.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{1,2}:\d{2}:\d{2}\s?[AP]M/g) || [])`)
	if len(other) > 0 {
		b.t.Errorf("%s: times in another format: %v", where, other)
	}
	if evaluate[int](b, `(document.body.innerText.match(/\b\d{2}:\d{2}:\d{2}\b/g) || []).length`) == 0 && !strings.HasPrefix(where, "models") {
		b.t.Errorf("%s: no time shown at all", where)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 15 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
