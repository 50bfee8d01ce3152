package runtime

import (
	"context"
	"slices"
	"testing"
	"time"

	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"

	"github.com/genaitrace/genaitrace/internal/otlptest"
)

// findMetric returns the last received metric of that name, with its
// resource attributes.
func findMetric(rms []*metricspb.ResourceMetrics, name string) (*metricspb.Metric, map[string]any) {
	for i := len(rms) - 1; i >= 0; i-- {
		for _, sm := range rms[i].ScopeMetrics {
			for _, m := range sm.Metrics {
				if m.Name == name {
					return m, otlptest.KeyValues(rms[i].Resource.GetAttributes())
				}
			}
		}
	}
	return nil, nil
}

func TestMetricsReachMetricsCapableDestinations(t *testing.T) {
	clearEnv(t)
	instana, langfuse := otlptest.New(t), otlptest.New(t)
	m, _ := configure(t, WithInstana(instana.URL(), ""), WithLangfuse(langfuse.URL(), "pk", "sk"), WithMetricsInterval(50*time.Millisecond))
	emitAgentTrace(context.Background(), m.Tracer("t"))
	flush(t, m)

	var usage, duration, exported *metricspb.Metric
	var res map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		rms := instana.Metrics()
		usage, res = findMetric(rms, "gen_ai.client.token.usage")
		duration, _ = findMetric(rms, "gen_ai.client.operation.duration")
		exported, _ = findMetric(rms, "genaitrace.export.spans")
		if usage != nil && duration != nil && exported != nil && exportedValue(exported, "instana", "exported") == 4 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if usage == nil || duration == nil || exported == nil {
		t.Fatalf("metrics missing: usage %v, duration %v, pipeline %v", usage != nil, duration != nil, exported != nil)
	}
	if res["INSTANA_PLUGIN"] != "genai" {
		t.Errorf("metrics resource %v", res)
	}
	h := usage.GetHistogram()
	if usage.Unit != "{token}" || h.AggregationTemporality != metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE {
		t.Errorf("token usage: unit %q temporality %v", usage.Unit, h.AggregationTemporality)
	}
	byType := map[string]*metricspb.HistogramDataPoint{}
	for _, dp := range h.DataPoints {
		a := otlptest.KeyValues(dp.Attributes)
		if a["gen_ai.request.model"] == "gpt-4o" && a["gen_ai.system"] == "openai" && a["gen_ai.operation.name"] == "chat" {
			byType[a["gen_ai.token.type"].(string)] = dp
		}
	}
	in, out := byType["input"], byType["output"]
	if in == nil || out == nil || in.Sum == nil || *in.Sum != 1200 || *out.Sum != 300 || in.Count != 1 {
		t.Fatalf("token usage points: %v", h.DataPoints)
	}
	// The semconv v1.41 boundaries, spelled out rather than shared with the
	// code under test.
	if !slices.Equal(in.ExplicitBounds, []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}) {
		t.Errorf("token buckets %v", in.ExplicitBounds)
	}
	d := duration.GetHistogram()
	if duration.Unit != "s" || len(d.DataPoints) == 0 || !slices.Equal(d.DataPoints[0].ExplicitBounds, []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}) {
		t.Errorf("duration: unit %q points %v", duration.Unit, d.DataPoints)
	}
	var calls uint64
	sawError := false
	for _, dp := range d.DataPoints {
		calls += dp.Count
		if otlptest.KeyValues(dp.Attributes)["error.type"] == "rate_limit" {
			sawError = true
		}
	}
	if calls != 2 || !sawError {
		t.Errorf("duration: %d calls, error recorded %v", calls, sawError)
	}
	if v := exportedValue(exported, "instana", "exported"); v != 4 {
		t.Errorf("genaitrace.export.spans{instana,exported} = %d", v)
	}
	// Langfuse discards OTLP metrics: none are sent there.
	if n := len(langfuse.Metrics()); n != 0 {
		t.Errorf("%d metric requests to Langfuse", n)
	}
}

func exportedValue(m *metricspb.Metric, dest, result string) int64 {
	for _, dp := range m.GetSum().GetDataPoints() {
		a := otlptest.KeyValues(dp.Attributes)
		if a["destination"] == dest && a["result"] == result {
			return dp.GetAsInt()
		}
	}
	return -1
}
