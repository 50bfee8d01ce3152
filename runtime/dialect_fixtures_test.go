package runtime

import (
	"context"
	"errors"
	"math"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/genaitrace/genaitrace/runtime/export"
)

// Spans as other GenAI instrumentation emits them, built from each peer's
// source at the commit named (repository, file, lines): no code of theirs,
// the attribute names, types, units and values their code writes. Each
// trace runs inside the HTTP server span of a typical service, so that
// Langfuse's LLM-only filter must recognise the peer's spans as GenAI work
// to forward the trace. Every content value is written by content(field),
// which the tests make a marker (MARKER-CONTENT-<field>), with a fake API
// key behind it when they check masking.

// Shorthands: the fixtures are attribute lists.
var (
	aStr   = attribute.String
	aInt   = attribute.Int64
	aFloat = attribute.Float64
	aBool  = attribute.Bool
	aStrs  = attribute.StringSlice
)

// content writes the value of one content field.
type content func(field string) string

// dialectFixture records one trace as a peer would.
type dialectFixture struct {
	name string
	// model is the span of the model call whose translation the test
	// checks in detail ("" when the peer makes none).
	model string
	// noContent is set for peers whose model calls carry no content
	// (otelc; ADK from v0.5 on, which logs it instead).
	noContent bool
	// opts are the settings the fixture's trace is sent with (none: the
	// defaults).
	opts []Option
	emit func(ctx context.Context, tp trace.TracerProvider, c content)
}

// with returns the fixture's settings followed by opts.
func (fx dialectFixture) with(opts ...Option) []Option {
	return append(append([]Option(nil), fx.opts...), opts...)
}

// clock hands out the start times of a fixture's spans: each span starts
// 10 ms after the one before and lasts as long as its fixture says, so
// that times within a span (a first chunk) can be checked against it.
type clock struct{ t time.Time }

func newClock() *clock { return &clock{t: time.Now().Add(-time.Minute)} }

// tspan is a span with its start time.
type tspan struct {
	trace.Span
	start time.Time
}

func (c *clock) begin(ctx context.Context, tr trace.Tracer, name string, opts ...trace.SpanStartOption) (context.Context, tspan) {
	c.t = c.t.Add(10 * time.Millisecond)
	ctx, sp := tr.Start(ctx, name, append(opts, trace.WithTimestamp(c.t))...)
	return ctx, tspan{sp, c.t}
}

// endAfter ends the span d after it started.
func (s tspan) endAfter(d time.Duration) { s.End(trace.WithTimestamp(s.start.Add(d))) }

// leaf records one span of 2 s without children.
func (c *clock) leaf(ctx context.Context, tr trace.Tracer, name string, kind trace.SpanKind, attrs []attribute.KeyValue, events ...func(trace.Span, time.Time)) {
	_, sp := c.begin(ctx, tr, name, trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
	for _, e := range events {
		e(sp, sp.start)
	}
	sp.endAfter(2 * time.Second)
}

// inRequest runs spans inside a plain HTTP server span, as otelhttp makes.
func inRequest(ctx context.Context, tp trace.TracerProvider, c *clock, route string, spans func(ctx context.Context)) {
	ctx, req := c.begin(ctx, tp.Tracer("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"), "POST "+route,
		trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
			aStr("http.request.method", "POST"), aStr("http.route", route), aInt("http.response.status_code", 200)))
	spans(ctx)
	req.endAfter(30 * time.Second)
}

// leaf records one span without children, as the tests outside the
// fixtures use it.
func leaf(ctx context.Context, tr trace.Tracer, name string, kind trace.SpanKind, attrs []attribute.KeyValue, events ...func(trace.Span)) {
	_, sp := tr.Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
	for _, e := range events {
		e(sp)
	}
	sp.End()
}

