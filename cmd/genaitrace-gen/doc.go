// Genaitrace-gen generates OpenTelemetry GenAI tracing wrappers for Go
// interfaces of LLM, agent and tool clients, from a mapping that says where
// the model, the messages, the token counts, the tool name and so on live in
// each method's parameters and results.
//
// Add one line to the package the wrappers belong in:
//
//	//go:generate go tool genaitrace-gen -config ../annotations.yaml
//
// after adding the tool to the module once:
//
//	go get -tool github.com/genaitrace/genaitrace/cmd/genaitrace-gen
//
// or, from a local checkout or a fork's clone, which the module proxy does
// not serve (path is its directory; tools/localtool/check.sh runs this in
// CI):
//
//	go mod edit -require=github.com/genaitrace/genaitrace@v0.0.0-00010101000000-000000000000 -replace=github.com/genaitrace/genaitrace=path -tool=github.com/genaitrace/genaitrace/cmd/genaitrace-gen && go mod tidy
//
// (or, without go tool: //go:generate go run github.com/genaitrace/genaitrace/cmd/genaitrace-gen -config ...).
// go generate then writes genaitrace_gen.go with, for each mapped interface
// Client, a type TracedClient and a constructor
//
//	func NewTracedClient(inner Client, opts ...genai.Option) *TracedClient
//
// whose methods start a span named per the GenAI conventions ("chat
// gpt-4o", "execute_tool search", "invoke_agent planner"), record the
// mapped attributes straight from typed fields (no reflection, no maps per
// call), pass the span's context down in place of the method's
// context.Context, record error.type and an error status when the method
// fails, and call through. Spans go to the global TracerProvider unless
// genai.WithTracerProvider is given. A wrapper of a deprecated method
// carries its Deprecated: paragraph. A file that cannot help naming what
// the SDK deprecates (an interface emitted for a concrete type declares its
// deprecated methods; a signature or path names a deprecated type or field)
// starts with //lint:file-ignore SA1019 and why, so staticcheck passes on
// it; the deprecations are read from the packages the mapping names.
//
// # The mapping
//
// annotations.yaml lists, per package the wrappers are generated into,
// the interfaces to wrap and, per method, the operation, the provider, and
// paths into parameters and results:
//
//	packages:
//	  example.com/app/llm:            # the package to generate into
//	    output: genaitrace_gen.go     # the default
//	    wrappers:
//	      Client:                     # interface Client of that package
//	        provider: openai          # defaults for every method
//	        operation: chat
//	        methods:
//	          Complete:
//	            request_model: req.Model
//	            input_tokens: result.Usage.PromptTokens
//	            finish_reasons: result.Choices[*].FinishReason
//	            input: {path: req.Messages, role: Role, content: Content}
//	          Close: {skip: true}
//	      Search:                     # an interface of another package
//	        type: example.com/tools.Searcher
//	        operation: execute_tool
//	        tool_name: {const: search}
//	      Chat:                       # the exported methods of a concrete type;
//	        type: "*example.com/sdk.ChatService"  # the interface Chat is emitted
//
// Paths name a parameter (unnamed ones are arg0, arg1, ...) or a result
// (result, or result0, result1, ... when several; err is the error), then
// fields through pointers and embedded structs (.Usage.PromptTokens),
// elements ([0], or [*] for all of them), map values (.Info["PromptTokens"],
// an any value read by its dynamic type), methods without arguments
// (.GetModel()), and len(...). A variadic parameter of functional options
// (...Option, with type Option func(*Options)) reads as the Options its
// options set: options.Model. One of struct options whose fields are the
// SDK's own (eino's model.Option) reads through the SDK's getter
// (model.GetCommonOptions(nil, opts...)): the only one the option type's
// package declares, or the one options: pkg.Func names. Every path is type-checked when generating;
// every pointer on it is checked for nil in the generated code, so a nil
// leaves the attribute unset. Empty strings are not recorded.
//
// A value is a path or {const: v}, or: {path: p, when: b} (recorded only
// when the bool path b is true: an SDK's optional values); a list of paths,
// summed (token counts reported in parts); {first: [p1, p2]}, the first
// one present (keys that differ by provider); {path: p, nonzero: true}, a
// zero not recorded (as for a field tagged omitempty: it was not sent;
// nonzero: false records it); for messages, {path: list, role: ...,
// content: ..., finish_reason: ..., tool_calls: {path: ..., id: ...,
// name: ..., arguments: ...}} relative to each element (or one message),
// or {json: p}, read from the JSON p marshals to (SDKs whose messages are
// unions; OpenAI's choices with their tool calls). A float32 is recorded as
// its shortest decimal (0.7).
//
// Presets map well-known SDKs; name them (preset: name, or presets: [a, b])
// and extend them (your keys win one by one, at every level: a wrapper's,
// a method's, a stream's and its chunk's; the preset's others stay):
//
//	packages:
//	  example.com/app/llm:
//	    presets: [openai-go]
//	    wrappers:
//	      OpenAIChatCompletions:
//	        methods:
//	          New: {conversation_id: {const: support}}
//
// The presets are anthropic-sdk-go, anthropic-sdk-go-v2, aws-bedrock, eino
// (eino's ToolCallingChatModel), go-openai, google-genai, langchaingo,
// mcp-go (mark3labs' MCP client: tool calls, failed when the result says
// isError), mcp-go-sdk (the official MCP SDK: tool calls, with the trace
// context in _meta), ollama and openai-go; each file under templates/ in
// genaitrace's repository names the SDK version it is tested against.
//
// A method that streams its answer sets stream: its span stays open until
// the stream is drained, fails or is closed, and records the time to the
// first chunk, the chunk count, and what the chunks carry:
//
//	NewStreaming:
//	  request_model: body.Model
//	  stream:
//	    chunk:                      # paths rooted at each chunk; the last value wins
//	      output_tokens: chunk.Usage.CompletionTokens
//	      finish_reasons: chunk.Choices[*].FinishReason
//	      output: chunk.Choices[0].Delta.Content   # text deltas, joined
//
// The stream is found by type: an iter.Seq or iter.Seq2 (Seq2[T, error]
// fails on an error), a receive channel, a type with Next() bool,
// Current() T and Err() error, or a type with Recv() (T, error) ended by
// io.EOF (go-openai's streams, gRPC's, eino's), either with Close() error
// or Close() if it has one (next:, current:, err:, recv: and close: rename
// them). A traced SDK stream embeds the SDK's: returned as the interface
// the method returns (gRPC's ServerStreamingClient[T]), or, on a concrete
// type, as a traced stream type of its own. A concrete stream type an
// interface must return as it is (eino's *schema.StreamReader[T]) is
// copied through the SDK's pipe, named with pipe:
// github.com/cloudwego/eino/schema.Pipe. callback: fn names a func(T)
// error parameter called per chunk instead. chunk_error: chunk.Err fails the stream on a chunk that
// carries an error. A stream neither drained nor closed ends its span after
// genai.StreamIdleTimeout (5 minutes) without a chunk.
//
// The keys a method (or, as a default, a wrapper) may set: operation (chat,
// text_completion, generate_content, embeddings, retrieval, execute_tool,
// invoke_agent, create_agent, invoke_workflow, or span for a plain span),
// provider, kind, span_name, skip, error_when (a bool path into the
// results, result.IsError: the call failed though it returned no error),
// error_type (the error.type of a failed call: a constant, or read from the
// SDK's error, [{as: "*pkg.APIError", path: err.HTTPStatusCode}, fallback],
// errors.As to each type in turn; {is: pkg.ErrNotFound, const: "-32602"}
// names the error.type of an SDK's sentinel error), options (the SDK's getter of struct
// options), propagate (the request's metadata map, params.Meta: the call's
// trace context is added to a copy, so an MCP server's spans join the
// trace), unmapped (wrapper only: span or skip), and the attribute keys request_model,
// response_model, response_id, input_tokens, output_tokens,
// cache_read_tokens, cache_creation_tokens, reasoning_tokens,
// finish_reasons, temperature, top_p, top_k, max_tokens, frequency_penalty,
// presence_penalty, stop_sequences, seed, choice_count, stream,
// output_type, tool_name, tool_call_id, tool_description, tool_type,
// agent_name, agent_id, agent_description, workflow_name, conversation_id,
// server_address, server_port, embedding_dimensions, and the content keys
// input, output, system_instructions, tool_arguments and tool_result
// (tool_result: {json: result.Content} records the JSON of a structured
// value or union), which are recorded only when content capture is on (genai.SetCaptureContent or
// TELEMETRY_CAPTURE_CONTENT=true). A wrapper-level path applies to the
// methods that have its first name. Empty strings are not recorded, nor the
// empty strings of a list. A method of which the mapping says nothing and to
// which no wrapper-level path applies is called straight through, without
// a span, when it takes no context.Context (Close, WithTools, an ID()
// getter: a span would start a trace of its own), and is a plain span
// otherwise, not a model call of the wrapper's operation (Ping);
// unmapped: skip on a wrapper calls all of them straight through. A method
// returning an iterator has its span cover the iteration, as a stream's. A
// method returning an interface a wrapper of the same file wraps (eino's
// WithTools returns a ToolCallingChatModel) returns it wrapped, so that
// what is done with it is traced too. The annotations.yaml at the root of genaitrace's repository is a
// commented example.
//
// # Suggesting a mapping
//
// -suggest prints a commented annotations.yaml for the types it names,
// inferred from their methods' parameter and result types, instead of
// generating:
//
//	go tool genaitrace-gen -suggest Client > annotations.yaml
//	go tool genaitrace-gen -suggest '*github.com/openai/openai-go/v3.ChatCompletionService'
//
// A type is an interface of the package in -dir (Client), of another
// package (example.com/llm.Client, or llms.Model for a package it
// imports), or a concrete type's exported methods (the * may be left
// out). Fields and parameters named like a model, sampling parameters,
// messages, token counts, finish reasons, tool names, arguments and
// results, tool calls in the answer, and streamed results (iterators,
// channels, SDK stream types with the SDK's pipe when one is needed,
// callbacks) are suggested under their keys. The operation follows each
// method's name and types, not the interface's name (eino's
// ToolCallingChatModel.Generate is a chat; MCP's CallTool a tool call, its
// Tools listing none); methods that manage things (Get, Retrieve..., Modify,
// Cancel, List, Delete, Close, Create... of no model word) are left as plain
// spans, so a polling getter does not record usage again. Every line is type-checked
// as generation would check it before it is printed, so the output
// generates as it is; the lines it is unsure of end in "# unsure: why".
//
// # Usage
//
//	genaitrace-gen [flags]
//
// Flags:
//
//	-config path   the mapping (default annotations.yaml)
//	-dir path      the package to generate into (default ".")
//	-all           generate every package of the mapping in one load
//	-tags list     build tags for loading, comma-separated (GOFLAGS is honoured too)
//	-check         write nothing; exit 1 with a diff if a generated file is out of date
//	-suggest types print a mapping inferred from the types (comma-separated) instead of generating
//	-debug         print the resolved model
//	-version       print the version
//
// Errors in the mapping and in the Go code are all reported, each as
// file:line:col: what is wrong, and how to fix it; the exit status is 1.
// Mistakes in the command line exit with status 2.
//
// Generated files start with "// Code generated by genaitrace-gen. DO NOT
// EDIT." and the mapping's hash; a file that does not is never
// overwritten. Unchanged output is not rewritten, and writes are atomic.
package main
