package runtime

import "github.com/genaitrace/genaitrace/runtime/pricing"

// dialectDefect is one value a destination must receive for a peer's
// span, as its source emits it (dialect_fixtures_test.go): what issue 22
// found wrong, fixed. Defects 1 and 2 (content) are TestDialectContentOff
// and TestDialectMasking.
type dialectDefect struct {
	defect        int // the numbered defect
	fixture, span string
	langfuse      bool // else Instana
	key           string
	want          any // none: absent
	why           string
}

// none marks an attribute that must not be sent.
var none = struct{}{}

// cost is genaitrace's estimate for usage u of model.
func cost(provider, model string, u pricing.Usage) float64 {
	c, _ := pricing.Default().Estimate(provider, model, u)
	return c.Total()
}

var dialectDefects = []dialectDefect{
	// 3. LangWatch HEAD reports the input without its cached part.
	{3, "langwatch", "chat.gpt-4o-mini", false, "gen_ai.usage.input_tokens", int64(1200), "200 uncached + 1,000 cached (gen_ai.usage.cached_input_tokens)"},
	{3, "langwatch", "chat.gpt-4o-mini", false, "gen_ai.usage.cache_read.input_tokens", int64(1000), "LangWatch's cached_input_tokens under the conventions' name"},
	{3, "langwatch", "chat.gpt-4o-mini", true, "langfuse.observation.usage_details",
		`{"input":200,"output":40,"input_cached_tokens":1000,"output_reasoning_tokens":20,"total":1260}`, "Langfuse's exclusive buckets add up to the provider's total"},
	{3, "langwatch", "chat.gpt-4o-mini", true, "gen_ai.usage.cached_input_tokens", none, "not counted a second time by Langfuse"},
	{3, "langwatch", "chat.gpt-4o-mini", false, "gen_ai.usage.cost",
		cost("openai", "gpt-4o-mini-2024-07-18", pricing.Usage{Input: 1200, Output: 60, CacheRead: 1000, Reasoning: 20}), "priced with the cache"},
	{3, "langwatch-v0.3", "openai.completions.gpt-4o-mini", false, "gen_ai.usage.input_tokens", int64(1200), "v0.3.0 reports the whole prompt: nothing added"},
	{3, "langwatch-v0.3", "openai.completions.gpt-4o-mini", false, "gen_ai.usage.cache_read.input_tokens", int64(1000), "read from the response it records whole"},

	// 4. LangSmith keeps the cache and reasoning split in langsmith.usage_metadata.
	{4, "langsmith", "openai.chat.completion", false, "gen_ai.usage.cache_read.input_tokens", int64(1000), "usage_metadata's input_token_details.cache_read"},
	{4, "langsmith", "openai.chat.completion", false, "gen_ai.usage.reasoning.output_tokens", int64(64), "usage_metadata's output_token_details.reasoning"},
	{4, "langsmith", "openai.chat.completion", false, "gen_ai.usage.cost",
		cost("openai", "gpt-4o-mini", pricing.Usage{Input: 1200, Output: 300, CacheRead: 1000, Reasoning: 64}), "the cached input at its price, not the full one"},
	{4, "langsmith", "anthropic.messages", true, "langfuse.observation.usage_details",
		`{"input":200,"output":300,"input_cached_tokens":1000,"input_cache_creation":50,"total":1550}`, "ephemeral_5m_input_tokens is the cache write"},
	{4, "langsmith", "openai.responses", false, "gen_ai.usage.cache_read.input_tokens", int64(1000), "a pricing bucket's flex_cache_read"},
	{4, "langsmith", "gemini.streamGenerateContent", false, "gen_ai.usage.output_tokens", int64(300), "Gemini's reasoning (gen_ai.usage.details.reasoning_tokens) is inside the output since v0.14.2: the total says so"},
	{4, "langsmith", "gemini.streamGenerateContent", false, "gen_ai.usage.reasoning.output_tokens", int64(64), "gen_ai.usage.details.reasoning_tokens"},
	{4, "langsmith", "agent.step", true, "langfuse.observation.usage_details", none, "the copy onto the caller's span is not a second usage"},
	{4, "langsmith", "agent.step", true, "gen_ai.usage.input_tokens", none, "Langfuse would read the copy as usage"},
	{4, "langsmith", "agent.step", false, "gen_ai.usage.prompt_tokens", none, "Instana gets no usage of its own for the copy"},
	{4, "genkit", "generate", true, "langfuse.observation.usage_details", "{}", "the generate util span's output repeats the model call's usage"},
	{4, "genkit", "generate#2", true, "langfuse.observation.usage_details", "{}", "every turn's"},

	// 5. Operations outside the conventions.
	{5, "langsmith", "openai.embedding", false, "gen_ai.operation.name", "embeddings", "LangSmith's embedding"},
	{5, "langsmith", "openai.embedding", true, "langfuse.observation.type", "embedding", "not a generation"},
	{5, "langsmith", "openai.responses", false, "gen_ai.operation.name", "chat", "LangSmith's responses"},
	{5, "langsmith", "openai.responses", false, "gen_ai.usage.cost",
		cost("openai", "gpt-5", pricing.Usage{Input: 1206, Output: 300, CacheRead: 1000, Reasoning: 64}), "a call with a cost"},
	{5, "langsmith", "gemini.streamGenerateContent", false, "gen_ai.operation.name", "generate_content", "stream_generate_content"},
	{5, "langsmith", "gemini.streamGenerateContent", false, "gen_ai.request.stream", true, "which streams"},
	{5, "langwatch", "responses.gpt-4.1-mini", false, "gen_ai.operation.name", "chat", "LangWatch's responses"},

	// 6. Genkit: tool.v2, and a flow's own input and output.
	{6, "genkit", "getWeather", true, "langfuse.observation.type", "tool", "subtype tool.v2"},
	{6, "genkit", "getWeather", true, "langfuse.observation.input", `{"city":"MARKER-CONTENT-tool-arguments"}`, "genkit:input"},
	{6, "genkit", "getWeather", true, "langfuse.observation.output", `{"forecast":"MARKER-CONTENT-tool-result"}`, "genkit:output without its {output} wrapper"},
	{6, "genkit", "weatherFlow", true, "langfuse.observation.input", `"MARKER-CONTENT-flow-input"`, "the flow's own argument, not the model's messages"},
	{6, "genkit", "weatherFlow", true, "langfuse.observation.output", `"MARKER-CONTENT-flow-output"`, "the flow's own return value"},
	{6, "genkit", "POST /flow", true, "langfuse.trace.input", `"MARKER-CONTENT-flow-input"`, "the trace's input is its outermost flow's"},
	{6, "openinference", "POST /chat", true, "langfuse.trace.output", "MARKER-CONTENT-agent-output", "and its outermost agent's"},

	// 7. The traceloop Go SDK's llm.* names.
	{7, "traceloop-go", "openai.chat", false, "gen_ai.request.model", "gpt-4o-mini", "llm.request.model"},
	{7, "traceloop-go", "openai.chat", false, "gen_ai.response.model", "gpt-4o-mini-2024-07-18", "llm.response.model"},
	{7, "traceloop-go", "openai.chat", false, "gen_ai.provider.name", "openai", "llm.vendor"},
	{7, "traceloop-go", "openai.chat", false, "gen_ai.usage.output_tokens", int64(85), "llm.usage.completion_tokens"},
	{7, "traceloop-go", "openai.chat", false, "gen_ai.usage.cost", cost("openai", "gpt-4o-mini-2024-07-18", pricing.Usage{Input: 1200, Output: 85}), "priced"},
	{7, "traceloop-go", "openai.chat", true, "langfuse.observation.usage_details", `{"input":1200,"output":85,"total":1285}`, "usage for Langfuse"},

	// 8. Google ADK.
	{8, "adk-v1", "generate_content gemini-2.5-flash", false, "gen_ai.provider.name", "gcp.gen_ai", "inferred: ADK's scope, a Gemini model, on an endpoint the span does not name"},
	{8, "adk-v2", "generate_content gemini-2.5-pro", false, "gen_ai.provider.name", "gcp.gen_ai", "v2 alike"},
	{8, "adk-v2", "execute_tool get_weather", true, "langfuse.observation.input", `{"city":"MARKER-CONTENT-tool-arguments"}`, "gcp.vertex.agent.tool_call_args"},
	{8, "adk-v2", "execute_tool get_weather", true, "langfuse.observation.output", `{"forecast":"MARKER-CONTENT-tool-result"}`, "gcp.vertex.agent.tool_response"},
	{8, "adk-v0.4", "call_llm", false, "gen_ai.provider.name", "gcp.gen_ai", "not gen_ai.system's gcp.vertex.agent, ADK's own name"},
	{8, "adk-v0.4", "call_llm", false, "gen_ai.system", "gcp.gen_ai", "Instana reads it as the provider"},
	{8, "adk-v0.4", "call_llm", false, "gen_ai.operation.name", "generate_content", "call_llm names no operation"},
	{8, "adk-v0.4", "call_llm", false, "gen_ai.usage.input_tokens", int64(1200), "gen_ai.response.prompt_token_count"},
	{8, "adk-v0.4", "call_llm", false, "gen_ai.usage.output_tokens", int64(65), "40 candidates + 25 thoughts (llm_response's thoughtsTokenCount; the total 1,265 agrees)"},
	{8, "adk-v0.4", "call_llm", true, "langfuse.observation.usage_details",
		`{"input":200,"output":40,"input_cached_tokens":1000,"output_reasoning_tokens":25,"total":1265}`, "the cached content apart"},
	{8, "adk-v0.4", "execute_tool (merged)", true, "langfuse.observation.input", none, `its arguments are "N/A"`},

	// 9. OpenInference's embedding model, finish reason.
	{9, "openinference", "CreateEmbeddings", false, "gen_ai.request.model", "text-embedding-3-small", "embedding.model_name"},
	{9, "openinference", "CreateEmbeddings", false, "gen_ai.usage.cost", cost("openai", "text-embedding-3-small", pricing.Usage{Input: 2}), "priced"},
	{9, "openinference", "openai.chat.completions.create", false, "gen_ai.response.finish_reasons", []any{"stop"}, "llm.finish_reason"},
	{9, "openinference", "openai.chat.completions.create", false, "gen_ai.request.model", "gpt-4o-mini", "the model asked for, from llm.invocation_parameters"},
	{9, "openinference", "retrieve", true, "langfuse.observation.output",
		`[{"content":"MARKER-CONTENT-retrieved-document","id":"doc-1","metadata":"{\"source\":\"MARKER-CONTENT-document-metadata\"}","score":0.92}]`, "the documents retrieved"},

	// 10. eino's apmplus callback.
	{10, "eino-apmplus", "OpenAI ChatModel", false, "gen_ai.provider.name", "openai", "runinfo.type, not gen_ai.system's eino"},
	{10, "eino-apmplus", "OpenAI ChatModel", false, "gen_ai.system", "openai", "Instana reads it as the provider"},
	{10, "eino-apmplus", "OpenAI ChatModel", false, "gen_ai.operation.name", "chat", "gen_ai.span.kind chatmodel"},
	{10, "eino-apmplus", "OpenAI ChatModel", false, "gen_ai.request.temperature", 0.7, "float32's 0.699999988079071 as written"},
	{10, "eino-apmplus", "OpenAI ChatModel", false, "gen_ai.request.max_tokens", none, "0 means unset"},
	{10, "eino-apmplus", "OpenAI ChatModel", true, "langfuse.observation.output",
		`[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":"{\"city\":\"MARKER-CONTENT-tool-call-arguments\"}"}],"finish_reason":"tool_calls"}]`,
		"a tool-call-only answer, dumped whole"},
	{10, "eino-apmplus", "get_weather", true, "langfuse.observation.input", `{"city":"MARKER-CONTENT-tool-arguments"}`, "the tool's arguments, unquoted"},
	{10, "eino-apmplus", "my_agent_graph", true, "langfuse.session.id", "sess-42", "gen_ai.session.id"},
	{10, "eino-apmplus", "my_agent_graph", true, "langfuse.user.id", "user-7", "gen_ai.user.id"},
	{10, "eino-apmplus", "my_agent_graph", true, "langfuse.observation.type", "chain", "gen_ai.span.kind workflow"},

	// 11. Time to first chunk.
	{11, "langwatch", "responses.gpt-4.1-mini", true, "langfuse.observation.completion_start_time", "start+412ms", "gen_ai.response.time_to_first_chunk, the conventions' own name"},
	{11, "langsmith", "openai.chat.completion#2", true, "langfuse.observation.completion_start_time", "start+420ms", "the new_token event"},
	{11, "langsmith", "openai.chat.completion#2", false, "gen_ai.response.time_to_first_chunk", 0.42, "and the time to it"},
	{11, "otelc-openai", "chat gpt-4o-mini#2", false, "gen_ai.response.time_to_first_chunk", 0.184233, "otelc's 184,233 µs"},
	{11, "eino-apmplus", "OpenAI ChatModel#2", true, "langfuse.observation.completion_start_time", "start+310ms", "eino's streaming_time_to_first_token (s)"},

	// 12. Odd values.
	{12, "eino-apmplus", "OpenAI ChatModel#2", false, "gen_ai.chat_completions.streaming_time_per_output_token", none, "+Inf with no output tokens: left out"},
	{12, "otelc-openai", "chat gpt-4o-mini", false, "gen_ai.provider.name", "azure.ai.openai", "otelc's host-derived azure"},
	{12, "otelc-openai", "embeddings text-embedding-3-small", false, "gen_ai.provider.name", "gcp.gen_ai", "otelc's google (Gemini's API or Vertex AI)"},
	{12, "otelc-openai", "chat gpt-4o-mini#2", false, "gen_ai.provider.name", "local", "a loopback gateway: no conventions name"},
	{12, "otelc-openai", "chat gpt-4o-mini#2", false, "gen_ai.usage.input_tokens", none, "0/0/0 without include_usage is no usage"},
	{12, "otelc-openai", "chat gpt-4o-mini#2", true, "langfuse.observation.usage_details", none, "which Langfuse may count itself"},
}
