package genai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

type typed struct{}

func (typed) Error() string     { return "typed" }
func (typed) ErrorType() string { return "quota_exceeded" }

func TestErrorTypeOf(t *testing.T) {
	for _, tc := range []struct {
		err      error
		fallback string
		want     string
	}{
		{nil, "", ""},
		{errors.New("x"), "", "_OTHER"},
		{errors.New("x"), "pkg.MyError", "pkg.MyError"},
		{context.Canceled, "", "canceled"},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), "", "timeout"},
		{fmt.Errorf("wrapped: %w", typed{}), "", "quota_exceeded"},
	} {
		if got := ErrorTypeOf(tc.err, tc.fallback); got != tc.want {
			t.Errorf("ErrorTypeOf(%v, %q) = %q, want %q", tc.err, tc.fallback, got, tc.want)
		}
	}
}

func TestMessagesAreConventionJSON(t *testing.T) {
	var m Messages
	if m.String() != "[]" {
		t.Fatal("empty list")
	}
	m.Add("user", "hi \"you\"\n", "")
	m.Add("assistant", "ok", "stop")
	var got []struct {
		Role  string `json:"role"`
		Parts []struct {
			Type    string `json:"type"`
			Content string `json:"content"`
		} `json:"parts"`
		FinishReason string `json:"finish_reason"`
	}
	if err := json.Unmarshal([]byte(m.String()), &got); err != nil {
		t.Fatalf("%s: %v", m.String(), err)
	}
	if len(got) != 2 || got[0].Parts[0].Content != "hi \"you\"\n" || got[1].FinishReason != "stop" || got[0].Parts[0].Type != "text" {
		t.Errorf("%+v", got)
	}
	if TextMessage("system", "be brief") != `[{"role":"system","parts":[{"type":"text","content":"be brief"}]}]` {
		t.Error(TextMessage("system", "be brief"))
	}
}

func TestContextHelpersCopy(t *testing.T) {
	base := WithTags(WithSession(context.Background(), "s1"), "a")
	child := WithMetadata(WithTags(WithUser(base, "u1"), "b", "a"), "k", "v")
	if a := FromContext(base); a.SessionID != "s1" || len(a.Tags) != 1 || a.UserID != "" || a.Metadata != nil {
		t.Errorf("parent changed: %+v", a)
	}
	a := FromContext(child)
	if a.SessionID != "s1" || a.UserID != "u1" || len(a.Tags) != 2 || a.Metadata["k"] != "v" {
		t.Errorf("child: %+v", a)
	}
	if FromContext(context.Background()) != nil {
		t.Error("attributes from an empty context")
	}
}

func TestCaptureContentSwitch(t *testing.T) {
	defer SetCaptureContent(CaptureContent())
	SetCaptureContent(true)
	if !CaptureContent() {
		t.Fatal("switch on")
	}
	SetCaptureContent(false)
	if CaptureContent() {
		t.Fatal("switch off")
	}
}
