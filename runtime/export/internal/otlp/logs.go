package otlp

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// OTLP logs field numbers (opentelemetry-proto logs/v1). The request's
// outer layers have the trace request's numbers (resource_logs 1,
// scope_logs 2, log_records 2), so SplitRequest and CountSpans read a
// logs request too, counting its records.
const (
	fLReqResourceLogs  = 1
	fRLResource        = 1
	fRLScopeLogs       = 2
	fRLSchemaURL       = 3
	fSLScope           = 1
	fSLLogRecords      = 2
	fLogTime           = 1
	fLogSeverityNumber = 2
	fLogSeverityText   = 3
	fLogBody           = 5
	fLogAttributes     = 6
	fLogFlags          = 8
	fLogTraceID        = 9
	fLogSpanID         = 10
	fLogObservedTime   = 11
	fLogEventName      = 12
)

// SeverityInfo is the OTLP severity number of INFO.
const SeverityInfo = 9

// LogRecord is one OTLP log record to encode. An event (in the
// conventions' sense) is a record with an event name.
type LogRecord struct {
	Time, ObservedTime int64 // Unix nanoseconds
	Severity           uint64
	SeverityText       string
	// Body is written as a string value, omitted when empty.
	Body      string
	EventName string
	TraceID   trace.TraceID
	SpanID    trace.SpanID // zero: the record belongs to the trace, not a span
	Flags     trace.TraceFlags
	Attrs     []attribute.KeyValue
}

// Scope names the instrumentation scope of encoded records.
type Scope struct {
	Name, Version, SchemaURL string
}

// Logs writes records as an ExportLogsServiceRequest of one resource (its
// attributes as given, the destination's translation) and one scope.
func (e *Buf) Logs(resourceAttrs []attribute.KeyValue, resourceSchemaURL string, scope Scope, records []LogRecord) {
	rl := e.Begin(fLReqResourceLogs)
	r := e.Begin(fRLResource)
	e.Attrs(fResAttributes, resourceAttrs)
	e.End(r)
	sl := e.Begin(fRLScopeLogs)
	sc := e.Begin(fSLScope)
	e.String(fScopeName, scope.Name)
	e.String(fScopeVersion, scope.Version)
	e.End(sc)
	for i := range records {
		e.logRecord(&records[i])
	}
	e.String(fRLSchemaURL, scope.SchemaURL) // ScopeLogs.schema_url is field 3 as well
	e.End(sl)
	e.String(fRLSchemaURL, resourceSchemaURL)
	e.End(rl)
}

func (e *Buf) logRecord(r *LogRecord) {
	m := e.Begin(fSLLogRecords)
	e.Time(fLogTime, r.Time)
	if r.Severity != 0 {
		e.Varint(fLogSeverityNumber, r.Severity)
	}
	e.String(fLogSeverityText, r.SeverityText)
	if r.Body != "" {
		b := e.Begin(fLogBody)
		e.str(fAnyString, r.Body)
		e.End(b)
	}
	e.Attrs(fLogAttributes, r.Attrs)
	if r.Flags != 0 {
		e.Fixed32(fLogFlags, uint32(r.Flags))
	}
	if r.TraceID.IsValid() {
		e.Bytes(fLogTraceID, r.TraceID[:])
	}
	if r.SpanID.IsValid() {
		e.Bytes(fLogSpanID, r.SpanID[:])
	}
	e.Time(fLogObservedTime, r.ObservedTime)
	e.String(fLogEventName, r.EventName)
	e.End(m)
}
