package wrapbench

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// handTraced is the instrumentation a careful engineer writes by hand
// against the OpenTelemetry API: the same span name, kind and attributes as
// the generated TracedClient, with the same nil checks.
type handTraced struct {
	inner  Client
	tracer trace.Tracer
}

func (h *handTraced) Complete(ctx context.Context, req *Request) (*Response, error) {
	model := ""
	if req != nil {
		model = req.Model
	}
	attrs := []attribute.KeyValue{genai.OperationName.String("chat"), genai.ProviderName.String("openai")}
	if req != nil {
		attrs = append(attrs, genai.RequestModel.String(req.Model), genai.RequestTemperature.Float64(req.Temperature),
			genai.RequestMaxTokens.Int(req.MaxTokens))
	}
	ctx, span := h.tracer.Start(ctx, genai.SpanName("chat", model), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	defer span.End()
	resp, err := h.inner.Complete(ctx, req)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
		span.SetAttributes(genai.ErrorType.String(genai.ErrorTypeOf(err, "")))
		return resp, err
	}
	if resp != nil {
		out := []attribute.KeyValue{genai.ResponseID.String(resp.ID), genai.ResponseModel.String(resp.Model)}
		if resp.Usage != nil {
			out = append(out, genai.UsageInputTokens.Int(resp.Usage.PromptTokens), genai.UsageOutputTokens.Int(resp.Usage.CompletionTokens))
		}
		if len(resp.Choices) > 0 {
			out = append(out, genai.ResponseFinishReasons.StringSlice([]string{resp.Choices[0].FinishReason}))
		}
		span.SetAttributes(out...)
	}
	return resp, nil
}

// handTuned is hand-written too, by someone who avoids growing slices:
// the attributes go into fixed-size arrays, as the generator does.
type handTuned struct {
	inner  Client
	tracer trace.Tracer
}

func (h *handTuned) Complete(ctx context.Context, req *Request) (*Response, error) {
	var attrs [5]attribute.KeyValue
	attrs[0], attrs[1] = genai.OperationName.String("chat"), genai.ProviderName.String("openai")
	n, model := 2, ""
	if req != nil {
		model = req.Model
		attrs[2], attrs[3], attrs[4] = genai.RequestModel.String(req.Model), genai.RequestTemperature.Float64(req.Temperature),
			genai.RequestMaxTokens.Int(req.MaxTokens)
		n = 5
	}
	ctx, span := h.tracer.Start(ctx, genai.SpanName("chat", model), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs[:n]...))
	defer span.End()
	resp, err := h.inner.Complete(ctx, req)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
		span.SetAttributes(genai.ErrorType.String(genai.ErrorTypeOf(err, "")))
		return resp, err
	}
	if resp != nil {
		var out [5]attribute.KeyValue
		out[0], out[1] = genai.ResponseID.String(resp.ID), genai.ResponseModel.String(resp.Model)
		k := 2
		if resp.Usage != nil {
			out[2], out[3] = genai.UsageInputTokens.Int(resp.Usage.PromptTokens), genai.UsageOutputTokens.Int(resp.Usage.CompletionTokens)
			k = 4
		}
		if len(resp.Choices) > 0 {
			out[k] = genai.ResponseFinishReasons.StringSlice([]string{resp.Choices[0].FinishReason})
			k++
		}
		span.SetAttributes(out[:k]...)
	}
	return resp, nil
}

type stub struct{ resp *Response }

func (s stub) Complete(context.Context, *Request) (*Response, error) { return s.resp, nil }

var (
	req  = &Request{Model: "gpt-4o-mini", Temperature: 0.2, MaxTokens: 256}
	resp = &Response{ID: "chatcmpl-1", Model: "gpt-4o-mini-2024-07-18", Usage: &Usage{PromptTokens: 1200, CompletionTokens: 300},
		Choices: []Choice{{FinishReason: "stop"}}}
)

// BenchmarkWrapper compares the generated wrapper with the hand-written
// instrumentation above, same attributes, in one run: with the SDK
// recording (sampled, no processor) and with tracing off (no-op provider).
//
//	go test ./internal/wrapbench -run '^$' -bench . -benchmem -count 10 | tee wrap.txt
//	benchstat -col /impl wrap.txt
func BenchmarkWrapper(b *testing.B) {
	providers := []struct {
		name string
		tp   trace.TracerProvider
	}{
		{"sdk", sdktrace.NewTracerProvider()},
		{"noop", noop.NewTracerProvider()},
	}
	for _, p := range providers {
		impls := []struct {
			name string
			c    Client
		}{
			{"generated", NewTracedClient(stub{resp}, genai.WithTracerProvider(p.tp))},
			{"handwritten", &handTraced{inner: stub{resp}, tracer: genai.NewTracer(genai.WithTracerProvider(p.tp))}},
			{"handwritten-tuned", &handTuned{inner: stub{resp}, tracer: genai.NewTracer(genai.WithTracerProvider(p.tp))}},
		}
		for _, impl := range impls {
			b.Run("provider="+p.name+"/impl="+impl.name, func(b *testing.B) {
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if _, err := impl.c.Complete(ctx, req); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestSameSpans keeps the comparison honest: both record the same span.
func TestSameSpans(t *testing.T) {
	rec := func(c func(trace.TracerProvider) Client) sdktrace.ReadOnlySpan {
		sr := newRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
		if _, err := c(tp).Complete(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		return sr.spans[0]
	}
	gen := rec(func(tp trace.TracerProvider) Client { return NewTracedClient(stub{resp}, genai.WithTracerProvider(tp)) })
	for _, hand := range []sdktrace.ReadOnlySpan{
		rec(func(tp trace.TracerProvider) Client {
			return &handTraced{inner: stub{resp}, tracer: genai.NewTracer(genai.WithTracerProvider(tp))}
		}),
		rec(func(tp trace.TracerProvider) Client {
			return &handTuned{inner: stub{resp}, tracer: genai.NewTracer(genai.WithTracerProvider(tp))}
		}),
	} {
		sameSpan(t, gen, hand)
	}
}

func sameSpan(t *testing.T, gen, hand sdktrace.ReadOnlySpan) {
	t.Helper()
	if gen.Name() != hand.Name() || gen.SpanKind() != hand.SpanKind() {
		t.Errorf("name/kind differ: %q %v vs %q %v", gen.Name(), gen.SpanKind(), hand.Name(), hand.SpanKind())
	}
	set := func(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
		m := map[attribute.Key]string{}
		for _, kv := range s.Attributes() {
			m[kv.Key] = kv.Value.String()
		}
		return m
	}
	g, h := set(gen), set(hand)
	if len(g) != 10 || len(g) != len(h) {
		t.Fatalf("attributes: generated %v, hand-written %v", g, h)
	}
	for k, v := range g {
		if h[k] != v {
			t.Errorf("%s: generated %q, hand-written %q", k, v, h[k])
		}
	}
}

type recorder struct{ spans []sdktrace.ReadOnlySpan }

func newRecorder() *recorder                                        { return &recorder{} }
func (r *recorder) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (r *recorder) OnEnd(s sdktrace.ReadOnlySpan)                   { r.spans = append(r.spans, s) }
func (r *recorder) Shutdown(context.Context) error                  { return nil }
func (r *recorder) ForceFlush(context.Context) error                { return nil }
