package export

import (
	"cmp"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/genaitrace/genaitrace/runtime/export/internal/dialect"
	"github.com/genaitrace/genaitrace/runtime/export/internal/messages"
	"github.com/genaitrace/genaitrace/runtime/genai"
	"github.com/genaitrace/genaitrace/runtime/pricing"
)

// Span is one finished span as the pipeline carries it, shared by every
// consumer: the SDK's snapshot, its trace's facts and its GenAI facts.
type Span struct {
	sdktrace.ReadOnlySpan
	// Trace holds what is known of the span's whole trace. It may be nil.
	Trace *TraceInfo
	// Facts is filled before any consumer sees the span.
	Facts *Facts
	// norm is what normalising made of a span another instrumentation
	// made (nil for the conventions' own names): see Attributes.
	norm *dialect.Result
	// noContent is set for a span of a trace outside the share whose
	// content is sent (PipelineConfig.ContentRate): every destination
	// gets it without prompts, completions or tool payloads.
	noContent bool
	// content marks which of the first 64 attributes (of Attributes) are
	// content, decided once per span when the pipeline takes it
	// (classified), for every destination and the masks.
	content    uint64
	classified bool
	// size is the span's estimated heap cost, held in the memory budget
	// until every destination has encoded the batch it travels in.
	size  int64
	batch *spanBatch
}

// Size is the span's estimated heap cost in bytes (Inspect's).
func (s *Span) Size() int64 { return s.size }

// ForgetBatch detaches a consumer's copy of the span from its batch, so
// that keeping it pins none of the batch's memory.
func (s *Span) ForgetBatch() { s.batch = nil }

// TraceFields are the trace-level facts every span of a trace carries to
// Langfuse, which stores them per observation.
type TraceFields struct {
	Name      string
	SessionID string
	UserID    string
	Tags      []string
	Metadata  map[string]string
}

// TraceInfo is shared by all spans of one trace in this process. Its
// fields can grow while the trace runs; a span sees what was known when it
// is translated.
type TraceInfo struct {
	fields atomic.Pointer[TraceFields]
	// What the pipeline learns from the trace's spans as they pass, for
	// spans translated after them (the local root ends last): whether it
	// has GenAI work, and the first model call's input and the last one's
	// output.
	genai         atomic.Bool
	input, output atomic.Pointer[string]
	// set: the application's own (genai.SetTraceInput/Output), which win.
	setInput, setOutput atomic.Pointer[string]
	// entity: the own input and output of the trace's outermost flow,
	// agent or chain another instrumentation recorded (a Genkit flow's
	// argument and return value), which win over the model calls'.
	entity atomic.Pointer[entityIO]
}

// entityIO is the input and output a flow, agent or chain recorded of
// itself, and when it started.
type entityIO struct {
	input, output string
	start         time.Time
}

// HasGenAI reports whether a GenAI span of the trace has passed the
// pipeline.
func (t *TraceInfo) HasGenAI() bool { return t != nil && t.genai.Load() }

// entityIO returns the trace's outermost flow's, agent's or chain's own
// input and output ("" when unknown).
func (t *TraceInfo) entityIO() (input, output string) {
	if t == nil {
		return "", ""
	}
	if e := t.entity.Load(); e != nil {
		return e.input, e.output
	}
	return "", ""
}

// io returns the application's own input and output of the trace and the
// ones its model calls had.
func (t *TraceInfo) io() (setIn, setOut, firstIn, lastOut string) {
	if t == nil {
		return
	}
	load := func(p *atomic.Pointer[string]) string {
		if v := p.Load(); v != nil {
			return *v
		}
		return ""
	}
	return load(&t.setInput), load(&t.setOutput), load(&t.input), load(&t.output)
}

// learn notes what s tells of its trace. The pipeline calls it for every
// span, in order, once the span's facts are derived.
func (t *TraceInfo) learn(s *Span) {
	if t == nil {
		return
	}
	var session, user string
	for _, kv := range s.Attributes() {
		switch kv.Key {
		case genai.TraceInput:
			v := kv.Value.AsString()
			t.setInput.Store(&v)
		case genai.TraceOutput:
			v := kv.Value.AsString()
			t.setOutput.Store(&v)
		case genai.SessionID, genai.ConversationID:
			session = cmp.Or(session, kv.Value.AsString())
		case genai.UserID:
			user = kv.Value.AsString()
		}
	}
	t.learnSession(session, user)
	if !isGenAISpan(s) {
		return
	}
	t.genai.Store(true)
	if in, out := s.norm.OwnIO(); (in != "" || out != "") && !s.Facts.IsModelCall() {
		// The outermost one started first; the pipeline's goroutine is
		// the only writer.
		if e := t.entity.Load(); e == nil || s.StartTime().Before(e.start) {
			t.entity.Store(&entityIO{input: in, output: out, start: s.StartTime()})
		}
	}
	if !s.Facts.IsModelCall() {
		return
	}
	for _, kv := range s.Attributes() {
		switch kv.Key {
		case genai.InputMessages:
			if t.input.Load() == nil {
				v := messages.WithInstructions(kv.Value.AsString(), systemOf(s))
				t.input.Store(&v)
			}
		case genai.OutputMessages:
			v := kv.Value.AsString()
			t.output.Store(&v)
		}
	}
}

