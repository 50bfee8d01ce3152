package otlp

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of a Span the references are read from.
const (
	fSpanSpanID = 2
	fSpanStart  = 7
)

// SpanRef names one span of an encoded request: its trace and span IDs
// and its start time, what a destination indexes a stored span by.
type SpanRef struct {
	TraceID trace.TraceID
	SpanID  trace.SpanID
	Start   time.Time
}

// SpanRefs lists the spans of an encoded request, in the order KeepSpans
// takes. A span whose IDs are missing or malformed, or whose message cannot
// be read, has zero IDs. It fails where CountSpans does.
func SpanRefs(b []byte) ([]SpanRef, error) {
	spans, err := parseRequest(b)
	if err != nil {
		return nil, err
	}
	refs := make([]SpanRef, len(spans))
	for i, s := range spans {
		r := &refs[i]
		err := forEachField(s.span, func(n protowire.Number, t protowire.Type, v []byte) error {
			switch {
			case n == fSpanTraceID && t == protowire.BytesType && len(v) == len(r.TraceID):
				r.TraceID = trace.TraceID(v)
			case n == fSpanSpanID && t == protowire.BytesType && len(v) == len(r.SpanID):
				r.SpanID = trace.SpanID(v)
			case n == fSpanStart && t == protowire.Fixed64Type && len(v) == 8:
				r.Start = time.Unix(0, int64(binary.LittleEndian.Uint64(v)))
			}
			return nil
		})
		if err != nil {
			*r = SpanRef{} // a span that is not protobuf: nothing can be known of it
		}
	}
	return refs, nil
}

// KeepSpans rebuilds an encoded request with the spans keep marks (by
// their index in SpanRefs' order) and returns it with their count. It
// fails when keep does not have one entry per span.
func KeepSpans(b []byte, keep []bool) ([]byte, int, error) {
	spans, err := parseRequest(b)
	if err != nil {
		return nil, 0, err
	}
	if len(keep) != len(spans) {
		return nil, 0, fmt.Errorf("%d marks for a request of %d spans", len(keep), len(spans))
	}
	kept := spans[:0:0]
	for i, s := range spans {
		if keep[i] {
			kept = append(kept, s)
		}
	}
	return buildRequest(kept), len(kept), nil
}
