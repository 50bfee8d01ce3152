package overload

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	switch os.Getenv("OVERLOAD_ROLE") {
	case "receiver":
		os.Exit(receiverMain())
	case "producer":
		os.Exit(producerMain())
	}
	os.Exit(m.Run())
}

// A scenario is a workload; each implementation runs it in its own
// process.
type scenario struct {
	name       string
	rate       int
	duration   time.Duration
	count      int
	goroutines int
	genaiEvery int
	// promptBytes, when set, gives every GenAI call a prompt of that many
	// bytes, recorded (content capture on) and sent.
	promptBytes int
}

var scenarios = []scenario{
	// A steady load every implementation keeps up with: CPU per span.
	{name: "steady-20k", rate: 20_000, duration: 5 * time.Second, goroutines: 4, genaiEvery: 1},
	// Eight goroutines as fast as they can, every span a GenAI call.
	{name: "burst", duration: 10 * time.Second, goroutines: 8, genaiEvery: 1},
	// The same, one span in ten a GenAI call, the rest plain HTTP spans.
	{name: "burst-mixed", duration: 10 * time.Second, goroutines: 8, genaiEvery: 10},
	// A batch job: 50,000 GenAI spans from one goroutine in a tight loop,
	// then Shutdown.
	{name: "batch-50k", count: 50_000, goroutines: 1, genaiEvery: 1},
	// Eight goroutines as fast as they can, one span in seven a GenAI call
	// with a 2 KiB prompt (issue 24).
	{name: "burst-prompts", duration: 10 * time.Second, goroutines: 8, genaiEvery: 7, promptBytes: 2 << 10},
}

var impls = []string{"none", "sdk1", "sdk2", "genaitrace1", "genaitrace2"}

// BenchmarkOverload runs each scenario with each implementation in a
// fresh process, receivers in two other processes, and reports the
// producer's CPU per span, its peak RSS, the share of spans each receiver
// got, and what genaitrace shed. One iteration is one process run.
//
//	cd tools/overload
//	go test -run '^$' -bench 'BenchmarkOverload/scenario=steady-20k' -benchtime 1x -count 5 | tee steady.txt
//	benchstat -col /impl steady.txt
func BenchmarkOverload(b *testing.B) {
	r1, r2 := startReceiver(b), startReceiver(b)
	for _, sc := range scenarios {
		for _, impl := range impls {
			b.Run("scenario="+sc.name+"/impl="+impl, func(b *testing.B) {
				var cpu, rss, heap, budget, made, got1, got2, produce, madeGenAI, genai1, genai2 float64
				for b.Loop() {
					before1, before2 := r1.count(b), r2.count(b)
					res := runProducer(b, sc, impl, r1.url, r2.url)
					after1, after2 := r1.count(b), r2.count(b)
					madeGenAI += float64(res.MadeGenAI)
					genai1 += float64(after1.genai - before1.genai)
					genai2 += float64(after2.genai - before2.genai)
					cpu += float64(res.CPUNanos) / float64(res.Made)
					rss = max(rss, float64(res.MaxRSS)/(1<<20))
					heap = max(heap, float64(res.PeakHeap)/(1<<20))
					budget = max(budget, float64(res.PeakBudget)/(1<<20))
					made += float64(res.Made)
					produce += res.Produce.Seconds()
					got1 += float64(after1.spans - before1.spans)
					got2 += float64(after2.spans - before2.spans)
					for reason, n := range res.Dropped {
						b.Logf("%s dropped %d (%s)", impl, n, reason)
					}
				}
				n := float64(b.N)
				b.ReportMetric(0, "ns/op")
				b.ReportMetric(cpu/n, "cpu-ns/span")
				b.ReportMetric(rss, "peak-rss-MiB")
				b.ReportMetric(heap, "peak-heap-MiB")
				if strings.HasPrefix(impl, "genaitrace") {
					b.ReportMetric(budget, "peak-budget-MiB")
				}
				b.ReportMetric(made/produce, "spans/s")
				if impl != "none" {
					b.ReportMetric(100*got1/made, "delivered-1-%")
				}
				if impl == "sdk2" || impl == "genaitrace2" {
					b.ReportMetric(100*got2/made, "delivered-2-%")
				}
				if sc.genaiEvery > 1 && impl != "none" {
					b.ReportMetric(100*genai1/madeGenAI, "genai-delivered-1-%")
					if impl == "sdk2" || impl == "genaitrace2" {
						b.ReportMetric(100*genai2/madeGenAI, "genai-delivered-2-%")
					}
				}
			})
		}
	}
}

