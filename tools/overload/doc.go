// Package overload is a whole-process benchmark: an application making
// spans in one process, OTLP/HTTP receivers in another, and the
// application's CPU and peak memory measured with getrusage, for no
// export at all, the OpenTelemetry SDK's BatchSpanProcessor with one and
// two otlptracehttp exporters, and genaitrace with one and two
// destinations. See BenchmarkOverload.
package overload
