package genai

import (
	"context"
	"maps"
	"slices"
)

// TraceAttrs are the trace-level facts attached to a context with the With*
// helpers. Every span started under such a context carries them to every
// destination: Langfuse stores them per observation (session, user, tags,
// metadata) and Instana shows them as span tags.
//
// A TraceAttrs value held in a context is never modified; the helpers copy.
type TraceAttrs struct {
	SessionID string
	UserID    string
	Tags      []string
	Metadata  map[string]string
	// TraceName overrides the trace name, which is otherwise the name its
	// local root (its first span in this process) has when it ends.
	TraceName string
}

type traceAttrsKey struct{}

// FromContext returns the trace attributes attached to ctx, or nil.
func FromContext(ctx context.Context) *TraceAttrs {
	a, _ := ctx.Value(traceAttrsKey{}).(*TraceAttrs)
	return a
}

func with(ctx context.Context, edit func(*TraceAttrs)) context.Context {
	next := TraceAttrs{}
	if prev := FromContext(ctx); prev != nil {
		next = *prev
		next.Tags = slices.Clone(prev.Tags)
		next.Metadata = maps.Clone(prev.Metadata)
	}
	edit(&next)
	return context.WithValue(ctx, traceAttrsKey{}, &next)
}

// WithSession attaches a session (conversation) ID. Langfuse groups traces by
// it; it is also recorded as session.id.
func WithSession(ctx context.Context, id string) context.Context {
	return with(ctx, func(a *TraceAttrs) { a.SessionID = id })
}

// WithUser attaches the end user's ID, recorded as user.id.
func WithUser(ctx context.Context, id string) context.Context {
	return with(ctx, func(a *TraceAttrs) { a.UserID = id })
}

// WithTags adds tags to the trace. Duplicates are ignored.
func WithTags(ctx context.Context, tags ...string) context.Context {
	return with(ctx, func(a *TraceAttrs) {
		for _, t := range tags {
			if !slices.Contains(a.Tags, t) {
				a.Tags = append(a.Tags, t)
			}
		}
	})
}

// WithMetadata adds one metadata key and value to the trace.
func WithMetadata(ctx context.Context, key, value string) context.Context {
	return with(ctx, func(a *TraceAttrs) {
		if a.Metadata == nil {
			a.Metadata = make(map[string]string, 1)
		}
		a.Metadata[key] = value
	})
}

// WithTraceName names the trace. Without it, the trace is named after its
// local root (its first span in this process), by the name the root has
// when it ends: an HTTP server span renamed after its route names the
// trace by the route.
func WithTraceName(ctx context.Context, name string) context.Context {
	return with(ctx, func(a *TraceAttrs) { a.TraceName = name })
}
