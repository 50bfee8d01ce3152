package otlptest

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"testing"
	"time"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/proto"
)

// LogRecord is one received log record with its context.
type LogRecord struct {
	*logspb.LogRecord
	Resource map[string]any
	Scope    string
	Path     string
}

// TraceID returns the record's trace ID in hex ("" without one).
func (l LogRecord) TraceID() string { return hex.EncodeToString(l.LogRecord.TraceId) }

// SpanID returns the record's span ID in hex ("" without one).
func (l LogRecord) SpanID() string { return hex.EncodeToString(l.LogRecord.SpanId) }

// Attrs returns the record's attributes as Go values.
func (l LogRecord) Attrs() map[string]any { return KeyValues(l.LogRecord.Attributes) }

// decodeLogs decodes an ExportLogsServiceRequest (OTLP/HTTP protobuf, at
// /v1/logs), checking the trace and span IDs have their lengths.
func decodeLogs(req *http.Request) ([]LogRecord, error) {
	raw, err := protobufBody(req)
	if err != nil {
		return nil, err
	}
	var msg collogspb.ExportLogsServiceRequest
	if err := proto.Unmarshal(raw, &msg); err != nil {
		return nil, err
	}
	var out []LogRecord
	for _, rl := range msg.ResourceLogs {
		res := KeyValues(rl.GetResource().GetAttributes())
		for _, sl := range rl.ScopeLogs {
			for _, lr := range sl.LogRecords {
				if n := len(lr.TraceId); n != 0 && n != 16 {
					return nil, fmt.Errorf("log record with a trace id of %d bytes", n)
				}
				if n := len(lr.SpanId); n != 0 && n != 8 {
					return nil, fmt.Errorf("log record with a span id of %d bytes", n)
				}
				out = append(out, LogRecord{LogRecord: lr, Resource: res, Scope: sl.GetScope().GetName(), Path: req.URL.Path})
			}
		}
	}
	return out, nil
}

// Logs returns every log record received on /v1/logs, duplicates
// included.
func (r *Receiver) Logs() []LogRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]LogRecord(nil), r.logs...)
}

// WaitLogs waits until at least n log records arrived, failing the test
// after timeout.
func (r *Receiver) WaitLogs(t testing.TB, n int, timeout time.Duration) []LogRecord {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if logs := r.Logs(); len(logs) >= n {
			return logs
		}
		select {
		case <-r.arrived:
		case <-time.After(20 * time.Millisecond):
		case <-deadline.C:
			t.Fatalf("receiver %s: %d log records after %v, want %d", r.URL(), len(r.Logs()), timeout, n)
		}
	}
}