var dialectFixtures = []dialectFixture{
	{
		// open-telemetry/opentelemetry-go-compile-instrumentation at
		// 7e576e0e56d25643c039b194b99e9e64818e97ee,
		// instrumentation/github.com/openai/openai-go/v3/middleware.go:36-72
		// (host-derived provider), :155-168, :301-333; hook.go:18 (scope);
		// internal/streaming/streaming.go:95-118 (time to first token in
		// microseconds; 0/0/0 usage without include_usage). No content on
		// main: the request's marker must never show up.
		name: "otelc-openai", model: "chat gpt-4o-mini", noContent: true,
		emit: func(ctx context.Context, tp trace.TracerProvider, _ content) {
			tr := tp.Tracer("go.opentelemetry.io/otelc/instrumentation/github.com/openai/openai-go/v3", trace.WithInstrumentationVersion("dev"))
			ck := newClock()
			inRequest(ctx, tp, ck, "/chat", func(ctx context.Context) {
				ck.leaf(ctx, tr, "chat gpt-4o-mini", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.system", "openai"), aStr("gen_ai.operation.name", "chat"), aStr("gen_ai.request.model", "gpt-4o-mini"),
					aStr("gen_ai.provider.name", "azure"), // myres.openai.azure.com
					aInt("gen_ai.request.max_tokens", 256), aFloat("gen_ai.request.temperature", 0.2), aFloat("gen_ai.request.top_p", 0.9),
					aFloat("gen_ai.request.frequency_penalty", 0), aFloat("gen_ai.request.presence_penalty", 0),
					aStr("gen_ai.response.id", "chatcmpl-AbC123"), aStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
					aStrs("gen_ai.response.finish_reasons", []string{"stop"}),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 85), aInt("gen_ai.usage.total_tokens", 1285),
				})
				ck.leaf(ctx, tr, "chat gpt-4o-mini", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.system", "openai"), aStr("gen_ai.operation.name", "chat"), aStr("gen_ai.request.model", "gpt-4o-mini"),
					aStr("gen_ai.provider.name", "local"), aBool("gen_ai.request.is_stream", true),
					aStrs("gen_ai.response.finish_reasons", []string{"stop"}),
					aInt("gen_ai.usage.input_tokens", 0), aInt("gen_ai.usage.output_tokens", 0), aInt("gen_ai.usage.total_tokens", 0),
					aStr("gen_ai.response.id", "chatcmpl-Str456"), aStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
					aInt("gen_ai.response.time_to_first_token", 184233),
				})
				ck.leaf(ctx, tr, "embeddings text-embedding-3-small", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.system", "openai"), aStr("gen_ai.operation.name", "embeddings"), aStr("gen_ai.request.model", "text-embedding-3-small"),
					aStr("gen_ai.provider.name", "google"), aStr("gen_ai.response.model", "text-embedding-3-small"),
					aInt("gen_ai.usage.input_tokens", 8), aInt("gen_ai.usage.total_tokens", 8),
				})
			})
		},
	},
	{
		// The same repository and commit,
		// instrumentation/github.com/anthropics/anthropic-sdk-go/middleware.go:111-124,
		// :196-274 (input_tokens folded: input + cache read + cache write;
		// cache counts only when > 0); hook.go:19.
		name: "otelc-anthropic", model: "chat claude-sonnet-4-5", noContent: true,
		emit: func(ctx context.Context, tp trace.TracerProvider, _ content) {
			tr := tp.Tracer("go.opentelemetry.io/otelc/instrumentation/github.com/anthropics/anthropic-sdk-go", trace.WithInstrumentationVersion("dev"))
			ck := newClock()
			inRequest(ctx, tp, ck, "/chat", func(ctx context.Context) {
				ck.leaf(ctx, tr, "chat claude-sonnet-4-5", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.system", "anthropic"), aStr("gen_ai.operation.name", "chat"), aStr("gen_ai.request.model", "claude-sonnet-4-5"),
					aStr("gen_ai.provider.name", "anthropic"), aInt("gen_ai.request.max_tokens", 1024), aFloat("gen_ai.request.temperature", 0.5),
					aInt("gen_ai.request.top_k", 40),
					aStr("gen_ai.response.id", "msg_01XyZ"), aStr("gen_ai.response.model", "claude-sonnet-4-5-20250929"),
					aStrs("gen_ai.response.finish_reasons", []string{"end_turn"}),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 50), aInt("gen_ai.usage.total_tokens", 1250),
					aInt("gen_ai.usage.cache_read.input_tokens", 1000),
				})
			})
		},
	},
	{
		// traceloop/openllmetry at 93429cfb9767e6b51db6cb35f6b70f758117669a
		// (0.62.1): the vertexai instrumentation, still the legacy dialect
		// (packages/opentelemetry-instrumentation-vertexai/.../__init__.py:237-244,
		// span_utils.py:209-323: gen_ai.system "Google", llm.request.type
		// "completion", flattened prompts whose content is a JSON list of
		// parts, llm.usage.total_tokens), and the openai instrumentation of
		// the same release (shared/__init__.py:143-290, chat_wrappers.py:286-612:
		// gen_ai.provider.name, JSON messages, gen_ai.usage.total_tokens, the
		// cached count as 0 when absent, gen_ai.usage.reasoning_tokens), under
		// a traceloop-sdk @workflow and @tool (sdk/decorators/base.py:138-196).
		name: "openllmetry-python", model: "openai.chat",
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			sdk := tp.Tracer("traceloop.tracer")
			ck := newClock()
			inRequest(ctx, tp, ck, "/chat", func(ctx context.Context) {
				ctx, wf := ck.begin(ctx, sdk, "weather_flow.workflow", trace.WithAttributes(
					aStr("traceloop.span.kind", "workflow"), aStr("traceloop.entity.name", "weather_flow"), aStr("traceloop.workflow.name", "weather_flow"),
					aStr("traceloop.entity.input", `{"args":["`+c("workflow-input")+`"],"kwargs":{}}`),
					aStr("traceloop.entity.output", `"`+c("workflow-output")+`"`)))
				ck.leaf(ctx, sdk, "get_weather.tool", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("traceloop.span.kind", "tool"), aStr("traceloop.entity.name", "get_weather"), aStr("traceloop.workflow.name", "weather_flow"),
					aStr("gen_ai.tool.name", "get_weather"),
					aStr("traceloop.entity.input", `{"args":[],"kwargs":{"city":"`+c("tool-arguments")+`"}}`),
					aStr("traceloop.entity.output", `"`+c("tool-result")+`"`),
				})
				ck.leaf(ctx, tp.Tracer("opentelemetry.instrumentation.vertexai", trace.WithInstrumentationVersion("0.62.1")), "vertexai.generate_content", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.system", "Google"), aStr("llm.request.type", "completion"), aStr("gen_ai.request.model", "gemini-2.5-flash"),
					aFloat("gen_ai.request.temperature", 0.2), aInt("gen_ai.request.max_tokens", 512),
					aStr("gen_ai.prompt.0.role", "user"), aStr("gen_ai.prompt.0.content", `[{"type":"text","text":"`+c("vertex-prompt")+`"}]`),
					aStr("gen_ai.completion.0.role", "assistant"), aStr("gen_ai.completion.0.content", c("vertex-completion")),
					aStr("gen_ai.response.model", "gemini-2.5-flash"),
					aInt("gen_ai.usage.input_tokens", 900), aInt("gen_ai.usage.output_tokens", 120), aInt("llm.usage.total_tokens", 1020),
				})
				ck.leaf(ctx, tp.Tracer("opentelemetry.instrumentation.openai.v1", trace.WithInstrumentationVersion("0.62.1")), "openai.chat", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "chat"), aStr("gen_ai.provider.name", "openai"), aStr("gen_ai.request.model", "gpt-4o-mini"),
					aFloat("gen_ai.request.temperature", 0.2), aInt("gen_ai.request.max_tokens", 256), aBool("gen_ai.is_streaming", false),
					aStr("gen_ai.input.messages", `[{"role":"system","parts":[{"type":"text","content":"`+c("system")+`"}]},{"role":"user","parts":[{"type":"text","content":"`+c("prompt")+`"}]}]`),
					aStr("gen_ai.tool.definitions", `[{"type":"function","name":"get_weather","description":"`+c("tool-description")+`","parameters":{"type":"object"}}]`),
					aStr("gen_ai.request.structured_output_schema", `{"type":"object","description":"`+c("output-schema")+`"}`),
					aStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"), aStr("gen_ai.response.id", "chatcmpl-9x"),
					aStrs("gen_ai.response.finish_reasons", []string{"stop"}),
					aStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"`+c("completion")+`"}],"finish_reason":"stop"}]`),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 300), aInt("gen_ai.usage.total_tokens", 1500),
					aInt("gen_ai.usage.cache_read.input_tokens", 0), aInt("gen_ai.usage.reasoning_tokens", 64),
				})
				wf.endAfter(10 * time.Second)
			})
		},
	},
	{
		// traceloop/go-openllmetry at 00070b05840216ab851dfbc35df338bacd1d9514
		// (traceloop-sdk v0.1.2): workflow.go:23-61 (a new root, a task),
		// sdk.go:83-185 (llm.vendor, llm.request.model, llm.prompts.N.*,
		// tool calls and llm.request.functions.N.*, llm.usage.*); tracer
		// "traceloop.tracer" (sdk.go:135-145). Every span is INTERNAL.
		name: "traceloop-go", model: "openai.chat",
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			tr := tp.Tracer("traceloop.tracer")
			ck := newClock()
			func(ctx context.Context) { // the workflow starts a trace of its own (trace.WithNewRoot)
				wctx, wf := ck.begin(ctx, tr, "history_generation.workflow", trace.WithNewRoot(), trace.WithAttributes(
					aStr("traceloop.workflow.name", "history_generation"), aStr("traceloop.span.kind", "workflow"),
					aStr("traceloop.entity.name", "history_generation")))
				tctx, task := ck.begin(wctx, tr, "current_date_fact_generation.task", trace.WithAttributes(
					aStr("traceloop.workflow.name", "history_generation"), aStr("traceloop.span.kind", "task"),
					aStr("traceloop.entity.name", "current_date_fact_generation")))
				ck.leaf(tctx, tr, "openai.chat", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("llm.vendor", "openai"), aStr("llm.request.model", "gpt-4o-mini"), aStr("llm.request.type", "chat"),
					aStr("traceloop.workflow.name", "history_generation"), aStr("traceloop.association.properties.user_id", "demo-user"),
					aStr("llm.prompts.0.content", c("system")), aStr("llm.prompts.0.role", "system"),
					aStr("llm.prompts.1.content", c("prompt")), aStr("llm.prompts.1.role", "user"),
					aStr("llm.prompts.2.content", ""), aStr("llm.prompts.2.role", "assistant"),
					aStr("llm.prompts.2.tool_calls.0.id", "call_abc123"), aStr("llm.prompts.2.tool_calls.0.type", "function"),
					aStr("llm.prompts.2.tool_calls.0.name", "get_weather"),
					aStr("llm.prompts.2.tool_calls.0.arguments", `{"location":"`+c("tool-arguments")+`"}`),
					aStr("llm.prompts.3.content", `{"temp_c":21,"note":"`+c("tool-result")+`"}`), aStr("llm.prompts.3.role", "tool"),
					aStr("llm.request.functions.0.name", "get_weather"), aStr("llm.request.functions.0.description", c("tool-description")),
					aStr("llm.request.functions.0.parameters", `{"properties":{"location":{"description":"`+c("tool-schema")+`","type":"string"}},"type":"object"}`),
					aStr("llm.response.model", "gpt-4o-mini-2024-07-18"),
					aInt("llm.usage.total_tokens", 1285), aInt("llm.usage.completion_tokens", 85), aInt("llm.usage.prompt_tokens", 1200),
					aStr("llm.completions.0.content", c("completion")), aStr("llm.completions.0.role", "assistant"),
				})
				task.endAfter(5 * time.Second)
				wf.endAfter(6 * time.Second)
			}(ctx)
		},
	},
	{
		// Arize-ai/openinference at 1fe497f1d9f45a07eee55d97fe185e020560f9c7:
		// go/openinference-instrumentation-openai-go/openai.go:96-147,
		// 208-278, 395-483 (identical at its v0.1.0 tag); the agent, the
		// embedding, the retriever and the tool are spans an application
		// writes with go/openinference-semantic-conventions/attributes.go
		// (no Go instrumentation makes them; spec/embedding_spans.md,
		// spec/semantic_conventions.md). The middleware has no scope of its
		// own: the application's tracer.
		name: "openinference", model: "openai.chat.completions.create",
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			tr := tp.Tracer("my-app")
			ck := newClock()
			inRequest(ctx, tp, ck, "/chat", func(ctx context.Context) {
				ctx, agent := ck.begin(ctx, tr, "agent", trace.WithAttributes(
					aStr("openinference.span.kind", "AGENT"), aStr("input.value", c("agent-input")), aStr("output.value", c("agent-output")),
					aStr("session.id", "sess-42"), aStr("user.id", "user-7")))
				ck.leaf(ctx, tr, "openai.chat.completions.create", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("openinference.span.kind", "LLM"), aStr("llm.system", "openai"), aStr("llm.provider", "openai"),
					aStr("session.id", "sess-42"), aStr("user.id", "user-7"), aStr("metadata", `{"tenant":"acme"}`), aStrs("tag.tags", []string{"beta"}),
					aStr("llm.invocation_parameters", `{"max_completion_tokens":512,"model":"gpt-4o-mini","prediction":{"content":"`+c("prediction")+`","type":"content"},"temperature":0.2}`),
					aStr("llm.input_messages.0.message.role", "system"), aStr("llm.input_messages.0.message.content", c("system")),
					aStr("llm.input_messages.1.message.role", "user"), aStr("llm.input_messages.1.message.content", c("prompt")),
					aStr("llm.input_messages.2.message.role", "assistant"),
					aStr("llm.input_messages.2.message.tool_calls.0.tool_call.id", "call_1"),
					aStr("llm.input_messages.2.message.tool_calls.0.tool_call.function.name", "get_weather"),
					aStr("llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments", `{"city":"`+c("tool-arguments")+`"}`),
					aStr("llm.input_messages.3.message.role", "tool"), aStr("llm.input_messages.3.message.content", c("tool-result")),
					aStr("llm.input_messages.3.message.tool_call_id", "call_1"),
					aStr("input.value", c("prompt")),
					aStr("llm.tools.0.tool.json_schema", `{"function":{"description":"`+c("tool-schema")+`","name":"get_weather","parameters":{"type":"object"}},"type":"function"}`),
					aStr("llm.model_name", "gpt-4o-mini-2024-07-18"),
					aStr("llm.output_messages.0.message.role", "assistant"), aStr("llm.output_messages.0.message.content", c("completion")),
					aStr("llm.finish_reason", "stop"), aStr("output.value", c("completion")),
					aInt("llm.token_count.prompt", 1200), aInt("llm.token_count.completion", 300), aInt("llm.token_count.total", 1500),
					aInt("llm.token_count.prompt_details.cache_read", 1000), aInt("llm.token_count.completion_details.reasoning", 64),
				})
				ck.leaf(ctx, tr, "CreateEmbeddings", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("openinference.span.kind", "EMBEDDING"), aStr("embedding.model_name", "text-embedding-3-small"),
					aStr("embedding.invocation_parameters", `{"encoding_format":"float","model":"text-embedding-3-small"}`),
					aStr("input.value", `{"input":"`+c("embedding-input")+`"}`), aStr("input.mime_type", "application/json"),
					aStr("embedding.embeddings.0.embedding.text", c("embedded-text")),
					attribute.Float64Slice("embedding.embeddings.0.embedding.vector", []float64{0.1, 0.2, 0.3}),
					aInt("llm.token_count.prompt", 2), aInt("llm.token_count.total", 2),
				})
				ck.leaf(ctx, tr, "retrieve", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("openinference.span.kind", "RETRIEVER"), aStr("input.value", c("retrieval-query")),
					aStr("retrieval.documents.0.document.id", "doc-1"), aFloat("retrieval.documents.0.document.score", 0.92),
					aStr("retrieval.documents.0.document.content", c("retrieved-document")),
					aStr("retrieval.documents.0.document.metadata", `{"source":"`+c("document-metadata")+`"}`),
				})
				ck.leaf(ctx, tr, "get_weather", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("openinference.span.kind", "TOOL"), aStr("tool.name", "get_weather"),
					aStr("tool.description", c("tool-description")), aStr("tool.parameters", `{"city":"`+c("tool-parameters")+`"}`),
					aStr("tool.id", "call_1"), aStr("input.value", `{"city":"`+c("tool-input")+`"}`), aStr("input.mime_type", "application/json"),
					aStr("output.value", c("tool-output")),
				})
				agent.endAfter(10 * time.Second)
			})
		},
	},
	{
		// The same commit, go/openinference-instrumentation-anthropic-sdk-go/anthropic.go:83-94,
		// 168-260, 332-399: invocation parameters without the model, the
		// system prompt as message 0, the cache folded into the prompt count.
		name: "openinference-anthropic", model: "anthropic.messages.create",
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			tr := tp.Tracer("my-app")
			ck := newClock()
			inRequest(ctx, tp, ck, "/chat", func(ctx context.Context) {
				ck.leaf(ctx, tr, "anthropic.messages.create", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("openinference.span.kind", "LLM"), aStr("llm.system", "anthropic"), aStr("llm.provider", "anthropic"),
					aStr("llm.invocation_parameters", `{"max_tokens":1024,"temperature":0.2}`),
					aStr("llm.tools.0.tool.json_schema", `{"description":"`+c("tool-schema")+`","input_schema":{"type":"object"},"name":"get_weather"}`),
					aStr("llm.input_messages.0.message.role", "system"), aStr("llm.input_messages.0.message.content", c("system")),
					aStr("llm.input_messages.1.message.role", "user"), aStr("llm.input_messages.1.message.content", c("prompt")),
					aStr("input.value", c("prompt")),
					aStr("llm.model_name", "claude-sonnet-4-5-20250929"), aStr("llm.finish_reason", "end_turn"),
					aStr("output.value", c("completion")),
					aStr("llm.output_messages.0.message.role", "assistant"), aStr("llm.output_messages.0.message.content", c("completion")),
					aInt("llm.token_count.prompt", 1250), aInt("llm.token_count.completion", 300), aInt("llm.token_count.total", 1550),
					aInt("llm.token_count.prompt_details.cache_read", 1000), aInt("llm.token_count.prompt_details.cache_write", 50),
				})
			})
		},
	},
	{
		// langchain-ai/langsmith-go at f93f526fe76ff50a16d0d096f8d78408137917ca
		// (= v0.25.4 for these files): instrumentation/traceopenai/openaitrace.go:57-290
		// (gen_ai.system only, the prompt and completion as JSON,
		// langsmith.usage_metadata 917-1004, counts copied onto the caller's
		// span 262-267, new_token 278-286, the operations 359-376, errors
		// with the provider's body 194-203), traceanthropic.go:119-682 and
		// tracegemini.go:119-818. Spans are INTERNAL, scopes the SDKs'.
		name: "langsmith", model: "openai.chat.completion",
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			oai := tp.Tracer("github.com/sashabaranov/go-openai")
			ck := newClock()
			inRequest(ctx, tp, ck, "/chat", func(ctx context.Context) {
				ctx, step := ck.begin(ctx, tp.Tracer("my-service"), "agent.step")
				ck.leaf(ctx, oai, "openai.chat.completion", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.system", "openai"), aStr("gen_ai.operation.name", "chat"), aStr("http.method", "POST"),
					aStr("http.url", "http://127.0.0.1:8080/v1/chat/completions"),
					aStr("session_id", "thread-9"), aStr("langsmith.metadata.session_id", "thread-9"), aStr("session.id", "thread-9"),
					aStr("gen_ai.prompt", `{"messages":[{"content":"`+c("system")+`","role":"system"},{"content":"`+c("prompt")+`","role":"user"}]}`),
					aStr("gen_ai.request.model", "gpt-4o-mini"),
					aStr("gen_ai.completion", `{"messages":[{"content":"`+c("completion")+`","refusal":null,"role":"assistant","tool_calls":[{"function":{"arguments":"{\"city\":\"`+c("tool-arguments")+`\"}","name":"get_weather"},"id":"call_1","type":"function"}]}]}`),
					aStr("langsmith.usage_metadata", `{"input_token_details":{"cache_read":1000},"input_tokens":1200,"output_token_details":{"reasoning":64},"output_tokens":300,"total_tokens":1500}`),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 300), aInt("gen_ai.usage.total_tokens", 1500),
					aStr("langsmith.metadata.service_tier", "default"),
				})
				step.SetAttributes(aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 300))
				ck.leaf(ctx, oai, "openai.chat.completion", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.system", "openai"), aStr("gen_ai.operation.name", "chat"), aStr("http.method", "POST"),
					aStr("http.url", "http://127.0.0.1:8080/v1/chat/completions"),
					aStr("gen_ai.prompt", `{"messages":[{"content":"`+c("stream-prompt")+`","role":"user"}]}`),
					aStr("gen_ai.request.model", "gpt-4o-mini"),
					aStr("gen_ai.completion", `{"messages":[{"content":"`+c("stream-completion")+`","role":"assistant"}]}`),
					aStr("langsmith.usage_metadata", `{"input_tokens":12,"output_tokens":40,"total_tokens":52}`),
					aInt("gen_ai.usage.input_tokens", 12), aInt("gen_ai.usage.output_tokens", 40), aInt("gen_ai.usage.total_tokens", 52),
				}, func(sp trace.Span, start time.Time) {
					sp.AddEvent("new_token", trace.WithTimestamp(start.Add(420*time.Millisecond)))
				})
				ck.leaf(ctx, oai, "openai.embedding", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.system", "openai"), aStr("gen_ai.operation.name", "embedding"), aStr("http.method", "POST"),
					aStr("http.url", "http://127.0.0.1:8080/v1/embeddings"),
					aStr("gen_ai.prompt", `{"messages":["`+c("embedded-text-1")+`","`+c("embedded-text-2")+`"]}`),
					aStr("gen_ai.request.model", "text-embedding-3-small"),
					aStr("langsmith.usage_metadata", `{"input_tokens":8,"total_tokens":8}`),
					aInt("gen_ai.usage.input_tokens", 8), aInt("gen_ai.usage.output_tokens", 0), aInt("gen_ai.usage.total_tokens", 8),
				})
				ck.leaf(ctx, oai, "openai.responses", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.system", "openai"), aStr("gen_ai.operation.name", "responses"), aStr("http.method", "POST"),
					aStr("http.url", "http://127.0.0.1:8080/v1/responses"),
					aStr("gen_ai.prompt", `{"messages":[{"content":"`+c("responses-instructions")+`","role":"system"},{"content":"`+c("responses-prompt")+`","role":"user"}]}`),
					aStr("gen_ai.request.model", "gpt-5"),
					aStr("gen_ai.completion", `{"messages":[{"content":"`+c("responses-completion")+`","reasoning":"`+c("reasoning-summary")+`","role":"assistant"}]}`),
					aStr("langsmith.usage_metadata", `{"input_token_details":{"flex":206,"flex_cache_read":1000},"input_tokens":1206,"output_token_details":{"flex":236,"flex_reasoning":64},"output_tokens":300,"total_tokens":1506}`),
					aInt("gen_ai.usage.input_tokens", 1206), aInt("gen_ai.usage.output_tokens", 300), aInt("gen_ai.usage.total_tokens", 1506),
					aStr("langsmith.metadata.service_tier", "flex"),
				})
				ck.leaf(ctx, tp.Tracer("github.com/anthropics/anthropic-sdk-go"), "anthropic.messages", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.system", "anthropic"), aStr("gen_ai.operation.name", "chat"), aStr("http.method", "POST"),
					aStr("http.url", "http://127.0.0.1:8080/v1/messages"),
					aStr("gen_ai.request.model", "claude-sonnet-4-5"), aInt("gen_ai.request.max_tokens", 1024), aFloat("gen_ai.request.temperature", 0.2),
					aStr("gen_ai.prompt", `{"messages":[{"content":"`+c("anthropic-system")+`","role":"system"},{"content":[{"text":"`+c("anthropic-prompt")+`","type":"text"}],"role":"user"}]}`),
					aStr("gen_ai.response.model", "claude-sonnet-4-5-20250929"),
					aStr("langsmith.usage_metadata", `{"input_token_details":{"cache_read":1000,"ephemeral_5m_input_tokens":50},"input_tokens":1250,"output_tokens":300,"total_tokens":1550}`),
					aInt("gen_ai.usage.input_tokens", 1250), aInt("gen_ai.usage.output_tokens", 300), aInt("gen_ai.usage.total_tokens", 1550),
					aStr("langsmith.metadata.service_tier", "standard"), aInt("langsmith.metadata.server_tool_use.web_search_requests", 1),
					aStr("langsmith.metadata.stop_reason", "tool_use"),
					aStr("gen_ai.completion", `{"messages":[{"content":[{"text":"`+c("anthropic-completion")+`","type":"text"},{"id":"toolu_1","input":{"city":"`+c("anthropic-tool-arguments")+`"},"name":"get_weather","type":"tool_use"}],"role":"assistant"}]}`),
				})
				ck.leaf(ctx, tp.Tracer("google.golang.org/genai"), "gemini.streamGenerateContent", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.provider.name", "gcp.gemini"), aStr("gen_ai.operation.name", "stream_generate_content"), aStr("http.method", "POST"),
					aStr("http.url", "http://127.0.0.1:8080/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"),
					aStr("gen_ai.request.model", "gemini-2.5-flash"), aFloat("gen_ai.request.temperature", 0.2), aInt("gen_ai.request.max_tokens", 512),
					aStr("gen_ai.prompt", `{"messages":[{"content":"`+c("gemini-system")+`","role":"system"},{"content":"`+c("gemini-prompt")+`","role":"user"}]}`),
					aStr("gen_ai.response.model", "gemini-2.5-flash"), aStr("gen_ai.response.id", "resp-abc"),
					aStr("gen_ai.completion", `{"messages":[{"content":"`+c("gemini-completion")+`","finish_reason":"STOP","role":"assistant"}]}`),
					aStr("langsmith.metadata.stop_reason", "STOP"),
					aStr("langsmith.usage_metadata", `{"input_token_details":{"cache_read":1000},"input_tokens":1200,"output_token_details":{"reasoning":64},"output_tokens":300,"total_tokens":1500}`),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 300), aInt("gen_ai.usage.total_tokens", 1500),
					aInt("gen_ai.usage.cache_read_input_tokens", 1000), aInt("gen_ai.usage.cache_read.input_tokens", 1000),
					aInt("gen_ai.usage.details.reasoning_tokens", 64),
				}, func(sp trace.Span, start time.Time) {
					sp.AddEvent("new_token", trace.WithTimestamp(start.Add(300*time.Millisecond)))
				})
				ck.leaf(ctx, oai, "openai.chat.completion", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.system", "openai"), aStr("gen_ai.operation.name", "chat"), aStr("http.method", "POST"),
					aStr("http.url", "http://127.0.0.1:8080/v1/chat/completions"), aStr("gen_ai.request.model", "gpt-4o-mini"),
					aStr("gen_ai.prompt", `{"messages":[{"content":"`+c("failed-prompt")+`","role":"user"}]}`),
				}, func(sp trace.Span, _ time.Time) {
					err := errors.New(`HTTP 400: {"error":{"message":"Invalid 'messages[0].content': '` + c("error-body") + `'"}}...`)
					sp.RecordError(err)
					sp.SetStatus(codes.Error, err.Error())
				})
				step.endAfter(10 * time.Second)
			})
		},
	},
	{
		// google/adk-go v0.4.0 at 7979bd8d9b1ffca2e4c43fc5116033bc84261950:
		// internal/telemetry/telemetry.go:57-84 (names), 116-131 (tracer
		// gcp.vertex.agent, spans not nested), 134-246 (call_llm with
		// llm_request/llm_response JSON and gen_ai.response.*_token_count,
		// execute_tool, execute_tool (merged)); internal/llminternal/base_flow.go:149,183,501,543,552.
		name: "adk-v0.4", model: "call_llm",
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			tr := tp.Tracer("gcp.vertex.agent")
			ck := newClock()
			inRequest(ctx, tp, ck, "/run", func(ctx context.Context) {
				ck.leaf(ctx, tr, "call_llm", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.system", "gcp.vertex.agent"), aStr("gen_ai.request.model", "gemini-2.5-flash"),
					aStr("gcp.vertex.agent.invocation_id", "e-1b2c3d"), aStr("gcp.vertex.agent.session_id", "sess-42"),
					aStr("gen_ai.conversation.id", "sess-42"), aStr("gcp.vertex.agent.event_id", "ev-0001"),
					aStr("gcp.vertex.agent.llm_request", `{"config":{"systemInstruction":{"parts":[{"text":"`+c("system")+`"}],"role":"user"},"temperature":0.3,"tools":[{"functionDeclarations":[{"name":"get_weather","description":"weather","parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING","description":"`+c("tool-schema")+`"}}}}]}]},"model":"gemini-2.5-flash","content":[{"parts":[{"text":"`+c("prompt")+`"}],"role":"user"}]}`),
					aStr("gcp.vertex.agent.llm_response", `{"Content":{"parts":[{"text":"`+c("completion")+`"}],"role":"model"},"CitationMetadata":null,"GroundingMetadata":null,"UsageMetadata":{"cachedContentTokenCount":1000,"candidatesTokenCount":40,"promptTokenCount":1200,"thoughtsTokenCount":25,"totalTokenCount":1265},"CustomMetadata":null,"LogprobsResult":null,"Partial":false,"TurnComplete":false,"Interrupted":false,"ErrorCode":"","ErrorMessage":"","FinishReason":"STOP","AvgLogprobs":0}`),
					aFloat("gen_ai.request.top_p", 0.95), aInt("gen_ai.request.max_tokens", 1024),
					aStr("gen_ai.response.finish_reason", "STOP"),
					aInt("gen_ai.response.prompt_token_count", 1200), aInt("gen_ai.response.candidates_token_count", 40),
					aInt("gen_ai.response.cached_content_token_count", 1000), aInt("gen_ai.response.total_token_count", 1265),
				})
				ck.leaf(ctx, tr, "execute_tool get_weather", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "execute_tool"), aStr("gen_ai.tool.name", "get_weather"),
					aStr("gen_ai.tool.description", "Returns the weather for a city."), aStr("gcp.vertex.agent.llm_request", "{}"),
					aStr("gcp.vertex.agent.tool_call_args", `{"city":"`+c("tool-arguments")+`"}`), aStr("gcp.vertex.agent.event_id", "ev-0002"),
					aStr("gen_ai.tool.call.id", "call-7"), aStr("gcp.vertex.agent.tool_response", `{"forecast":"`+c("tool-result")+`"}`),
				})
				ck.leaf(ctx, tr, "execute_tool (merged)", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "execute_tool"), aStr("gen_ai.tool.name", "(merged tools)"),
					aStr("gen_ai.tool.description", "(merged tools)"), aStr("gcp.vertex.agent.llm_request", "{}"),
					aStr("gcp.vertex.agent.tool_call_args", "N/A"), aStr("gcp.vertex.agent.event_id", "ev-0003"),
					aStr("gcp.vertex.agent.tool_response", `{"Content":{"role":"user","parts":[{"functionResponse":{"id":"call-7","name":"get_weather","response":{"forecast":"`+c("merged-tool-result")+`"}}}]},"ID":"ev-0003","Author":"weather_agent"}`),
				})
			})
		},
	},
	{
		// google/adk-go v1.6.0 at 95a40be6af132387a5959320ad67c2e490f03b1f
		// (the same spans from v1.1.0 on; v2.2.0 b264039aaec43baedc123e5b9a0cf87681d0bbca
		// too, with version 2.0.0): internal/telemetry/telemetry.go:54-58
		// (scope gcp.vertex.agent, schema 1.36.0), :67-78 (invoke_agent),
		// :99-135 (generate_content: no provider, output including thoughts,
		// cache and reasoning counts), :141-192 (execute_tool, whose
		// arguments and result are recorded whatever the content switch).
		name: "adk-v1", model: "generate_content gemini-2.5-flash", noContent: true,
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			tr := tp.Tracer("gcp.vertex.agent", trace.WithInstrumentationVersion("1.6.0"), trace.WithSchemaURL("https://opentelemetry.io/schemas/1.36.0"))
			ck := newClock()
			inRequest(ctx, tp, ck, "/run", func(ctx context.Context) {
				actx, agent := ck.begin(ctx, tr, "invoke_agent weather_agent", trace.WithAttributes(
					aStr("gcp.vertex.agent.invocation_id", "e-1b2c3d"), aStr("gen_ai.operation.name", "invoke_agent"),
					aStr("gen_ai.agent.description", "Answers weather questions."), aStr("gen_ai.agent.name", "weather_agent"),
					aStr("gen_ai.conversation.id", "sess-42")))
				ck.leaf(actx, tr, "generate_content gemini-2.5-flash", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gcp.vertex.agent.invocation_id", "e-1b2c3d"), aStr("gen_ai.operation.name", "generate_content"),
					aStr("gen_ai.request.model", "gemini-2.5-flash"), aStr("gcp.vertex.agent.event_id", "ev-0001"),
					aStrs("gen_ai.response.finish_reasons", []string{"STOP"}),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 65),
					aInt("gen_ai.usage.cache_read.input_tokens", 1000), aInt("gen_ai.usage.reasoning.output_tokens", 25),
				})
				ck.leaf(actx, tr, "execute_tool get_weather", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "execute_tool"), aStr("gen_ai.tool.name", "get_weather"),
					aStr("gcp.vertex.agent.tool_call_args", `{"city":"`+c("tool-arguments")+`"}`),
					aStr("gen_ai.tool.description", "Returns the weather for a city."), aStr("gcp.vertex.agent.event_id", "ev-0002"),
					aStr("gen_ai.tool.call.id", "call-7"), aStr("gcp.vertex.agent.tool_response", `{"forecast":"`+c("tool-result")+`"}`),
				})
				agent.endAfter(10 * time.Second)
			})
		},
	},
	{
		// google/adk-go main at 0a51e153ad5a72ad8a003c5c0ef8d8e98f88139e (v2):
		// internal/telemetry/node_tracing.go:124-148 (invoke_workflow,
		// invoke_node with gen_ai.node.name, invoke_agent), telemetry.go:91-192.
		name: "adk-v2", model: "generate_content gemini-2.5-pro", noContent: true,
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			tr := tp.Tracer("gcp.vertex.agent", trace.WithInstrumentationVersion("2.0.0"), trace.WithSchemaURL("https://opentelemetry.io/schemas/1.36.0"))
			ck := newClock()
			inRequest(ctx, tp, ck, "/run", func(ctx context.Context) {
				wctx, wf := ck.begin(ctx, tr, "invoke_workflow trip_planner", trace.WithAttributes(
					aStr("gen_ai.operation.name", "invoke_workflow"), aStr("gen_ai.workflow.name", "trip_planner"),
					aStr("gen_ai.conversation.id", "sess-42")))
				ck.leaf(wctx, tr, "invoke_node plan", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "invoke_node"), aStr("gen_ai.node.name", "plan"), aStr("gen_ai.conversation.id", "sess-42"),
				})
				actx, agent := ck.begin(wctx, tr, "invoke_agent weather_agent", trace.WithAttributes(
					aStr("gcp.vertex.agent.invocation_id", "e-9"), aStr("gen_ai.operation.name", "invoke_agent"),
					aStr("gen_ai.agent.description", "Answers weather questions."), aStr("gen_ai.agent.name", "weather_agent"),
					aStr("gen_ai.conversation.id", "sess-42")))
				ck.leaf(actx, tr, "generate_content gemini-2.5-pro", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gcp.vertex.agent.invocation_id", "e-9"), aStr("gen_ai.operation.name", "generate_content"),
					aStr("gen_ai.request.model", "gemini-2.5-pro"), aStr("gcp.vertex.agent.event_id", "ev-0009"),
					aStrs("gen_ai.response.finish_reasons", []string{"STOP"}),
					aInt("gen_ai.usage.input_tokens", 800), aInt("gen_ai.usage.output_tokens", 120),
					aInt("gen_ai.usage.cache_read.input_tokens", 0), aInt("gen_ai.usage.reasoning.output_tokens", 0),
				})
				ck.leaf(actx, tr, "execute_tool get_weather", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "execute_tool"), aStr("gen_ai.tool.name", "get_weather"),
					aStr("gcp.vertex.agent.tool_call_args", `{"city":"`+c("tool-arguments")+`"}`),
					aStr("gen_ai.tool.call.id", "call-9"), aStr("gcp.vertex.agent.tool_response", `{"forecast":"`+c("tool-result")+`"}`),
				})
				agent.endAfter(8 * time.Second)
				wf.endAfter(10 * time.Second)
			})
		},
	},
	{
		// cloudwego/eino-ext at c9a5dc923462375b020ed7b2bbbbef9971d9ce6b
		// (spans identical at callbacks/apmplus/v0.0.2 95f6d97bd4ee61bca689714436e88027fb7d7687):
		// callbacks/apmplus/apmplus.go:43,188 (scope), :245-316 (OnStart:
		// gen_ai.span.kind, gen_ai.system "eino", runinfo.*, the root's
		// gen_ai.input, flattened prompts, request config as float32),
		// :319-424 (OnEnd: gen_ai.completion.*, usage under the old names,
		// the tool-call-only answer dumped whole), :563-696 (streams, whose
		// time per output token is +Inf with no tokens); every span CLIENT.
		// In the real library the spans go to apmplus's own provider.
		name: "eino-apmplus", model: "OpenAI ChatModel",
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			tr := tp.Tracer("github.com/cloudwego/eino-ext/callbacks/apmplus")
			ck := newClock()
			client := trace.WithSpanKind(trace.SpanKindClient)
			inRequest(ctx, tp, ck, "/agent", func(ctx context.Context) {
				gctx, graph := ck.begin(ctx, tr, "my_agent_graph", client, trace.WithAttributes(
					aStr("gen_ai.span.kind", "workflow"),
					aStr("gen_ai.input", `[{"role":"system","content":"`+c("graph-system")+`"},{"role":"user","content":"`+c("graph-input")+`"}]`),
					aStr("gen_ai.prompt.0.role", "system"), aStr("gen_ai.prompt.0.content", c("graph-system")),
					aStr("gen_ai.prompt.1.role", "user"), aStr("gen_ai.prompt.1.content", c("graph-input")),
					aStr("gen_ai.system", "eino"), aStr("runinfo.name", "my_agent_graph"), aStr("runinfo.type", ""),
					aStr("runinfo.component", "Graph"), aStr("gen_ai.session.id", "sess-42"), aStr("gen_ai.user.id", "user-7")))
				ck.leaf(gctx, tr, "OpenAI ChatModel", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.span.kind", "chatmodel"),
					aStr("gen_ai.prompt.0.role", "system"), aStr("gen_ai.prompt.0.content", c("system")),
					aStr("gen_ai.prompt.1.role", "user"), aStr("gen_ai.prompt.1.content", c("prompt")),
					aStr("gen_ai.request.model", "gpt-4o-mini"), aInt("gen_ai.request.max_tokens", 0),
					aFloat("gen_ai.request.temperature", float64(float32(0.7))), aFloat("gen_ai.request.top_p", 0),
					aStrs("gen_ai.request.stop", nil),
					aStr("gen_ai.system", "eino"), aStr("runinfo.name", ""), aStr("runinfo.type", "OpenAI"), aStr("runinfo.component", "ChatModel"),
					aStr("gen_ai.session.id", "sess-42"), aStr("gen_ai.user.id", "user-7"),
					aStr("gen_ai.completion.0.content", `[{"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"`+c("tool-call-arguments")+`\"}"}}],"response_meta":{"finish_reason":"tool_calls","usage":{"prompt_tokens":1200,"prompt_token_details":{"cached_tokens":1000},"completion_tokens":40,"total_tokens":1240}}}]`),
					aStr("gen_ai.response.model", "gpt-4o-mini"),
					aInt("gen_ai.usage.total_tokens", 1240), aInt("gen_ai.usage.prompt_tokens", 1200), aInt("gen_ai.usage.completion_tokens", 40),
					aBool("gen_ai.is_streaming", false),
				})
				ck.leaf(gctx, tr, "get_weather", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.span.kind", "tool"),
					aStr("gen_ai.prompt.0.role", "user"), aStr("gen_ai.prompt.0.content", `"{\"city\":\"`+c("tool-arguments")+`\"}"`),
					aStr("gen_ai.system", "eino"), aStr("runinfo.name", "get_weather"), aStr("runinfo.type", ""), aStr("runinfo.component", "Tool"),
					aStr("gen_ai.completion.0.content", `"{\"forecast\":\"`+c("tool-result")+`\"}"`),
					aBool("gen_ai.is_streaming", false),
				})
				ck.leaf(gctx, tr, "OpenAI ChatModel", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.span.kind", "chatmodel"),
					aStr("gen_ai.prompt.0.role", "user"), aStr("gen_ai.prompt.0.content", c("stream-prompt")),
					aStr("gen_ai.request.model", "gpt-4o-mini"), aStr("gen_ai.system", "eino"),
					aStr("runinfo.type", "OpenAI"), aStr("runinfo.component", "ChatModel"),
					aStr("gen_ai.completion.0.role", "assistant"), aStr("gen_ai.completion.0.content", c("stream-completion")),
					aStr("gen_ai.response.finish_reason", "stop"), aStr("gen_ai.response.model", "gpt-4o-mini"),
					aInt("gen_ai.usage.total_tokens", 12), aInt("gen_ai.usage.prompt_tokens", 12), aInt("gen_ai.usage.completion_tokens", 0),
					aBool("gen_ai.is_streaming", true),
					aFloat("gen_ai.chat_completions.streaming_time_per_output_token", math.Inf(1)),
					aFloat("gen_ai.chat_completions.streaming_time_to_first_token", 0.31),
				})
				graph.SetAttributes(
					aStr("gen_ai.output", `[{"role":"assistant","content":"`+c("graph-output")+`","response_meta":{"finish_reason":"stop"}}]`),
					aStr("gen_ai.completion.0.role", "assistant"), aStr("gen_ai.completion.0.content", c("graph-output")),
					aStr("gen_ai.response.finish_reason", "stop"), aBool("gen_ai.is_streaming", false))
				graph.endAfter(10 * time.Second)
			})
		},
	},
	{
		// langwatch/langwatch at 6ce6cbb33f46ff576cbadab622326c6b3477f7e7
		// (sdks/go, unreleased): instrumentation/openai/middleware.go:25-61
		// (scope, schema 1.41.0), otelhttp/trace.go:114-231,
		// openaiformat/extractor_chat.go:67-260 (OpenAI-shaped messages under
		// the conventions' names, gen_ai.request.tools whatever the capture
		// mode), openaiformat/usage.go:35-57 (input without its cached part,
		// gen_ai.usage.cached_input_tokens), extractor_responses.go:70-420
		// (operation "responses", langwatch.input envelopes),
		// otelhttp/bodycapture.go:216-234 (time to first chunk, seconds).
		name: "langwatch", model: "chat.gpt-4o-mini",
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			tr := tp.Tracer("github.com/langwatch/langwatch/sdks/go/instrumentation/openai",
				trace.WithInstrumentationVersion("0.0.1"), trace.WithSchemaURL("https://opentelemetry.io/schemas/1.41.0"))
			sdk := []attribute.KeyValue{aStr("langwatch.sdk.name", "langwatch-sdk-go"), aStr("langwatch.sdk.language", "go"),
				aStr("langwatch.sdk.version", "0.3.0"), aStr("http.request.method", "POST"), aStr("server.address", "api.openai.com"),
				aStr("gen_ai.provider.name", "openai"), aInt("http.response.status_code", 200)}
			ck := newClock()
			inRequest(ctx, tp, ck, "/chat", func(ctx context.Context) {
				ck.leaf(ctx, tr, "chat.gpt-4o-mini", trace.SpanKindClient, append(sdk,
					aStr("url.path", "/v1/chat/completions"), aStr("gen_ai.operation.name", "chat"),
					aStr("gen_ai.request.model", "gpt-4o-mini"), aFloat("gen_ai.request.temperature", 0.2), aInt("gen_ai.request.max_tokens", 512),
					aStr("gen_ai.request.tools", `[{"type":"function","function":{"name":"get_weather","description":"`+c("tool-description")+`","parameters":{"type":"object"}}}]`),
					aStr("gen_ai.input.messages", `[{"role":"system","content":"`+c("system")+`"},{"role":"user","content":"`+c("prompt")+`"},{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"`+c("tool-arguments")+`\"}"}}]},{"role":"tool","content":"`+c("tool-result")+`","tool_call_id":"call_1"}]`),
					aBool("gen_ai.request.stream", false),
					aStr("gen_ai.response.id", "chatcmpl-abc123"), aStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
					aStr("openai.response.system_fingerprint", "fp_0123456789"),
					aInt("gen_ai.usage.input_tokens", 200), aInt("gen_ai.usage.output_tokens", 60), aInt("gen_ai.usage.total_tokens", 1260),
					aInt("gen_ai.usage.cached_input_tokens", 1000), aInt("gen_ai.usage.reasoning.output_tokens", 20),
					aStrs("gen_ai.response.finish_reasons", []string{"stop"}),
					aStr("gen_ai.output.messages", `[{"role":"assistant","content":"`+c("completion")+`"}]`),
				))
				ck.leaf(ctx, tr, "responses.gpt-4.1-mini", trace.SpanKindClient, append(sdk,
					aStr("url.path", "/v1/responses"), aStr("gen_ai.operation.name", "responses"),
					aFloat("gen_ai.response.time_to_first_chunk", 0.412), aStr("gen_ai.request.model", "gpt-4.1-mini"),
					aInt("gen_ai.request.max_tokens", 800), aStr("gen_ai.request.reasoning_effort", "low"),
					aBool("gen_ai.request.parallel_tool_calls", true), aStr("gen_ai.request.tool_choice", "auto"),
					aStr("gen_ai.request.tools", `[{"type":"function","name":"get_weather","description":"`+c("responses-tool-description")+`","parameters":{"type":"object"}}]`),
					aStr("gen_ai.system_instructions", c("responses-system")),
					aStr("langwatch.input", `{"type":"json","value":[{"role":"user","content":"`+c("responses-prompt")+`"}]}`),
					aBool("gen_ai.request.stream", true),
					aStr("gen_ai.response.id", "resp_123"), aStr("gen_ai.response.model", "gpt-4.1-mini-2025-04-14"),
					aStr("gen_ai.response.status", "completed"), aStrs("gen_ai.response.finish_reasons", []string{"completed"}),
					aInt("gen_ai.usage.input_tokens", 300), aInt("gen_ai.usage.output_tokens", 45), aInt("gen_ai.usage.total_tokens", 845),
					aInt("gen_ai.usage.cached_input_tokens", 500),
					aStr("gen_ai.output.messages", `[{"role":"assistant","content":[{"type":"tool_call","toolName":"get_weather","toolCallId":"call_9","args":"{\"city\":\"`+c("responses-tool-arguments")+`\"}"}]}]`),
				))
			})
		},
	},
	{
		// langwatch/langwatch sdk-go@v0.3.0 at b6efed0b7cfe2737db95679ab4d2c12c5f95a42a:
		// sdk-go/instrumentation/openai/middleware.go:18-62 (scope, schema
		// 1.30.0, gen_ai.system), request_processor.go:162-235
		// (langwatch.gen_ai.streaming, gen_ai.request.tools always),
		// response_processor.go:63-169 (the input whole, the cached part
		// included, and the whole ChatCompletion as langwatch.output).
		name: "langwatch-v0.3", model: "openai.completions.gpt-4o-mini",
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			tr := tp.Tracer("github.com/langwatch/langwatch/sdk-go/instrumentation/openai",
				trace.WithInstrumentationVersion("0.0.1"), trace.WithSchemaURL("https://opentelemetry.io/schemas/1.30.0"))
			ck := newClock()
			inRequest(ctx, tp, ck, "/chat", func(ctx context.Context) {
				ck.leaf(ctx, tr, "openai.completions.gpt-4o-mini", trace.SpanKindClient, []attribute.KeyValue{
					aStr("http.request.method", "POST"), aStr("server.address", "api.openai.com"), aStr("url.path", "/v1/chat/completions"),
					aStr("gen_ai.system", "openai"), aStr("gen_ai.operation.name", "chat"), aStr("gen_ai.request.model", "gpt-4o-mini"),
					aFloat("gen_ai.request.temperature", 0.2),
					aStr("langwatch.input", `{"type":"json","value":[{"content":"`+c("system")+`","role":"system"},{"content":"`+c("prompt")+`","role":"user"}]}`),
					aStr("gen_ai.request.tools", `[{"function":{"name":"get_weather","description":"`+c("tool-description")+`","parameters":{"type":"object"}},"type":"function"}]`),
					aBool("langwatch.gen_ai.streaming", false), aInt("http.response.status_code", 200),
					aStr("gen_ai.response.id", "chatcmpl-abc123"), aStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
					aStr("gen_ai.openai.response.system_fingerprint", "fp_0123456789"),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 60), aInt("gen_ai.usage.total_tokens", 1260),
					aStrs("gen_ai.response.finish_reasons", []string{"stop"}),
					aStr("langwatch.output", `{"type":"json","value":{"id":"chatcmpl-abc123","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"`+c("completion")+`"}}],"usage":{"prompt_tokens":1200,"completion_tokens":60,"total_tokens":1260,"prompt_tokens_details":{"cached_tokens":1000}}}}`),
				}, func(sp trace.Span, _ time.Time) { sp.SetStatus(codes.Ok, "") })
			})
		},
	},
	{
		// firebase/genkit go/v1.4.0 at 84757ad31c37db46fa6e57b7d3ba2c96e4aa24ea
		// (the same spans at go/v1.7.0 77656d5e61e56fc33eaceea88de58f32dbdf074f),
		// as driven: go/core/tracing/tracing.go:127-129,178-268,342-377 (scope
		// genkit-tracer v1, attributes at the end), go/ai/generate.go:328-335,
		// 868-869 (one generate util span per turn, its output the final
		// response, usage included, its input the mutated request),
		// go/ai/tools.go:300-305,393-423 (subtype tool.v2, output
		// {"output": ...}), go/plugins/compat_oai/generate.go:304-318,414.
		name: "genkit", model: "openai/gpt-4o-mini",
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			tr := tp.Tracer("genkit-tracer", trace.WithInstrumentationVersion("v1"))
			ck := newClock()
			req1 := `{"messages":[{"content":[{"text":"` + c("system") + `"}],"role":"system"},{"content":[{"text":"` + c("prompt") + `"}],"role":"user"}],"output":{"contentType":"text/plain"},"tools":[{"description":"` + c("tool-description") + `","inputSchema":{"additionalProperties":false,"properties":{"city":{"type":"string"}},"required":["city"],"type":"object"},"metadata":{"multipart":false},"name":"getWeather"}]}`
			req2 := `{"messages":[{"content":[{"text":"` + c("system") + `"}],"role":"system"},{"content":[{"text":"` + c("prompt") + `"}],"role":"user"},{"content":[{"toolRequest":{"input":{"city":"` + c("tool-arguments") + `"},"name":"getWeather","ref":"call_1"}}],"role":"model"},{"content":[{"toolResponse":{"name":"getWeather","output":{"forecast":"` + c("tool-result") + `"},"ref":"call_1"}}],"role":"tool"}],"output":{"contentType":"text/plain"},"tools":[{"description":"` + c("tool-description") + `","inputSchema":{"type":"object"},"metadata":{"multipart":false},"name":"getWeather"}]}`
			usage := `"usage":{"cachedContentTokens":1000,"inputCharacters":67,"inputTokens":1200,"outputCharacters":25,"outputTokens":300,"thoughtsTokens":50,"totalTokens":1500}`
			resp1 := `{"custom":{"id":"c-1","model":"gpt-4o-mini-2024-07-18","systemFingerprint":"fp_x"},"finishReason":"stop","latencyMs":6.6,"message":{"content":[{"toolRequest":{"input":{"city":"` + c("tool-arguments") + `"},"name":"getWeather","ref":"call_1"}}],"role":"model"},"request":` + req1 + `,` + usage + `}`
			resp2 := `{"custom":{"id":"c-2","model":"gpt-4o-mini-2024-07-18","systemFingerprint":"fp_x"},"finishReason":"stop","latencyMs":0.57,"message":{"content":[{"text":"` + c("completion") + `"}],"role":"model"},"request":` + req2 + `,` + usage + `}`
			end := func(s tspan, name, input, output, path, typ, subtype, flow string, root bool) {
				attrs := []attribute.KeyValue{aStr("genkit:name", name), aStr("genkit:state", "success"), aStr("genkit:input", input),
					aStr("genkit:path", path), aStr("genkit:output", output), aStr("genkit:type", typ), aStr("genkit:metadata:subtype", subtype)}
				if root {
					attrs = append(attrs, aBool("genkit:isRoot", true))
				}
				if flow != "" {
					attrs = append(attrs, aStr("genkit:metadata:flow:name", flow))
				}
				s.SetAttributes(attrs...)
				s.endAfter(2 * time.Second)
			}
			start := func(ctx context.Context, name, typ string) (context.Context, tspan) {
				return ck.begin(ctx, tr, name, trace.WithAttributes(aStr("genkit:type", typ)))
			}
			inRequest(ctx, tp, ck, "/flow", func(ctx context.Context) {
				fctx, flow := start(ctx, "weatherFlow", "action")
				gctx, gen := start(fctx, "generate", "util")
				_, m1 := start(gctx, "openai/gpt-4o-mini", "action")
				end(m1, "openai/gpt-4o-mini", req1, resp1, "/{weatherFlow,t:flow}/{generate,t:util}/{openai/gpt-4o-mini,t:action,s:model}", "action", "model", "weatherFlow", false)
				_, tool := start(gctx, "getWeather", "action")
				end(tool, "getWeather", `{"city":"`+c("tool-arguments")+`"}`, `{"output":{"forecast":"`+c("tool-result")+`"}}`,
					"/{weatherFlow,t:flow}/{generate,t:util}/{getWeather,t:action,s:tool.v2}", "action", "tool.v2", "weatherFlow", false)
				g2ctx, gen2 := start(gctx, "generate", "util")
				_, m2 := start(g2ctx, "openai/gpt-4o-mini", "action")
				end(m2, "openai/gpt-4o-mini", req2, resp2, "/{weatherFlow,t:flow}/{generate,t:util}/{generate,t:util}/{openai/gpt-4o-mini,t:action,s:model}", "action", "model", "weatherFlow", false)
				end(gen2, "generate", req2, resp2, "/{weatherFlow,t:flow}/{generate,t:util}/{generate,t:util}", "util", "util", "", false)
				end(gen, "generate", req2, resp2, "/{weatherFlow,t:flow}/{generate,t:util}", "util", "util", "", false)
				end(flow, "weatherFlow", `"`+c("flow-input")+`"`, `"`+c("flow-output")+`"`, "/{weatherFlow,t:flow}", "action", "flow", "", true)
			})
		},
	},
	{
		// The conventions before v1.37 (semantic-conventions v1.30.0,
		// docs/gen-ai/gen-ai-events.md): gen_ai.system, content as events.
		// No peer in Go writes them today; kept for hand-made spans.
		name: "semconv-1.30", model: "chat gpt-4o",
		emit: func(ctx context.Context, tp trace.TracerProvider, c content) {
			tr := tp.Tracer("my-app")
			ck := newClock()
			inRequest(ctx, tp, ck, "/chat", func(ctx context.Context) {
				ck.leaf(ctx, tr, "chat gpt-4o", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "chat"), aStr("gen_ai.system", "openai"),
					aStr("gen_ai.request.model", "gpt-4o"), aStr("gen_ai.response.model", "gpt-4o-2024-08-06"),
					aStrs("gen_ai.response.finish_reasons", []string{"stop"}),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 300),
				}, func(sp trace.Span, _ time.Time) {
					sp.AddEvent("gen_ai.system.message", trace.WithAttributes(aStr("gen_ai.system", "openai"), aStr("content", c("system"))))
					sp.AddEvent("gen_ai.user.message", trace.WithAttributes(aStr("gen_ai.system", "openai"), aStr("content", c("prompt"))))
					sp.AddEvent("gen_ai.choice", trace.WithAttributes(aStr("gen_ai.system", "openai"), aInt("index", 0), aStr("finish_reason", "stop"),
						aStr("message", `{"role":"assistant","content":"`+c("completion")+`"}`)))
				})
			})
		},
	}, {
		// The GenAI conventions' first standalone release,
		// open-telemetry/semantic-conventions-genai v0.1.0 (CHANGELOG.md:
		// #440 gen_ai.usage.cache_write.input_tokens, #217 top_k an int,
		// #571 a workflow as the internal invoke_agent span type named by
		// gen_ai.agent.name, its operation invoke_workflow;
		// docs/gen-ai/client-inference.md at
		// 024a4f944a1291fcb627c9c47da69e79868dd15e for the inference span's
		// attributes, gen_ai.prompt.name/version among them). No Go
		// instrumentation writes it yet: an application's own spans, or a
		// future instrumentation's, under
		// OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental.
		name: "semconv-genai-0.1", model: "chat claude-haiku-4-5", emit: emitGenAIv01,
	},
	{
		// The same trace with the destinations asking for v0.1.0's names
		// (OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental).
		name: "semconv-genai-0.1-opt-in", model: "chat claude-haiku-4-5", emit: emitGenAIv01,
		opts: []Option{WithGenAIConventions(export.ConventionsLatest)},
	},
}

