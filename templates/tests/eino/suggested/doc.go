// Package suggested holds the wrappers genaitrace-gen -suggest infers for
// eino's tool-calling chat model interface, with no edits: annotations.yaml is the suggestion as printed
// (genaitrace's generator tests check it is current), and the test calls
// the wrappers against the SDK's wire format and checks what they record.
package suggested

//go:generate sh -c "go tool genaitrace-gen -suggest 'github.com/cloudwego/eino/components/model.ToolCallingChatModel' > annotations.yaml"
//go:generate go tool genaitrace-gen -config annotations.yaml