// BenchmarkSteadyRates finds the highest steady rate at which both
// receivers get every span, for the SDK with two exporters and genaitrace
// with two destinations: the same workload as steady-20k at rising rates.
// A rate is sustained when delivered-1-% and delivered-2-% are 100 and
// nothing was shed.
//
//	cd tools/overload
//	go test -run '^$' -bench BenchmarkSteadyRates -benchtime 1x -count 3 | tee rates.txt
//	benchstat -col /impl -row /rate rates.txt
func BenchmarkSteadyRates(b *testing.B) {
	r1, r2 := startReceiver(b), startReceiver(b)
	for _, rate := range []int{40_000, 60_000, 80_000, 100_000, 120_000, 140_000} {
		sc := scenario{name: "steady", rate: rate, duration: 5 * time.Second, goroutines: 4, genaiEvery: 1}
		for _, impl := range []string{"sdk2", "genaitrace2"} {
			b.Run("rate="+strconv.Itoa(rate/1000)+"k/impl="+impl, func(b *testing.B) {
				var made, got1, got2, shed float64
				for b.Loop() {
					before1, before2 := r1.count(b), r2.count(b)
					res := runProducer(b, sc, impl, r1.url, r2.url)
					made += float64(res.Made)
					got1 += float64(r1.count(b).spans - before1.spans)
					got2 += float64(r2.count(b).spans - before2.spans)
					for _, n := range res.Dropped {
						shed += float64(n)
					}
				}
				b.ReportMetric(0, "ns/op")
				b.ReportMetric(made/float64(b.N)/sc.duration.Seconds(), "spans/s")
				b.ReportMetric(100*got1/made, "delivered-1-%")
				b.ReportMetric(100*got2/made, "delivered-2-%")
				b.ReportMetric(shed/float64(b.N), "shed")
			})
		}
	}
}

type receiver struct {
	url string
	in  io.WriteCloser
}

func startReceiver(b *testing.B) *receiver {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OVERLOAD_ROLE=receiver")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = in.Close(); _ = cmd.Wait() })
	return &receiver{url: strings.TrimSpace(line), in: in}
}

// counts are what a receiver got: spans, and GenAI calls among them.
type counts struct{ spans, genai int64 }

func (r *receiver) count(b *testing.B) counts {
	b.Helper()
	resp, err := http.Get(r.url + "/count")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var c map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		b.Fatal(err)
	}
	return counts{c["spans"], c["genai"]}
}

func runProducer(b *testing.B, sc scenario, impl, url1, url2 string) result {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OVERLOAD_ROLE=producer", "OVERLOAD_IMPL="+impl,
		"OVERLOAD_RATE="+strconv.Itoa(sc.rate), "OVERLOAD_DURATION="+sc.duration.String(), "OVERLOAD_COUNT="+strconv.Itoa(sc.count),
		"OVERLOAD_GOROUTINES="+strconv.Itoa(sc.goroutines), "OVERLOAD_GENAI_EVERY="+strconv.Itoa(sc.genaiEvery),
		"OVERLOAD_PROMPT_BYTES="+strconv.Itoa(sc.promptBytes),
		"OVERLOAD_RECEIVER1="+url1, "OVERLOAD_RECEIVER2="+url2, "OVERLOAD_SPOOL="+b.TempDir())
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("%s: %v: %s", impl, err, out)
	}
	var res result
	if err := json.Unmarshal(out, &res); err != nil {
		b.Fatalf("%s: %s", impl, out)
	}
	return res
}
