package runtime

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/genaitrace/genaitrace/runtime/export"
)

// allEnv lists every variable Configure reads, so tests start clean.
var allEnv = []string{
	envServiceName, envServiceVersion, envEnvironment, envResourceAttributes, envSampleRate, envSampleKeep, envContentSampleRate, envSemconvOptIn, envOTLPCompression, envOTLPTracesCompress, envInstanaCompression, envLangfuseCompress,
	envInstanaEnabled, envInstanaEndpoint, envInstanaAPIKey, envInstanaHost, envInstanaVerify, envInstanaCA, envInstanaContent, envInstanaTokens,
	envLangfuseEnabled, envLangfuseEnabledAlias, envLangfuseEndpoint, envLangfusePublicKey, envLangfuseSecretKey,
	envLangfuseVerify, envLangfuseCA, envLangfuseCost, envLangfuseBaseURL, envLangfuseHost, envLangfuseExport, envLangfuseReadBack, envLangfuseKeepParent, envLangfuseReplayChecks, envOTLPContent, envMaskSecrets,
	envOTLPEndpoint, envOTLPTracesEndpoint, envOTLPMetrics, envOTLPHeaders, envOTLPCertificate, envOTLPInsecure,
	envConsole, envSpool, envSpoolDir, envSpoolMaxBytes, envDurability, envQueueMaxBytes, envMemoryMaxBytes, envMaxInFlight,
	envBreakerFails, envBreakerOpen, envBreakerMaxOpen, envPricesFile,
	"TELEMETRY_CAPTURE_CONTENT", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
	envScores, envLangfuseScoresPerMin, envOTLPLogsEndpoint,
	envDiagnosticsToken, envDiagnosticsContent, envDiagnosticsMaxBytes, envMetrics, envMetricsInterval,
}

func clearEnv(t *testing.T) {
	t.Helper()
	for _, name := range allEnv {
		t.Setenv(name, "")
	}
}

// logBuffer collects log output for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// configure starts a Manager for a test, with fast batching and a private
// spool, and shuts it down when the test ends.
func configure(t *testing.T, opts ...Option) (*Manager, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	base := []Option{
		WithoutGlobal(),
		WithLogger(logs.logger()),
		WithSpoolDir(t.TempDir()),
		WithBatchTimeout(20 * time.Millisecond),
		WithPollInterval(20 * time.Millisecond),
		WithRetry(export.RetryPolicy{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond}),
		// Most tests are about delivery: every trace goes to Langfuse (the
		// LLM-only gate has tests of its own, which ask for it).
		WithLangfuseExport(LangfuseExportAll),
	}
	m, err := Configure(context.Background(), append(base, opts...)...)
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.Shutdown(ctx)
	})
	return m, logs
}

func flush(t *testing.T, m *Manager) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

type attributeKV = attribute.KeyValue

func attrString(k, v string) attribute.KeyValue { return attribute.String(k, v) }
