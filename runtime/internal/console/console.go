// Package console is the destination used when none is configured: it
// prints every finished trace as an indented tree.
package console

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/genaitrace/genaitrace/runtime/export"
	"go.opentelemetry.io/otel/trace"
)

// Console prints every finished trace as an indented tree: operation and
// name, model, tokens, cost, duration and error, readable at a glance. It is
// the destination used when none is configured.
//
// A trace is printed when its local root span ends; spans of a trace whose
// root never ends here are printed after OrphanTimeout.
type Console struct {
	w             io.Writer
	orphanTimeout time.Duration

	inbox chan []*export.Span
	done  chan struct{}
	flush chan chan struct{}

	mu     sync.Mutex // guards traces and closed
	traces map[trace.TraceID]*consoleTrace
	closed bool

	printedTraces, printedSpans atomic.Int64
}

// Stats counts what the console printed.
type Stats struct {
	Traces int64 `json:"traces"`
	Spans  int64 `json:"spans"`
}

// Stats returns what the console printed so far.
func (c *Console) Stats() Stats {
	return Stats{Traces: c.printedTraces.Load(), Spans: c.printedSpans.Load()}
}

type consoleTrace struct {
	spans []*export.Span
	first time.Time
}

// New returns a console printing to w.
func New(w io.Writer) *Console {
	c := &Console{
		w:             w,
		orphanTimeout: 30 * time.Second,
		inbox:         make(chan []*export.Span, 256),
		done:          make(chan struct{}),
		flush:         make(chan chan struct{}),
		traces:        map[trace.TraceID]*consoleTrace{},
	}
	go c.run()
	return c
}

// Name returns "console".
func (c *Console) Name() string { return "console" }

// Consume queues spans for printing; when the console falls behind, spans
// are not printed rather than delaying anything else.
func (c *Console) Consume(spans []*export.Span) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	select {
	case c.inbox <- spans:
	default:
	}
}

func (c *Console) run() {
	defer close(c.done)
	sweep := time.NewTicker(time.Second)
	defer sweep.Stop()
	for {
		select {
		case spans, ok := <-c.inbox:
			if !ok {
				c.printAll()
				return
			}
			c.add(spans)
		case ack := <-c.flush:
			c.drainInbox()
			close(ack)
		case <-sweep.C:
			c.printOrphans(time.Now().Add(-c.orphanTimeout))
		}
	}
}

func (c *Console) drainInbox() {
	for {
		select {
		case spans := <-c.inbox:
			c.add(spans)
		default:
			return
		}
	}
}

func (c *Console) add(spans []*export.Span) {
	for _, s := range spans {
		tid := s.SpanContext().TraceID()
		t := c.traces[tid]
		if t == nil {
			t = &consoleTrace{first: time.Now()}
			c.traces[tid] = t
		}
		t.spans = append(t.spans, s)
		if s.IsLocalRoot() {
			c.print(tid, t.spans)
			delete(c.traces, tid)
		}
	}
}

func (c *Console) printOrphans(before time.Time) {
	for tid, t := range c.traces {
		if t.first.Before(before) {
			c.print(tid, t.spans)
			delete(c.traces, tid)
		}
	}
}

func (c *Console) printAll() { c.printOrphans(time.Now().Add(time.Hour)) }

func (c *Console) print(tid trace.TraceID, spans []*export.Span) {
	c.printedTraces.Add(1)
	c.printedSpans.Add(int64(len(spans)))
	_, _ = io.WriteString(c.w, formatTree(tid, spans))
}

// Flush prints what has arrived so far.
func (c *Console) Flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case c.flush <- ack:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown prints every trace held, complete or not.
func (c *Console) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.inbox)
	}
	c.mu.Unlock()
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// formatTree renders one trace as the console prints it.
func formatTree(tid trace.TraceID, spans []*export.Span) string {
	children := map[trace.SpanID][]*export.Span{}
	ids := map[trace.SpanID]bool{}
	for _, s := range spans {
		ids[s.SpanContext().SpanID()] = true
	}
	var roots []*export.Span
	for _, s := range spans {
		if p := s.Parent().SpanID(); p.IsValid() && ids[p] {
			children[p] = append(children[p], s)
		} else {
			roots = append(roots, s)
		}
	}
	byStart := func(a, b *export.Span) int { return a.StartTime().Compare(b.StartTime()) }
	slices.SortFunc(roots, byStart)
	for _, kids := range children {
		slices.SortFunc(kids, byStart)
	}

	type line struct{ label, detail string }
	var lines []line
	var walk func(s *export.Span, prefix string, last, top bool)
	walk = func(s *export.Span, prefix string, last, top bool) {
		branch, next := "", prefix
		if !top {
			branch, next = prefix+"├─ ", prefix+"│  "
			if last {
				branch, next = prefix+"└─ ", prefix+"   "
			}
		}
		lines = append(lines, line{branch + s.Name(), spanDetail(s)})
		kids := children[s.SpanContext().SpanID()]
		for i, k := range kids {
			walk(k, next, i == len(kids)-1, false)
		}
	}
	for _, r := range roots {
		walk(r, "", true, true)
	}

	width := 0
	for _, l := range lines {
		width = max(width, len([]rune(l.label)))
	}
	var b strings.Builder
	b.WriteString(traceSummary(tid, spans, roots))
	for _, l := range lines {
		pad := width - len([]rune(l.label)) + 2
		fmt.Fprintf(&b, "  %s%s%s\n", l.label, strings.Repeat(" ", pad), l.detail)
	}
	return b.String()
}

func traceSummary(tid trace.TraceID, spans, roots []*export.Span) string {
	var tokens int64
	var cost float64
	errs := 0
	start, end := spans[0].StartTime(), spans[0].EndTime()
	for _, s := range spans {
		tokens += s.Facts.Usage.Input + s.Facts.Usage.Output
		cost += s.Facts.Cost.Total()
		if s.Facts.Error {
			errs++
		}
		if s.StartTime().Before(start) {
			start = s.StartTime()
		}
		if s.EndTime().After(end) {
			end = s.EndTime()
		}
	}
	name := roots[0].Name()
	if tf := roots[0].Trace.Fields(); tf.Name != "" {
		name = tf.Name
	}
	parts := []string{"trace " + tid.String(), name, plural(len(spans), "span"), fmtDuration(end.Sub(start))}
	if tokens > 0 {
		parts = append(parts, plural(int(tokens), "token"))
	}
	if cost > 0 {
		parts = append(parts, fmtCost(cost))
	}
	if errs > 0 {
		parts = append(parts, plural(errs, "error"))
	}
	return "── " + strings.Join(parts, " · ") + "\n"
}

func spanDetail(s *export.Span) string {
	f := s.Facts
	parts := []string{fmt.Sprintf("%8s", fmtDuration(s.EndTime().Sub(s.StartTime())))}
	if m := f.Model(); m != "" {
		parts = append(parts, m)
	}
	if f.HasUsage {
		parts = append(parts, fmt.Sprintf("in %d · out %d tok", f.Usage.Input, f.Usage.Output))
	}
	if f.HasCost {
		parts = append(parts, fmtCost(f.Cost.Total()))
	}
	if f.Error {
		msg := cmp.Or(s.Status().Description, f.ErrorType, "error")
		parts = append(parts, "✗ "+msg)
	}
	return strings.Join(parts, "  ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%dµs", d.Microseconds())
}

func fmtCost(usd float64) string { return fmt.Sprintf("$%.6f", usd) }
