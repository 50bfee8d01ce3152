package overload

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	goruntime "runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime"
)

// result is what a producer process reports.
type result struct {
	Made      int64            `json:"made"`
	CPUNanos  int64            `json:"cpu_ns"`
	MaxRSS    int64            `json:"max_rss_bytes"`
	Wall      time.Duration    `json:"wall_ns"`
	Produce   time.Duration    `json:"produce_ns"` // making the spans, Shutdown not included
	Dropped   map[string]int64 `json:"dropped,omitempty"`
	GenAIShed int64            `json:"genai_shed,omitempty"`
	// PeakBudget is the most genaitrace's memory budget held, PeakHeap the
	// most heap in use, both sampled every 10 ms.
	PeakBudget int64  `json:"peak_budget_bytes,omitempty"`
	PeakHeap   int64  `json:"peak_heap_bytes"`
	MadeGenAI  int64  `json:"made_genai"`
	Setup      string `json:"setup"`
	ShutdownMS int64  `json:"shutdown_ms"`
}

// The producer's settings, from its environment.
type workload struct {
	impl       string // none, sdk1, sdk2, genaitrace1, genaitrace2
	rate       int    // spans per second in all, 0: as fast as possible
	duration   time.Duration
	count      int // spans in all, made as fast as possible (duration unused), 0: for duration
	goroutines int
	genaiEvery int // every n-th span is a GenAI call, the rest plain HTTP spans
	// promptBytes, when set, gives each GenAI call a prompt of that many
	// bytes (content capture on).
	promptBytes int
	receivers   []string
}

func workloadFromEnv() workload {
	atoi := func(k string, def int) int {
		if n, err := strconv.Atoi(os.Getenv(k)); err == nil {
			return n
		}
		return def
	}
	d, _ := time.ParseDuration(os.Getenv("OVERLOAD_DURATION"))
	return workload{
		impl: os.Getenv("OVERLOAD_IMPL"), rate: atoi("OVERLOAD_RATE", 0), duration: d, count: atoi("OVERLOAD_COUNT", 0),
		goroutines: atoi("OVERLOAD_GOROUTINES", 1), genaiEvery: atoi("OVERLOAD_GENAI_EVERY", 1), promptBytes: atoi("OVERLOAD_PROMPT_BYTES", 0),
		receivers: []string{os.Getenv("OVERLOAD_RECEIVER1"), os.Getenv("OVERLOAD_RECEIVER2")},
	}
}

// producerMain is the application process.
func producerMain() int {
	w := workloadFromEnv()
	if path := os.Getenv("OVERLOAD_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	tp, shutdown, stats, budget, err := setup(w)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	start := time.Now()
	stopSampling := make(chan struct{})
	var peakBudget, peakHeap int64
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var ms goruntime.MemStats
		for {
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
			if budget != nil {
				peakBudget = max(peakBudget, budget())
			}
			goruntime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, int64(ms.HeapInuse))
		}
	}()
	if path := os.Getenv("OVERLOAD_HEAPPROFILE"); path != "" {
		time.AfterFunc(w.duration/2, func() {
			if f, err := os.Create(path); err == nil {
				_ = pprof.Lookup("heap").WriteTo(f, 0)
				_ = f.Close()
			}
		})
	}
	made, genai := produce(tp.Tracer("overload"), w)
	produced := time.Since(start)
	close(stopSampling)
	<-sampled
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_ = shutdown(ctx)
	res := result{Made: made, MadeGenAI: genai, Wall: time.Since(start), Produce: produced, ShutdownMS: time.Since(t0).Milliseconds(), Setup: w.impl,
		PeakBudget: peakBudget, PeakHeap: peakHeap}
	if stats != nil {
		res.Dropped, res.GenAIShed = stats()
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	res.CPUNanos = ru.Utime.Nano() + ru.Stime.Nano()
	res.MaxRSS = ru.Maxrss * 1024
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
	return 0
}