// emitGenAIv01 records a workflow, its model call and a retrieval in the
// names of semantic-conventions-genai v0.1.0 (the fixture cites them).
func emitGenAIv01(ctx context.Context, tp trace.TracerProvider, c content) {
	tr := tp.Tracer("my-app")
	ck := newClock()
	inRequest(ctx, tp, ck, "/support", func(ctx context.Context) {
		ctx, wf := ck.begin(ctx, tr, "invoke_workflow support_flow", trace.WithAttributes(
			aStr("gen_ai.operation.name", "invoke_workflow"), aStr("gen_ai.agent.name", "support_flow")))
		ck.leaf(ctx, tr, "chat claude-haiku-4-5", trace.SpanKindClient, []attribute.KeyValue{
			aStr("gen_ai.operation.name", "chat"), aStr("gen_ai.provider.name", "anthropic"),
			aStr("gen_ai.request.model", "claude-haiku-4-5"), aStr("gen_ai.response.model", "claude-haiku-4-5-20251001"),
			aInt("gen_ai.request.top_k", 20), aFloat("gen_ai.request.temperature", 0.3),
			aStr("gen_ai.prompt.name", "support"), aStr("gen_ai.prompt.version", "3"),
			aStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"`+c("prompt")+`"}]}]`),
			aStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"`+c("completion")+`"}]}]`),
			aStrs("gen_ai.response.finish_reasons", []string{"end_turn"}),
			aInt("gen_ai.usage.input_tokens", 1300), aInt("gen_ai.usage.output_tokens", 50),
			aInt("gen_ai.usage.cache_read.input_tokens", 1000), aInt("gen_ai.usage.cache_write.input_tokens", 200),
		})
		ck.leaf(ctx, tr, "retrieval kb", trace.SpanKindClient, []attribute.KeyValue{
			aStr("gen_ai.operation.name", "retrieval"), aStr("gen_ai.provider.name", "pinecone"),
			aInt("gen_ai.retrieval.top_k", 3), aStr("gen_ai.retrieval.query.text", c("query")),
		})
		wf.endAfter(5 * time.Second)
	})
}
