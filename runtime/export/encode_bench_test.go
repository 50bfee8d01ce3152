package export

import (
	"bytes"
	stdgzip "compress/gzip"
	"context"
	goruntime "runtime"
	"strconv"
	"testing"

	"github.com/genaitrace/genaitrace/runtime/export/internal/otlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// BenchmarkEncode backs docs/architecture.md's claim that the hand-written
// OTLP encoder is there for speed: one 512-span request (ten GenAI-like
// attributes each), encoded by genaitrace's protowire encoder and by the
// official OTLP Go types, built from the same spans and marshalled with
// proto.Marshal as the SDK's otlptrace exporter does (its conversion is
// internal to it, so a minimal one is written here). The spans' facts are
// derived first, as the pipeline does before any destination sees them.
// allocs/span counts the encoder's allocations per span.
//
//	go test ./runtime/export -run '^$' -bench BenchmarkEncode -benchmem -count 8 | tee encode.txt
//	benchstat -col /impl encode.txt
func BenchmarkEncode(b *testing.B) {
	res := resource.NewWithAttributes("", attribute.String("service.name", "bench"), attribute.String("host.name", "h"))
	spans := recordSpans(b, res, func(tp trace.TracerProvider) {
		tr := tp.Tracer("bench")
		for i := range 512 {
			_, s := tr.Start(context.Background(), "chat gpt-4o-mini", trace.WithAttributes(benchAttributes(i)...))
			s.End()
		}
	})
	prepareSpans(spans)
	for _, c := range []struct {
		impl string
		tr   Translator
	}{{"genaitrace", Passthrough{}}, {"genaitrace-instana", InstanaTranslator{}}, {"genaitrace-langfuse", LangfuseTranslator{}}} {
		b.Run("impl="+c.impl, func(b *testing.B) {
			enc := newEncoder(c.tr, ConventionsV141)
			b.ReportAllocs()
			var m0, m1 goruntime.MemStats
			goruntime.ReadMemStats(&m0)
			for b.Loop() {
				b.SetBytes(int64(len(enc.Encode(spans))))
			}
			goruntime.ReadMemStats(&m1)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spans)), "ns/span")
			b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(b.N*len(spans)), "allocs/span")
		})
	}
	b.Run("impl=official-types", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, err := proto.Marshal(officialRequest(res, spans))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(out)))
		}
	})
}

func benchAttributes(i int) []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("gen_ai.provider.name", "openai"),
		attribute.String("gen_ai.request.model", "gpt-4o-mini"),
		attribute.Float64("gen_ai.request.temperature", 0.2),
		attribute.Int("gen_ai.request.max_tokens", 512),
		attribute.String("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
		attribute.String("gen_ai.response.id", "chatcmpl-"+strconv.Itoa(i)),
		attribute.Int("gen_ai.usage.input_tokens", 1200),
		attribute.Int("gen_ai.usage.output_tokens", 300),
		attribute.StringSlice("gen_ai.response.finish_reasons", []string{"stop"}),
	}
}

// officialRequest builds the request with the official OTLP types.
func officialRequest(res *resource.Resource, spans []*Span) *coltracepb.ExportTraceServiceRequest {
	pbSpans := make([]*tracepb.Span, len(spans))
	for i, s := range spans {
		sc, parent := s.SpanContext(), s.Parent()
		tid, sid := sc.TraceID(), sc.SpanID()
		ps := &tracepb.Span{
			TraceId: tid[:], SpanId: sid[:], Name: s.Name(),
			Kind:              tracepb.Span_SpanKind(s.SpanKind()),
			StartTimeUnixNano: uint64(s.StartTime().UnixNano()), EndTimeUnixNano: uint64(s.EndTime().UnixNano()),
			Attributes: officialAttrs(s.Attributes()),
			Status:     &tracepb.Status{Code: tracepb.Status_StatusCode(s.Status().Code), Message: s.Status().Description},
			Flags:      uint32(sc.TraceFlags()),
		}
		if parent.IsValid() {
			p := parent.SpanID()
			ps.ParentSpanId = p[:]
		}
		pbSpans[i] = ps
	}
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource:   &resourcepb.Resource{Attributes: officialAttrs(res.Attributes())},
		ScopeSpans: []*tracepb.ScopeSpans{{Scope: &commonpb.InstrumentationScope{Name: "bench"}, Spans: pbSpans}},
	}}}
}

func officialAttrs(kvs []attribute.KeyValue) []*commonpb.KeyValue {
	out := make([]*commonpb.KeyValue, len(kvs))
	for i, kv := range kvs {
		out[i] = &commonpb.KeyValue{Key: string(kv.Key), Value: officialValue(kv.Value)}
	}
	return out
}

func officialValue(v attribute.Value) *commonpb.AnyValue {
	switch v.Type() {
	case attribute.BOOL:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: v.AsBool()}}
	case attribute.INT64:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: v.AsInt64()}}
	case attribute.FLOAT64:
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: v.AsFloat64()}}
	case attribute.STRINGSLICE:
		vals := make([]*commonpb.AnyValue, 0, len(v.AsStringSlice()))
		for _, s := range v.AsStringSlice() {
			vals = append(vals, &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: s}})
		}
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: vals}}}
	}
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v.AsString()}}
}

// BenchmarkCompress is what gzip costs and saves (docs/benchmarks.md,
// "Compression"), and why compression uses klauspost/compress: one Instana
// and one Langfuse request of 512 spans gzipped at BestSpeed by the
// standard library and by klauspost/compress, which produce the same size.
//
//	go test ./runtime/export -run '^$' -bench BenchmarkCompress -benchmem -count 8 | tee gzip.txt
//	benchstat -col /impl gzip.txt
func BenchmarkCompress(b *testing.B) {
	res := resource.NewWithAttributes("", attribute.String("service.name", "bench"), attribute.String("host.name", "h"))
	spans := recordSpans(b, res, func(tp trace.TracerProvider) {
		tr := tp.Tracer("bench")
		for i := range 512 {
			_, s := tr.Start(context.Background(), "chat gpt-4o-mini", trace.WithAttributes(benchAttributes(i)...))
			s.End()
		}
	})
	facts := make([]Facts, len(spans))
	for i, s := range spans {
		deriveFacts(s, &facts[i], nil)
	}
	for _, dest := range []struct {
		name string
		tr   Translator
	}{{"instana", InstanaTranslator{}}, {"langfuse", LangfuseTranslator{}}} {
		raw := bytes.Clone(newEncoder(dest.tr, ConventionsV141).Encode(spans))
		report := func(b *testing.B, out int) {
			b.ReportMetric(float64(len(raw)), "raw-bytes")
			b.ReportMetric(float64(out), "gzip-bytes")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spans)), "ns/span")
		}
		b.Run("dest="+dest.name+"/impl=stdlib", func(b *testing.B) {
			var buf bytes.Buffer
			zw, _ := stdgzip.NewWriterLevel(&buf, stdgzip.BestSpeed)
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				buf.Reset()
				zw.Reset(&buf)
				_, _ = zw.Write(raw)
				_ = zw.Close()
			}
			report(b, buf.Len())
		})
		b.Run("dest="+dest.name+"/impl=klauspost", func(b *testing.B) {
			var z otlp.Compressor
			b.SetBytes(int64(len(raw)))
			var out []byte
			for b.Loop() {
				out = z.Compress(raw)
			}
			report(b, len(out))
		})
	}
}
