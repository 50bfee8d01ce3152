package export

import (
	"cmp"
	"maps"
	"slices"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/internal/textcut"
	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
	"github.com/genaitrace/genaitrace/runtime/export/internal/langfuse"
	"github.com/genaitrace/genaitrace/runtime/export/internal/mask"
	"github.com/genaitrace/genaitrace/runtime/export/internal/messages"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/internal/vocab"
)

// LangfuseCost chooses who prices GenAI calls for Langfuse.
type LangfuseCost int

const (
	// CostByLangfuse leaves pricing to Langfuse's own model table (the
	// default): costs then match Langfuse's UI, its tiered prices and the
	// prices a project configured there.
	CostByLangfuse LangfuseCost = iota
	// CostByGenaitrace sends genaitrace's estimate as cost details; Langfuse
	// then computes nothing. Use it for models Langfuse does not know.
	CostByGenaitrace
)

// String returns LANGFUSE_COST's word for c: "langfuse" or "genaitrace".
func (c LangfuseCost) String() string {
	if c == CostByGenaitrace {
		return "genaitrace"
	}
	return "langfuse"
}

// LangfuseTranslator writes spans as Langfuse's OTLP ingestion (v4) reads
// them: an observation type on every span; input, output, model parameters,
// usage (as exclusive buckets) and cost as JSON strings; ERROR level and
// status message on failures; and the trace-level attributes (name, user,
// session, tags, metadata, release, environment) copied onto every span,
// because Langfuse v4 stores them per observation.
type LangfuseTranslator struct {
	// Content sends inputs, outputs and every other content attribute
	// (genaitrace's own and other instrumentation's). Without it none of
	// them leaves the process: no observation or trace input and output,
	// no raw genkit:input, input.value or gen_ai.prompt.
	Content     bool
	Cost        LangfuseCost
	Release     string
	Environment string
	// ContentLimit caps input and output in bytes (0: 1 MiB).
	ContentLimit int
	// KeepRemoteParent sends a local root whose parent is remote (a
	// request with a traceparent) with that parent, for callers that
	// export to the same Langfuse project. Without it the root is sent as
	// the trace's root, its parent kept as genaitrace.parent_span_id:
	// Langfuse takes a trace's input and output only from an observation
	// without a parent, and never receives a caller it is not sent.
	KeepRemoteParent bool
}

// Resource returns r's attributes unchanged.
func (LangfuseTranslator) Resource(r *resource.Resource) []attribute.KeyValue { return r.Attributes() }