// setup builds the tracer provider of one implementation.
func setup(w workload) (trace.TracerProvider, func(context.Context) error, func() (map[string]int64, int64), func() int64, error) {
	switch w.impl {
	case "none":
		tp := sdktrace.NewTracerProvider()
		return tp, tp.Shutdown, nil, nil, nil
	case "sdk1", "sdk2":
		var opts []sdktrace.TracerProviderOption
		for _, url := range w.receivers[:map[string]int{"sdk1": 1, "sdk2": 2}[w.impl]] {
			exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(url+"/v1/traces"))
			if err != nil {
				return nil, nil, nil, nil, err
			}
			// A queue large enough to drop nothing: the baseline the
			// comparison asks for.
			opts = append(opts, sdktrace.WithBatcher(exp, sdktrace.WithMaxQueueSize(1<<16)))
		}
		tp := sdktrace.NewTracerProvider(opts...)
		return tp, tp.Shutdown, nil, nil, nil
	case "genaitrace1", "genaitrace2":
		opts := []runtime.Option{runtime.WithoutGlobal(), runtime.WithLogger(slog.New(slog.DiscardHandler)),
			runtime.WithSpoolDir(os.Getenv("OVERLOAD_SPOOL")), runtime.WithoutMetrics(),
			runtime.WithInstana(w.receivers[0], "")}
		if w.promptBytes > 0 {
			// Prompts recorded and sent, as the SDK's exporters send them.
			opts = append(opts, runtime.WithCaptureContent(true), runtime.WithInstanaContent(true))
		}
		if w.impl == "genaitrace2" {
			opts = append(opts, runtime.WithLangfuse(w.receivers[1], "pk-lf-overload", "sk-lf-overload"))
		}
		m, err := runtime.Configure(context.Background(), opts...)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		return m.TracerProvider(), m.Shutdown, func() (map[string]int64, int64) { return genaitraceDrops(m) },
			func() int64 { return m.PipelineStats().MemoryBytes }, nil
	}
	return nil, nil, nil, nil, fmt.Errorf("unknown implementation %q", w.impl)
}

func genaitraceDrops(m *runtime.Manager) (map[string]int64, int64) {
	p := m.PipelineStats()
	out := p.Shed
	for _, d := range m.Destinations() {
		for reason, n := range d.Dropped {
			out[d.Name+":"+reason] += n
		}
	}
	return out, p.Shed["shed_genai"]
}

// produce makes spans from w.goroutines goroutines for w.duration, at
// w.rate spans per second in all or as fast as they can (or w.count spans
// in all, as fast as they can: a batch job), and returns how many it made
// and how many of them were GenAI spans.
func produce(tr trace.Tracer, w workload) (made, genai int64) {
	callAttrs := genaiAttributes
	if w.promptBytes > 0 {
		callAttrs = trace.WithAttributes(append(slices.Clone(genaiAttributeList), attribute.String("gen_ai.input.messages", prompt(w.promptBytes)))...)
	}
	var wg sync.WaitGroup
	counts := make([][2]int64, w.goroutines)
	deadline := time.Now().Add(w.duration)
	for g := range w.goroutines {
		wg.Go(func() {
			perTick := 0 // spans per 10 ms
			if w.rate > 0 {
				perTick = max(w.rate/w.goroutines/100, 1)
			}
			next := time.Now()
			more := func(i int) bool { return time.Now().Before(deadline) }
			if w.count > 0 {
				more = func(i int) bool { return i < w.count/w.goroutines }
			}
			for i := 0; more(i); {
				n := 100
				if w.count > 0 {
					n = min(n, w.count/w.goroutines-i)
				}
				if perTick > 0 {
					time.Sleep(time.Until(next))
					next = next.Add(10 * time.Millisecond)
					n = perTick
				}
				for range n {
					counts[g][0]++
					if i%w.genaiEvery == 0 {
						counts[g][1]++
						_, s := tr.Start(context.Background(), "chat gpt-4o-mini", trace.WithSpanKind(trace.SpanKindClient), callAttrs)
						s.End()
					} else {
						_, s := tr.Start(context.Background(), "GET /api/items", trace.WithSpanKind(trace.SpanKindServer), httpAttributes)
						s.End()
					}
					i++
				}
			}
		})
	}
	wg.Wait()
	for _, c := range counts {
		made, genai = made+c[0], genai+c[1]
	}
	return made, genai
}

var genaiAttributeList = []attribute.KeyValue{
	attribute.String("gen_ai.operation.name", "chat"),
	attribute.String("gen_ai.provider.name", "openai"),
	attribute.String("gen_ai.request.model", "gpt-4o-mini"),
	attribute.Float64("gen_ai.request.temperature", 0.2),
	attribute.Int("gen_ai.request.max_tokens", 512),
	attribute.String("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
	attribute.String("gen_ai.response.id", "chatcmpl-123"),
	attribute.Int("gen_ai.usage.input_tokens", 1200),
	attribute.Int("gen_ai.usage.output_tokens", 300),
	attribute.StringSlice("gen_ai.response.finish_reasons", []string{"stop"}),
}

var genaiAttributes = trace.WithAttributes(genaiAttributeList...)

// prompt is a conversation's input messages (the conventions' JSON) of
// about n bytes.
func prompt(n int) string {
	const sentence = "Summarise the quarterly report for the board. "
	text := strings.Repeat(sentence, n/len(sentence)+1)[:n]
	return `[{"role":"user","parts":[{"type":"text","content":"` + text + `"}]}]`
}

var httpAttributes = trace.WithAttributes(
	attribute.String("http.request.method", "GET"),
	attribute.String("url.path", "/api/items"),
	attribute.String("http.route", "/api/items"),
	attribute.Int("http.response.status_code", 200),
	attribute.String("server.address", "api.internal"),
	attribute.String("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)"),
)
