package genai_test

import (
	"context"
	"fmt"

	"github.com/genaitrace/genaitrace/runtime/genai"
)

// Attach a session, a user and tags to a request's context: every span
// started under it carries them to Instana and Langfuse.
func ExampleWithSession() {
	ctx := genai.WithSession(context.Background(), "conversation-42")
	ctx = genai.WithUser(ctx, "user-7")
	ctx = genai.WithTags(ctx, "beta")

	a := genai.FromContext(ctx)
	fmt.Println(a.SessionID, a.UserID, a.Tags)
	// Output: conversation-42 user-7 [beta]
}

// Build gen_ai.input.messages without reflection.
func ExampleMessages() {
	var m genai.Messages
	m.Add("user", "What is the weather?", "")
	fmt.Println(m.String())
	// Output: [{"role":"user","parts":[{"type":"text","content":"What is the weather?"}]}]
}
