package runtime

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Spans shaped as other GenAI instrumentation documents them (their
// published attribute lists; written here, no code of theirs), each inside
// the HTTP server span of a typical service, so that Langfuse's LLM-only
// filter must recognise them as GenAI work to forward the trace.

// Shorthands: the fixtures are attribute lists.
var (
	aStr   = attribute.String
	aInt   = attribute.Int64
	aFloat = attribute.Float64
	aBool  = attribute.Bool
	aStrs  = attribute.StringSlice
)

// dialectFixture records one trace as an instrumentation would.
type dialectFixture struct {
	name string
	// model is the span of the model call, whose translation the test
	// checks in detail.
	model string
	emit  func(ctx context.Context, tr trace.Tracer)
}

// inRequest runs spans inside a plain HTTP server span, as otelhttp makes.
func inRequest(ctx context.Context, tr trace.Tracer, route string, spans func(ctx context.Context)) {
	ctx, req := tr.Start(ctx, "POST "+route, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
		aStr("http.request.method", "POST"), aStr("http.route", route), aInt("http.response.status_code", 200)))
	spans(ctx)
	req.End()
}

// leaf records one span without children.
func leaf(ctx context.Context, tr trace.Tracer, name string, kind trace.SpanKind, attrs []attribute.KeyValue, events ...func(trace.Span)) {
	_, sp := tr.Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
	for _, e := range events {
		e(sp)
	}
	sp.End()
}

