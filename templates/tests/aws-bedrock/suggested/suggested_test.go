package suggested

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"example.com/presets/awsbedrock/internal/fake"
	"github.com/genaitrace/genaitrace/runtime/genai"
)

// TestSuggestedMappingRecords calls Converse and InvokeModel through the
// suggestion's wrapper, unedited, over Bedrock Runtime's REST protocol.
func TestSuggestedMappingRecords(t *testing.T) {
	client := bedrockruntime.New(bedrockruntime.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.Server(t).URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}, nil
		})})
	rec := tracetest.NewSpanRecorder()
	br := NewTracedClient(client, genai.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
	const model = "anthropic.claude-sonnet-5-5-v1:0"
	ctx := context.Background()
	if _, err := br.Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId:         aws.String(model),
		Messages:        []types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "hi"}}}},
		InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(200), Temperature: aws.Float32(0.5)},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := br.InvokeModel(ctx, &bedrockruntime.InvokeModelInput{ModelId: aws.String(model), Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2", len(spans))
	}
	want := map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "aws.bedrock", "gen_ai.request.model": model,
		"gen_ai.request.max_tokens": 200, "gen_ai.request.temperature": 0.5, "gen_ai.usage.input_tokens": 10,
		"gen_ai.usage.output_tokens": 5, "gen_ai.usage.cache_read.input_tokens": 2, "gen_ai.usage.cache_creation.input_tokens": 1,
		"gen_ai.response.finish_reasons": `["end_turn"]`,
	}
	a := fake.Attrs(spans[0])
	for k, w := range want {
		if got, ok := a[k]; !ok || got.String() != fmt.Sprint(w) {
			t.Errorf("Converse: %s = %v, want %v", k, got.String(), w)
		}
	}
	if m := fake.Attrs(spans[1])["gen_ai.request.model"].AsString(); m != model {
		t.Errorf("InvokeModel: model %q, want %q", m, model)
	}
}