// Attributes appends the Langfuse form of s.
func (t LangfuseTranslator) Attributes(dst []attribute.KeyValue, s *Span) []attribute.KeyValue {
	limit := t.ContentLimit
	if limit == 0 {
		limit = 1 << 20
	}
	var params langfuse.ModelParams
	var input, output, system string
	hasType, usageNames := false, false
	f := s.Facts
	for i, kv := range s.Attributes() {
		switch {
		case !t.Content && s.isContentAt(i, kv):
			// Nothing of the content leaves the process.
		case s.norm.Replaced(kv.Key):
			// Another dialect's name for what a derived attribute carries:
			// Langfuse would read both.
		case f.HasUsage && langfuse.IsTotalKey(kv.Key):
			// usage_details has the total.
		case kv.Key == genai.InputMessages || kv.Key == genai.ToolCallArguments:
			input = kv.Value.String()
		case kv.Key == genai.SystemInstructions:
			system = kv.Value.String()
		case kv.Key == genai.OutputMessages || kv.Key == genai.ToolCallResult:
			output = kv.Value.String()
		case kv.Key == genai.CompletionStartTime:
			dst = append(dst, vocab.LangfuseCompletionStartTime.String(kv.Value.AsString()))
		case kv.Key == genai.TraceInput || kv.Key == genai.TraceOutput:
			// The trace's own input and output: placed on its root below.
		case langfuse.IsUsageKey(kv.Key):
		case kv.Key == vocab.GenAIPromptName || kv.Key == vocab.GenAIPromptVersion:
			// Langfuse reads every gen_ai.prompt* key as OpenLLMetry's
			// flattened prompt, the observation's input (langfuse/langfuse
			// OtelIngestionProcessor.ts at 62751446149b702b419a9292ddfc2280cdf74b8c,
			// extractInputAndOutput): the conventions' versioned prompt
			// goes to its metadata.
			dst = append(dst, attribute.KeyValue{Key: attribute.Key(vocab.LangfuseObservationMetadataPrefix + string(kv.Key)), Value: kv.Value})
		default:
			if name := langfuse.ModelParam(kv.Key); name != "" {
				params.Set(name, kv.Value)
				continue
			}
			hasType = hasType || kv.Key == vocab.LangfuseObservationType
			usageNames = usageNames || langfuse.IsUsageName(kv.Key)
			dst = append(dst, kv)
		}
	}
	if typ := langfuse.ObservationType(f.Operation, f.ToolName, f.RequestModel != "" || f.ResponseModel != ""); !hasType && (typ != "span" || s.norm == nil) {
		// A span of another dialect that genaitrace maps to no GenAI
		// operation (an OpenInference guardrail, a Genkit util) is typed by
		// Langfuse's own mapping, which reads the dialects.
		dst = append(dst, vocab.LangfuseObservationType.String(typ))
	}
	if t.Content {
		// The span's own input and output (a flow's, an agent's) win over
		// what would be derived for it.
		ownIn, ownOut := s.norm.OwnIO()
		input, output = cmp.Or(ownIn, messages.WithInstructions(input, system)), cmp.Or(ownOut, output)
	}
	if s.IsLocalRoot() {
		if t.detachesParent(s) {
			psid := s.Parent().SpanID()
			dst = append(dst, vocab.LangfuseIsAppRoot.Bool(true), vocab.ParentSpanID.String(psid.String()))
		}
		if t.Content {
			var traceIn, traceOut string
			dst, traceIn, traceOut = t.appendTraceIO(dst, s, input, output)
			// The root's observation shows the trace's input and output
			// unless it has its own: Langfuse's trace view reads the root's.
			input, output = cmp.Or(input, traceIn), cmp.Or(output, traceOut)
		}
	}
	if input != "" {
		dst = append(dst, vocab.LangfuseObservationInput.String(textcut.Content(input, limit)))
	}
	if output != "" {
		dst = append(dst, vocab.LangfuseObservationOutput.String(textcut.Content(output, limit)))
	}
	if !params.Empty() || f.IsModelCall() {
		// Sent even when empty: without it Langfuse shows every
		// gen_ai.request.* attribute as a parameter ({stream: "true"}).
		dst = append(dst, vocab.LangfuseModelParameters.String(params.JSON()))
	}
	switch {
	case f.HasUsage && f.IsModelCall():
		dst = append(dst, vocab.LangfuseUsageDetails.String(langfuse.UsageDetails(f.Usage)))
		if t.Cost == CostByGenaitrace && f.HasCost {
			dst = append(dst, vocab.LangfuseCostDetails.String(langfuse.CostDetails(f.Cost, f.Usage)))
		}
	case f.IsModelCall() && f.Error:
		// A failed call that reported no usage. Langfuse v4 counts the
		// tokens of a generation sent without usage itself and prices
		// them, failed or not (its ingestion passes no level to the
		// tokenizer's "skip if ERROR" guard: createEventRecord and
		// getUsageUnits in worker/src/services/IngestionService/index.ts,
		// langfuse/langfuse at 62751446), where genaitrace counts nothing.
		// Integer zeros are usage it takes as given; "{}" is none. A stream
		// cut short keeps what its chunks counted (the case above).
		dst = append(dst, vocab.LangfuseUsageDetails.String(langfuse.UsageDetails(f.Usage)))
	case !f.IsModelCall() && (usageNames || s.norm.RepeatsUsage() || f.HasUsage):
		// Counts on a span that calls no model are its children's (a
		// Genkit generate span's output, LangSmith's copy onto the
		// caller's span, an agent's totals): Langfuse would add them to
		// the trace's usage a second time. An empty usage_details keeps it
		// from reading them.
		dst = append(dst, vocab.LangfuseUsageDetails.String("{}"))
	}
	if f.Error {
		dst = append(dst, vocab.LangfuseObservationLevel.String("ERROR"))
		if msg := mask.ErrorText(s.norm.ErrorsEchoContent(), t.Content, s.Status().Description); msg != "" {
			dst = append(dst, vocab.LangfuseStatusMessage.String(msg))
		}
	}
	return t.appendTraceAttributes(dst, s)
}

