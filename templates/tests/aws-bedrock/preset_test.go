package awsbedrock

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"example.com/presets/awsbedrock/internal/fake"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

func TestConverseAndInvokeModel(t *testing.T) {
	genai.SetCaptureContent(true)
	defer genai.SetCaptureContent(false)
	client := bedrockruntime.New(bedrockruntime.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.Server(t).URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}, nil
		})})
	rec := tracetest.NewSpanRecorder()
	br := NewTracedBedrockRuntime(client, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	const model = "anthropic.claude-sonnet-5-5-v1:0"
	out, err := br.Converse(context.Background(), &bedrockruntime.ConverseInput{
		ModelId:         aws.String(model),
		Messages:        []types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "hi"}}}},
		System:          []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: "Be brief."}},
		InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(200), Temperature: aws.Float32(0.7)},
	})
	if err != nil || out.StopReason != types.StopReasonEndTurn {
		t.Fatalf("Converse: %v", err)
	}
	if _, err := br.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{ModelId: aws.String(model), Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	if spans[0].Name() != "chat "+model {
		t.Errorf("span name %q", spans[0].Name())
	}
	want := map[string]any{
		"gen_ai.provider.name": "aws.bedrock", "gen_ai.request.model": model, "gen_ai.request.max_tokens": 200,
		"gen_ai.request.temperature": 0.7, "gen_ai.usage.input_tokens": 13, "gen_ai.usage.output_tokens": 5,
		"gen_ai.usage.cache_read.input_tokens": 2, "gen_ai.usage.cache_creation.input_tokens": 1,
		"gen_ai.response.finish_reasons": "[end_turn]",
		"gen_ai.input.messages":          `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.system_instructions":     `[{"type":"text","content":"Be brief."}]`,
		"gen_ai.output.messages":         `[{"role":"assistant","parts":[{"type":"text","content":"Hello!"}]}]`,
	}
	a := fake.Attrs(spans[0])
	for k, w := range want {
		if v, ok := a[k]; !ok || fmt.Sprint(v.AsInterface()) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", k, v.AsInterface(), w)
		}
	}
	if _, ok := a["gen_ai.request.top_p"]; ok {
		t.Error("an unset top_p was recorded")
	}
	if m := fake.Attrs(spans[1])["gen_ai.request.model"].AsString(); m != model {
		t.Errorf("InvokeModel model %q", m)
	}
}

func TestServiceError(t *testing.T) {
	client := bedrockruntime.New(bedrockruntime.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.Server(t).URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}, nil
		})})
	rec := tracetest.NewSpanRecorder()
	br := NewTracedBedrockRuntime(client, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	_, err := br.Converse(context.Background(), &bedrockruntime.ConverseInput{ModelId: aws.String(fake.Invalid),
		Messages: []types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "hi"}}}}})
	var invalid *types.ValidationException
	if !errors.As(err, &invalid) {
		t.Fatalf("Converse: %v, want a ValidationException", err)
	}
	if s := rec.Ended()[0]; s.Status().Code != codes.Error || fake.Attrs(s)["error.type"].AsString() != "400" {
		t.Errorf("status %v, error.type %v, want 400", s.Status(), fake.Attrs(s)["error.type"].AsInterface())
	}
}