// learnSession gives the trace the session and user a span names when the
// application did not (other instrumentation records session.id, user.id
// or gen_ai.conversation.id on its own spans): the spans translated after
// it, the local root among them, then carry them to Langfuse, which keeps
// them per observation.
func (t *TraceInfo) learnSession(session, user string) {
	if session == "" && user == "" {
		return
	}
	if f := t.Fields(); (f.SessionID != "" || session == "") && (f.UserID != "" || user == "") {
		return
	}
	t.Update(func(f *TraceFields) {
		f.SessionID = cmp.Or(f.SessionID, session)
		f.UserID = cmp.Or(f.UserID, user)
	})
}

// systemOf is the span's system instructions, or "".
func systemOf(s *Span) string {
	for _, kv := range s.Attributes() {
		if kv.Key == genai.SystemInstructions {
			return kv.Value.AsString()
		}
	}
	return ""
}

// isGenAISpan reports whether s is GenAI work: a model call, an
// embedding, a tool or an agent, in genaitrace's names or another
// dialect's.
func isGenAISpan(s *Span) bool {
	if f := s.Facts; f != nil && (f.Operation != "" || f.RequestModel != "" || f.ResponseModel != "" || f.ToolName != "" || f.AgentName != "") {
		return true
	}
	for _, kv := range s.Attributes() {
		if dialect.IsGenAIKey(string(kv.Key)) {
			return true
		}
	}
	return false
}

// NewTraceInfo returns a TraceInfo holding f.
func NewTraceInfo(f TraceFields) *TraceInfo {
	t := &TraceInfo{}
	t.fields.Store(&f)
	return t
}

// Fields returns the current trace-level facts. The result must not be
// modified.
func (t *TraceInfo) Fields() *TraceFields {
	if t == nil {
		return &TraceFields{}
	}
	if f := t.fields.Load(); f != nil {
		return f
	}
	return &TraceFields{}
}

// Update applies edit to a copy of the fields and publishes it.
func (t *TraceInfo) Update(edit func(*TraceFields)) {
	for {
		old := t.fields.Load()
		next := TraceFields{}
		if old != nil {
			next = *old
			next.Tags = slices.Clone(old.Tags)
			next.Metadata = maps.Clone(old.Metadata)
		}
		edit(&next)
		if t.fields.CompareAndSwap(old, &next) {
			return
		}
	}
}

// Attributes returns the span's attributes as every consumer reads them:
// its own, plus for a span another instrumentation made the conventions'
// names derived from its dialect.
func (s *Span) Attributes() []attribute.KeyValue {
	if s.norm != nil {
		return s.norm.Attrs
	}
	return s.ReadOnlySpan.Attributes()
}

// classify decides once which of the span's attributes are content.
func (s *Span) classify() {
	s.content = 0
	for i, kv := range s.Attributes() {
		if i == 64 {
			break
		}
		if IsContent(kv.Key) {
			s.content |= 1 << i
		}
	}
	s.classified = true
}

// isContentAt reports whether kv, the span's i-th attribute (of
// Attributes), is content (IsContent): as classify decided, for a span the
// pipeline took.
func (s *Span) isContentAt(i int, kv attribute.KeyValue) bool {
	if s.classified && i < 64 {
		return s.content&(1<<i) != 0
	}
	return IsContent(kv.Key)
}

// Dialects names the dialects the span was recognised in ("" for spans in
// the conventions' own names).
func (s *Span) Dialects() string {
	if s.norm == nil {
		return ""
	}
	return s.norm.Dialects.String()
}

// derive prepares the span for its consumers, as the pipeline does for
// every span it takes: the conventions' names derived from its dialect, its
// content classified, its GenAI facts derived into f and priced with
// prices. It returns the bytes the derived attributes add.
func (s *Span) derive(f *Facts, prices *pricing.Table) int64 {
	extra := s.normalize()
	s.classify()
	deriveFacts(s, f, prices)
	return extra
}

// normalize derives the conventions' attributes of a span in a dialect and
// returns the bytes they add.
func (s *Span) normalize() int64 {
	s.norm = dialect.Normalize(s.ReadOnlySpan)
	if s.norm == nil {
		return 0
	}
	extra := int64(len(s.norm.Attrs)) * attrOverhead / 2 // the merged slice's headers
	for _, kv := range s.norm.DerivedAttrs() {
		extra += attrSize(kv)
	}
	return extra
}

// IsLocalRoot reports whether s is its trace's root in this process: it
// has no parent, or a remote one.
func (s *Span) IsLocalRoot() bool {
	p := s.Parent()
	return !p.IsValid() || p.IsRemote()
}

// traceName is the trace's name: the application's (genai.WithTraceName),
// else its local root's final name once the root has ended, else, for the
// root itself, its own name. A span translated while its root still ran
// has none: the root's name is not final until it ends (otelhttp renames
// its span after the handler), and a stale one would name the trace in
// Langfuse and Instana.
func traceName(s *Span, tf *TraceFields) string {
	if tf.Name != "" {
		return tf.Name
	}
	if s.IsLocalRoot() {
		return s.Name()
	}
	return ""
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
