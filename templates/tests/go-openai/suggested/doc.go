// Package suggested holds the wrappers genaitrace-gen -suggest infers for
// go-openai's client, with no edits: annotations.yaml is the suggestion as printed
// (genaitrace's generator tests check it is current), and the test calls
// the wrappers against the SDK's wire format and checks what they record.
package suggested

//go:generate sh -c "go tool genaitrace-gen -suggest '*github.com/sashabaranov/go-openai.Client' > annotations.yaml"
//go:generate go tool genaitrace-gen -config annotations.yaml
