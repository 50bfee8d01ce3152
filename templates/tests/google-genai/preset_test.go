package googlegenai

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/presets/googlegenai/internal/fake"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/genai"

	gt "github.com/genaitrace/genaitrace/runtime/genai"
)

func setup(t *testing.T, delay time.Duration) (*TracedGeminiModels, *tracetest.SpanRecorder) {
	client, err := genai.NewClient(context.Background(), &genai.ClientConfig{APIKey: "test-key", Backend: genai.BackendGeminiAPI,
		HTTPOptions: genai.HTTPOptions{BaseURL: fake.Server(t, delay).URL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder()
	return NewTracedGeminiModels(client.Models, gt.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))), rec
}

func TestGenerateContent(t *testing.T) {
	gt.SetCaptureContent(true)
	defer gt.SetCaptureContent(false)
	models, rec := setup(t, 0)
	temp := float32(0.7) // float32: recorded as 0.7, its shortest decimal
	resp, err := models.GenerateContent(context.Background(), "gemini-2.5-flash", genai.Text("hi"),
		&genai.GenerateContentConfig{Temperature: &temp, SystemInstruction: genai.NewContentFromText("Be brief.", genai.RoleUser)})
	if err != nil || resp.Text() != "Hello!" {
		t.Fatalf("GenerateContent: %v", err)
	}
	s := rec.Ended()[0]
	if s.Name() != "generate_content gemini-2.5-flash" {
		t.Errorf("span name %q", s.Name())
	}
	fake.Check(t, fake.Attrs(s), map[string]any{
		"gen_ai.provider.name": "gcp.gemini", "gen_ai.request.temperature": 0.7, "gen_ai.response.id": "resp-1",
		"gen_ai.response.model": "gemini-2.5-flash-001", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 8,
		"gen_ai.usage.reasoning.output_tokens": 3, "gen_ai.usage.cache_read.input_tokens": 4,
		"gen_ai.response.finish_reasons": "[STOP]",
		"gen_ai.output.messages":         `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}],"finish_reason":"STOP"}]`,
		"gen_ai.input.messages":          `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.system_instructions":     `[{"type":"text","content":"Be brief."}]`,
	})
	for _, unset := range []string{"gen_ai.request.max_tokens", "gen_ai.request.choice.count", "gen_ai.request.top_p", "gen_ai.request.presence_penalty"} {
		if v, ok := fake.Attrs(s)[unset]; ok {
			t.Errorf("%s = %v recorded though the config left it unset", unset, v.AsInterface())
		}
	}
}

func TestGenerateContentParameters(t *testing.T) {
	models, rec := setup(t, 0)
	topP, penalty := float32(0.9), float32(0.1)
	if _, err := models.GenerateContent(context.Background(), "gemini-2.5-flash", genai.Text("hi"), &genai.GenerateContentConfig{
		TopP: &topP, MaxOutputTokens: 256, CandidateCount: 2, PresencePenalty: &penalty, StopSequences: []string{"END"}}); err != nil {
		t.Fatal(err)
	}
	fake.Check(t, fake.Attrs(rec.Ended()[0]), map[string]any{
		"gen_ai.request.top_p": 0.9, "gen_ai.request.max_tokens": 256, "gen_ai.request.choice.count": 2,
		"gen_ai.request.presence_penalty": 0.1, "gen_ai.request.stop_sequences": "[END]",
	})
}

// TestFunctionCall: a candidate's function call is a tool_call part.
func TestFunctionCall(t *testing.T) {
	gt.SetCaptureContent(true)
	defer gt.SetCaptureContent(false)
	models, rec := setup(t, 0)
	resp, err := models.GenerateContent(context.Background(), fake.Tools, genai.Text("Weather in Paris?"), nil)
	if err != nil || len(resp.FunctionCalls()) != 1 {
		t.Fatalf("GenerateContent: %v %+v", err, resp)
	}
	fake.Check(t, fake.Attrs(rec.Ended()[0]), map[string]any{
		"gen_ai.response.finish_reasons": "[STOP]",
		"gen_ai.output.messages":         `[{"role":"assistant","parts":[{"type":"tool_call","id":"fc_1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"STOP"}]`,
	})
}

func TestGenerateContentStream(t *testing.T) {
	const delay = 60 * time.Millisecond
	gt.SetCaptureContent(true)
	defer gt.SetCaptureContent(false)
	models, rec := setup(t, delay)
	var text string
	for resp, err := range models.GenerateContentStream(context.Background(), "gemini-2.5-flash", genai.Text("hi"), nil) {
		if err != nil {
			t.Fatal(err)
		}
		text += resp.Text()
	}
	if text != "Hello" {
		t.Fatalf("stream text %q", text)
	}
	a := fake.Attrs(rec.Ended()[0])
	fake.Check(t, a, map[string]any{
		"gen_ai.request.stream": true, "genaitrace.stream.chunks": 2, "gen_ai.response.id": "resp-s",
		"gen_ai.output.messages":    `[{"role":"assistant","parts":[{"type":"text","content":"Hello"}],"finish_reason":"STOP"}]`,
		"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 3, "gen_ai.response.finish_reasons": "[STOP]",
	})
	if ttfc := a["gen_ai.response.time_to_first_chunk"].AsFloat64(); ttfc < delay.Seconds() {
		t.Errorf("time to first chunk %.3fs; the server waited %v", ttfc, delay)
	}
	for range models.GenerateContentStream(context.Background(), "gemini-2.5-flash", genai.Text("hi"), nil) {
		break // early
	}
	var streamErr error
	for _, err := range models.GenerateContentStream(context.Background(), "broken", genai.Text("hi"), nil) {
		if err != nil {
			streamErr = err
		}
	}
	spans := rec.Ended()
	if streamErr == nil || len(spans) != 3 || fake.Attrs(spans[1])["genaitrace.stream.chunks"].AsInt64() != 1 || spans[2].Status().Code != codes.Error {
		t.Errorf("early break / broken stream: err %v, %d spans", streamErr, len(spans))
	}
}

func TestEmbedContent(t *testing.T) {
	models, rec := setup(t, 0)
	if _, err := models.EmbedContent(context.Background(), "text-embedding-004", genai.Text("hi"), nil); err != nil {
		t.Fatal(err)
	}
	fake.Check(t, fake.Attrs(rec.Ended()[0]), map[string]any{"gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-004",
		"gen_ai.usage.input_tokens": 2, "gen_ai.embeddings.dimension.count": 4})
}

func TestAPIError(t *testing.T) {
	models, rec := setup(t, 0)
	_, err := models.GenerateContent(context.Background(), fake.Missing, genai.Text("hi"), nil)
	var apiErr genai.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 404 || apiErr.Status != "NOT_FOUND" {
		t.Fatalf("GenerateContent: %v, want the API's 404", err)
	}
	if s := rec.Ended()[0]; s.Status().Code != codes.Error || fake.Attrs(s)["error.type"].AsString() != "404" {
		t.Errorf("status %v, error.type %v, want 404", s.Status(), fake.Attrs(s)["error.type"].AsInterface())
	}
}