// detachesParent reports whether s is sent without its parent: a local
// root whose parent is remote, unless the caller is in Langfuse too. The
// trace aggregation of Langfuse v4 takes a trace's input, output and
// metadata only from a row whose parent_span_id is empty (the argMaxIf
// columns of
// packages/shared/src/server/queries/clickhouse-sql/event-query-builder.ts,
// langfuse/langfuse at 62751446; is_app_root is not considered there).
func (t LangfuseTranslator) detachesParent(s *Span) bool {
	return !t.KeepRemoteParent && s.Parent().IsRemote()
}

// events drops the message events another instrumentation wrote once they
// were turned into the observation's input and output (Langfuse would
// read them as well), and their content unless Langfuse takes content.
func (t LangfuseTranslator) events(s *Span) []sdktrace.Event {
	events := s.Events()
	if s.norm.EventsConverted() {
		events = slices.DeleteFunc(slices.Clone(events), func(e sdktrace.Event) bool { return dialect.IsMessageEvent(e.Name) })
	}
	return mask.ContentEvents(events, t.Content)
}

func (t LangfuseTranslator) takesContent() bool { return t.Content }

// appendTraceIO gives the trace's local root the trace's input and
// output, which Langfuse's trace list and trace-level evaluators read: the
// application's own (genai.SetTraceInput/Output), else the root's own
// input and output, else those its outermost flow, agent or chain
// recorded of itself, else its first model call's input and last one's
// output. It returns the trace's input and output.
func (t LangfuseTranslator) appendTraceIO(dst []attribute.KeyValue, s *Span, ownIn, ownOut string) (_ []attribute.KeyValue, input, output string) {
	setIn, setOut, firstIn, lastOut := s.Trace.io()
	entityIn, entityOut := s.Trace.entityIO()
	for _, kv := range s.Attributes() { // set on the root itself
		switch kv.Key {
		case genai.TraceInput:
			setIn = kv.Value.AsString()
		case genai.TraceOutput:
			setOut = kv.Value.AsString()
		}
	}
	input, output = cmp.Or(setIn, ownIn, entityIn, firstIn), cmp.Or(setOut, ownOut, entityOut, lastOut)
	limit := cmp.Or(t.ContentLimit, 1<<20)
	if input != "" {
		dst = append(dst, vocab.LangfuseTraceInput.String(textcut.Content(input, limit)))
	}
	if output != "" {
		dst = append(dst, vocab.LangfuseTraceOutput.String(textcut.Content(output, limit)))
	}
	return dst, input, output
}

// appendTraceAttributes copies the trace-level facts onto the span: the
// full, identical set on every span, as Langfuse v4 asks.
func (t LangfuseTranslator) appendTraceAttributes(dst []attribute.KeyValue, s *Span) []attribute.KeyValue {
	tf := s.Trace.Fields()
	if name := traceName(s, tf); name != "" {
		dst = append(dst, vocab.LangfuseTraceName.String(name))
	}
	if session := orDefault(tf.SessionID, s.Facts.Conversation); session != "" {
		dst = append(dst, vocab.LangfuseSessionID.String(session))
	}
	if tf.UserID != "" {
		dst = append(dst, vocab.LangfuseUserID.String(tf.UserID))
	}
	if len(tf.Tags) > 0 {
		dst = append(dst, vocab.LangfuseTraceTags.StringSlice(tf.Tags))
	}
	if len(tf.Metadata) > 0 {
		for _, k := range slices.Sorted(maps.Keys(tf.Metadata)) {
			dst = append(dst, attribute.String(vocab.LangfuseTraceMetadataPrefix+k, tf.Metadata[k]))
		}
	}
	if t.Release != "" {
		dst = append(dst, vocab.LangfuseRelease.String(t.Release))
	}
	if t.Environment != "" {
		dst = append(dst, vocab.LangfuseEnvironment.String(t.Environment))
	}
	return dst
}
