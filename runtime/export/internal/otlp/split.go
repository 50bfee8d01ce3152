package otlp

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of trace/v1 the splitter walks.
const (
	fReqResourceSpans = 1
	fRSScopeSpans     = 2
	fSSSpans          = 2
	fSpanTraceID      = 1
)

// errMalformed reports an encoded request that is not valid OTLP protobuf.
var errMalformed = errors.New("malformed OTLP trace request")

// encodedSpan locates one span inside an encoded request, with the encoded
// resource and scope it belongs to, so requests can be split and rebuilt
// without decoding spans.
type encodedSpan struct {
	resource []byte // ResourceSpans fields other than scope_spans
	scope    []byte // ScopeSpans fields other than spans
	span     []byte // the Span message body
}

// parseRequest lists the spans of an encoded ExportTraceServiceRequest.
func parseRequest(b []byte) ([]encodedSpan, error) {
	var out []encodedSpan
	err := forEachField(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != fReqResourceSpans || typ != protowire.BytesType {
			return nil
		}
		var resource []byte
		var scopes [][]byte
		err := forEachField(v, func(n protowire.Number, t protowire.Type, f []byte) error {
			if n == fRSScopeSpans && t == protowire.BytesType {
				scopes = append(scopes, f)
				return nil
			}
			resource = appendRawField(resource, n, t, f)
			return nil
		})
		if err != nil {
			return err
		}
		for _, ss := range scopes {
			var scope []byte
			var spans [][]byte
			err := forEachField(ss, func(n protowire.Number, t protowire.Type, f []byte) error {
				if n == fSSSpans && t == protowire.BytesType {
					spans = append(spans, f)
					return nil
				}
				scope = appendRawField(scope, n, t, f)
				return nil
			})
			if err != nil {
				return err
			}
			for _, sp := range spans {
				out = append(out, encodedSpan{resource: resource, scope: scope, span: sp})
			}
		}
		return nil
	})
	return out, err
}

// buildRequest encodes spans (from parseRequest) back into a request,
// grouping consecutive spans that share a resource and scope.
func buildRequest(spans []encodedSpan) []byte {
	var e Buf
	for i := 0; i < len(spans); {
		rs := e.Begin(fReqResourceSpans)
		e.Raw(spans[i].resource)
		res := spans[i].resource
		for i < len(spans) && sameBytes(spans[i].resource, res) {
			ss := e.Begin(fRSScopeSpans)
			e.Raw(spans[i].scope)
			scope := spans[i].scope
			for ; i < len(spans) && sameBytes(spans[i].resource, res) && sameBytes(spans[i].scope, scope); i++ {
				sp := e.Begin(fSSSpans)
				e.Raw(spans[i].span)
				e.End(sp)
			}
			e.End(ss)
		}
		e.End(rs)
	}
	return e.B
}

func sameBytes(a, b []byte) bool { return string(a) == string(b) }

// SplitRequest splits an encoded request into two holding about half of
// its spans each, for a destination that answered 413. It fails when the
// request holds fewer than two spans.
func SplitRequest(b []byte) (left, right []byte, err error) {
	spans, err := parseRequest(b)
	if err != nil {
		return nil, nil, err
	}
	if len(spans) < 2 {
		return nil, nil, fmt.Errorf("cannot split a request of %d span(s)", len(spans))
	}
	half := len(spans) / 2
	return buildRequest(spans[:half]), buildRequest(spans[half:]), nil
}

// CountSpans counts the spans of an encoded request.
func CountSpans(b []byte) (int, error) {
	spans, err := parseRequest(b)
	return len(spans), err
}

func forEachField(b []byte, fn func(protowire.Number, protowire.Type, []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errMalformed
		}
		b = b[n:]
		var v []byte
		switch typ {
		case protowire.BytesType:
			val, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return errMalformed
			}
			v, n = val, m
		default:
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return errMalformed
			}
			v, n = b[:m], m
		}
		if err := fn(num, typ, v); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// appendRawField re-encodes one field as forEachField delivered it.
func appendRawField(b []byte, num protowire.Number, typ protowire.Type, v []byte) []byte {
	b = protowire.AppendTag(b, num, typ)
	if typ == protowire.BytesType {
		return protowire.AppendBytes(b, v)
	}
	return append(b, v...)
}

// TraceIDs returns the trace IDs of the spans of an encoded request, each
// once, in order of first appearance; nil when it cannot be parsed.
func TraceIDs(b []byte) []trace.TraceID {
	spans, err := parseRequest(b)
	if err != nil {
		return nil
	}
	var out []trace.TraceID
	seen := map[trace.TraceID]bool{}
	for _, s := range spans {
		_ = forEachField(s.span, func(n protowire.Number, t protowire.Type, v []byte) error {
			if n == fSpanTraceID && t == protowire.BytesType && len(v) == len(trace.TraceID{}) {
				tid := trace.TraceID(v)
				if !seen[tid] {
					seen[tid] = true
					out = append(out, tid)
				}
			}
			return nil
		})
	}
	return out
}
