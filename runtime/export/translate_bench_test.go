package export

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"
)

// BenchmarkTranslate measures what the conventions setting and Instana's
// token names cost where a batch is encoded: one 512-span request of model
// calls with usage, encoded for Instana under each INSTANA_TOKEN_NAMES
// setting and under the v0.1.0 opt-in, against the generic destination's
// passthrough in the same run.
//
//	go test ./runtime/export -run '^$' -bench BenchmarkTranslate -benchmem -count 8 | tee translate.txt
//	benchstat -col /tr translate.txt
func BenchmarkTranslate(b *testing.B) {
	res := resource.NewWithAttributes("", attribute.String("service.name", "bench"))
	spans := recordSpans(b, res, func(tp trace.TracerProvider) {
		tr := tp.Tracer("bench")
		for i := range 512 {
			_, s := tr.Start(context.Background(), "chat gpt-4o-mini", trace.WithAttributes(
				append(benchAttributes(i), attribute.Int("gen_ai.usage.cache_creation.input_tokens", 100))...))
			s.End()
		}
	})
	for _, s := range spans {
		deriveFacts(s, s.Facts, nil)
	}
	for _, c := range []struct {
		name string
		tr   Translator
		conv Conventions
	}{
		{"passthrough", Passthrough{}, ConventionsV141},
		{"instana-conventions", InstanaTranslator{}, ConventionsV141},
		{"instana-legacy", InstanaTranslator{TokenNames: InstanaTokensLegacy}, ConventionsV141},
		{"instana-both", InstanaTranslator{TokenNames: InstanaTokensBoth}, ConventionsV141},
		{"instana-conventions-latest", InstanaTranslator{}, ConventionsLatest},
	} {
		b.Run("tr="+c.name, func(b *testing.B) {
			enc := newEncoder(c.tr, c.conv)
			b.ReportAllocs()
			for b.Loop() {
				b.SetBytes(int64(len(enc.Encode(spans))))
			}
		})
	}
}