var dialectFixtures = []dialectFixture{
	{
		// The official compile-time instrumentation for openai-go (otelc
		// v1.0): gen_ai.system beside gen_ai.provider.name, is_stream,
		// time to first token in microseconds, a total.
		name: "otelc-openai", model: "chat gpt-4o-mini",
		emit: func(ctx context.Context, tr trace.Tracer) {
			inRequest(ctx, tr, "/chat", func(ctx context.Context) {
				leaf(ctx, tr, "chat gpt-4o-mini", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "chat"), aStr("gen_ai.system", "openai"), aStr("gen_ai.provider.name", "openai"),
					aStr("gen_ai.request.model", "gpt-4o-mini"), aBool("gen_ai.request.is_stream", true),
					aFloat("gen_ai.request.temperature", 0.2), aInt("gen_ai.request.max_tokens", 256),
					aStr("server.address", "api.openai.com"), aInt("server.port", 443),
					aStr("gen_ai.response.id", "chatcmpl-9x"), aStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
					aStrs("gen_ai.response.finish_reasons", []string{"stop"}),
					aInt("gen_ai.response.time_to_first_token", 250_000),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 300), aInt("gen_ai.usage.total_tokens", 1500),
					aStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Weather in Lyon?"}]}]`),
					aStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Sunny, 24 degrees."}],"finish_reason":"stop"}]`),
				})
			})
		},
	},
	{
		// otelc for anthropic-sdk-go, reporting Anthropic's own counts: the
		// input excludes the cached tokens, which the total includes.
		name: "otelc-anthropic", model: "chat claude-sonnet-4-5",
		emit: func(ctx context.Context, tr trace.Tracer) {
			inRequest(ctx, tr, "/chat", func(ctx context.Context) {
				leaf(ctx, tr, "chat claude-sonnet-4-5", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "chat"), aStr("gen_ai.system", "anthropic"), aStr("gen_ai.provider.name", "anthropic"),
					aStr("gen_ai.request.model", "claude-sonnet-4-5"), aBool("gen_ai.request.is_stream", false),
					aStr("gen_ai.response.model", "claude-sonnet-4-5-20250929"), aStrs("gen_ai.response.finish_reasons", []string{"end_turn"}),
					aInt("gen_ai.usage.input_tokens", 200), aInt("gen_ai.usage.cache_read.input_tokens", 1000),
					aInt("gen_ai.usage.output_tokens", 100), aInt("gen_ai.usage.total_tokens", 1300),
					aStr("gen_ai.system_instructions", `[{"type":"text","content":"Be brief."}]`),
					aStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Weather in Lyon?"}]}]`),
					aStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Sunny, 24 degrees."}],"finish_reason":"end_turn"}]`),
				})
			})
		},
	},
	{
		// OpenInference (Arize) for an OpenAI chat and a tool: flattened
		// messages, llm.token_count.*, invocation parameters as JSON.
		name: "openinference", model: "ChatCompletion",
		emit: func(ctx context.Context, tr trace.Tracer) {
			inRequest(ctx, tr, "/chat", func(ctx context.Context) {
				ctx, agent := tr.Start(ctx, "agent", trace.WithAttributes(
					aStr("openinference.span.kind", "AGENT"), aStr("input.value", "Weather in Lyon?"), aStr("output.value", "Sunny, 24 degrees."),
					aStr("session.id", "sess-oi-1"), aStr("user.id", "user-oi-1")))
				leaf(ctx, tr, "ChatCompletion", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("openinference.span.kind", "LLM"), aStr("llm.system", "openai"), aStr("llm.provider", "openai"),
					aStr("llm.model_name", "gpt-4o-mini-2024-07-18"),
					aStr("llm.invocation_parameters", `{"model":"gpt-4o-mini","temperature":0.2,"max_tokens":256}`),
					aStr("input.value", `{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Weather in Lyon?"}],"model":"gpt-4o-mini"}`),
					aStr("input.mime_type", "application/json"),
					aStr("llm.input_messages.0.message.role", "system"), aStr("llm.input_messages.0.message.content", "Be brief."),
					aStr("llm.input_messages.1.message.role", "user"), aStr("llm.input_messages.1.message.content", "Weather in Lyon?"),
					aStr("output.value", `{"id":"chatcmpl-9x","choices":[{"index":0,"message":{"role":"assistant","content":"Sunny, 24 degrees."},"finish_reason":"stop"}]}`),
					aStr("output.mime_type", "application/json"),
					aStr("llm.output_messages.0.message.role", "assistant"), aStr("llm.output_messages.0.message.content", "Sunny, 24 degrees."),
					aInt("llm.token_count.prompt", 1200), aInt("llm.token_count.completion", 300), aInt("llm.token_count.total", 1500),
					aInt("llm.token_count.prompt_details.cache_read", 1000),
					aStr("session.id", "sess-oi-1"), aStr("user.id", "user-oi-1"),
				})
				leaf(ctx, tr, "get_weather", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("openinference.span.kind", "TOOL"), aStr("tool.name", "get_weather"), aStr("tool.description", "Current weather of a city"),
					aStr("input.value", `{"city":"Lyon"}`), aStr("output.value", `{"forecast":"sunny"}`),
				})
				agent.End()
			})
		},
	},
	{
		// OpenLLMetry (traceloop) before semconv 0.5: decorators, flattened
		// prompts and completions, the old token names.
		name: "openllmetry", model: "openai.chat",
		emit: func(ctx context.Context, tr trace.Tracer) {
			inRequest(ctx, tr, "/chat", func(ctx context.Context) {
				ctx, wf := tr.Start(ctx, "weather_flow.workflow", trace.WithAttributes(
					aStr("traceloop.span.kind", "workflow"), aStr("traceloop.entity.name", "weather_flow"), aStr("traceloop.workflow.name", "weather_flow")))
				leaf(ctx, tr, "get_weather.tool", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("traceloop.span.kind", "tool"), aStr("traceloop.entity.name", "get_weather"), aStr("traceloop.workflow.name", "weather_flow"),
					aStr("traceloop.entity.input", `{"args":[],"kwargs":{"city":"Lyon"}}`), aStr("traceloop.entity.output", `"sunny"`),
				})
				leaf(ctx, tr, "openai.chat", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.system", "OpenAI"), aStr("llm.request.type", "chat"), aStr("traceloop.workflow.name", "weather_flow"),
					aStr("gen_ai.request.model", "gpt-4o-mini"), aFloat("gen_ai.request.temperature", 0.2), aInt("gen_ai.request.max_tokens", 256),
					aBool("llm.is_streaming", false), aStr("llm.request.functions.0.name", "get_weather"),
					aStr("gen_ai.prompt.0.role", "system"), aStr("gen_ai.prompt.0.content", "Be brief."),
					aStr("gen_ai.prompt.1.role", "user"), aStr("gen_ai.prompt.1.content", "Weather in Lyon?"),
					aStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
					aStr("gen_ai.completion.0.role", "assistant"), aStr("gen_ai.completion.0.content", "Sunny, 24 degrees."),
					aStr("gen_ai.completion.0.finish_reason", "stop"),
					aInt("gen_ai.usage.prompt_tokens", 1200), aInt("gen_ai.usage.completion_tokens", 300), aInt("llm.usage.total_tokens", 1500),
					aInt("gen_ai.usage.cache_read_input_tokens", 1000),
				})
				wf.End()
			})
		},
	},
	{
		// LangSmith Go: the run's inputs and outputs as JSON strings under
		// gen_ai.prompt and gen_ai.completion.
		name: "langsmith", model: "ChatOpenAI",
		emit: func(ctx context.Context, tr trace.Tracer) {
			inRequest(ctx, tr, "/chat", func(ctx context.Context) {
				leaf(ctx, tr, "ChatOpenAI", trace.SpanKindClient, []attribute.KeyValue{
					aStr("langsmith.span.kind", "llm"), aStr("gen_ai.system", "openai"), aStr("gen_ai.operation.name", "chat"),
					aStr("gen_ai.request.model", "gpt-4o-mini"), aStr("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
					aStr("gen_ai.prompt", `{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Weather in Lyon?"}]}`),
					aStr("gen_ai.completion", `{"choices":[{"index":0,"message":{"role":"assistant","content":"Sunny, 24 degrees."},"finish_reason":"stop"}]}`),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 300), aInt("gen_ai.usage.total_tokens", 1500),
					aStr("langsmith.trace.name", "weather"), aStr("langsmith.metadata.tenant", "acme"),
				})
			})
		},
	},
	{
		// Google ADK Go: agent, model call and tool spans in the
		// conventions' names with gen_ai.system, messages as JSON strings,
		// system instructions and tool definitions.
		name: "adk", model: "generate_content gemini-2.5-flash",
		emit: func(ctx context.Context, tr trace.Tracer) {
			inRequest(ctx, tr, "/run", func(ctx context.Context) {
				ctx, agent := tr.Start(ctx, "invoke_agent weather_agent", trace.WithAttributes(
					aStr("gen_ai.operation.name", "invoke_agent"), aStr("gen_ai.system", "gcp.vertex.agent"),
					aStr("gen_ai.agent.name", "weather_agent"), aStr("gen_ai.conversation.id", "sess-adk-1")))
				leaf(ctx, tr, "generate_content gemini-2.5-flash", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "generate_content"), aStr("gen_ai.system", "gcp.gemini"),
					aStr("gen_ai.request.model", "gemini-2.5-flash"), aInt("gen_ai.request.max_tokens", 512),
					aStr("gen_ai.system_instructions", `[{"type":"text","content":"You answer weather questions."}]`),
					aStr("gen_ai.tool.definitions", `[{"type":"function","name":"get_weather"}]`),
					aStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Weather in Lyon?"}]}]`),
					aStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Sunny, 24 degrees."}],"finish_reason":"stop"}]`),
					aStrs("gen_ai.response.finish_reasons", []string{"stop"}),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 300),
				})
				leaf(ctx, tr, "execute_tool get_weather", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "execute_tool"), aStr("gen_ai.system", "gcp.vertex.agent"), aStr("gen_ai.tool.name", "get_weather"),
					aStr("gen_ai.tool.call.id", "call-1"), aStr("gen_ai.tool.call.arguments", `{"city":"Lyon"}`), aStr("gen_ai.tool.call.result", `{"forecast":"sunny"}`),
				})
				agent.End()
			})
		},
	},
	{
		// Genkit Go: every action's span with genkit:* attributes, input and
		// output as JSON; Gemini's usage counts thoughts apart.
		name: "genkit", model: "googleai/gemini-2.5-flash",
		emit: func(ctx context.Context, tr trace.Tracer) {
			inRequest(ctx, tr, "/flow", func(ctx context.Context) {
				ctx, flow := tr.Start(ctx, "weatherFlow", trace.WithAttributes(
					aStr("genkit:type", "action"), aStr("genkit:metadata:subtype", "flow"), aStr("genkit:name", "weatherFlow"),
					aBool("genkit:isRoot", true), aStr("genkit:path", "/{weatherFlow,t:flow}"), aStr("genkit:state", "success"),
					aStr("genkit:input", `"Lyon"`), aStr("genkit:output", `"Sunny, 24 degrees."`)))
				leaf(ctx, tr, "googleai/gemini-2.5-flash", trace.SpanKindInternal, []attribute.KeyValue{
					aStr("genkit:type", "action"), aStr("genkit:metadata:subtype", "model"), aStr("genkit:name", "googleai/gemini-2.5-flash"),
					aStr("genkit:path", "/{weatherFlow,t:flow}/{googleai/gemini-2.5-flash,t:action,s:model}"), aStr("genkit:state", "success"),
					aStr("genkit:input", `{"messages":[{"role":"system","content":[{"text":"Be brief."}]},{"role":"user","content":[{"text":"Weather in Lyon?"}]}],"config":{"temperature":0.3,"maxOutputTokens":512}}`),
					aStr("genkit:output", `{"message":{"role":"model","content":[{"text":"Sunny, 24 degrees."}]},"finishReason":"stop","usage":{"inputTokens":1200,"outputTokens":300,"thoughtsTokens":100,"totalTokens":1600},"latencyMs":812.5}`),
				})
				flow.End()
			})
		},
	},
	{
		// The conventions before v1.37: gen_ai.system, content as message
		// events.
		name: "semconv-1.30", model: "chat gpt-4o",
		emit: func(ctx context.Context, tr trace.Tracer) {
			inRequest(ctx, tr, "/chat", func(ctx context.Context) {
				leaf(ctx, tr, "chat gpt-4o", trace.SpanKindClient, []attribute.KeyValue{
					aStr("gen_ai.operation.name", "chat"), aStr("gen_ai.system", "openai"),
					aStr("gen_ai.request.model", "gpt-4o"), aStr("gen_ai.response.model", "gpt-4o-2024-08-06"),
					aStrs("gen_ai.response.finish_reasons", []string{"stop"}),
					aInt("gen_ai.usage.input_tokens", 1200), aInt("gen_ai.usage.output_tokens", 300),
				}, func(sp trace.Span) {
					sp.AddEvent("gen_ai.system.message", trace.WithAttributes(aStr("gen_ai.system", "openai"), aStr("content", "Be brief.")))
					sp.AddEvent("gen_ai.user.message", trace.WithAttributes(aStr("gen_ai.system", "openai"), aStr("content", "Weather in Lyon?")))
					sp.AddEvent("gen_ai.choice", trace.WithAttributes(aStr("gen_ai.system", "openai"), aInt("index", 0), aStr("finish_reason", "stop"),
						aStr("message", `{"role":"assistant","content":"Sunny, 24 degrees."}`)))
				})
			})
		},
	},
}
