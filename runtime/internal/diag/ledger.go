package diag

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/genaitrace/genaitrace/runtime/export"
)

// Ledger totals model calls, tokens and cost per model in one-minute
// buckets over the last day, from every span (the store keeps only the
// recent ones). It is a consumer of the pipeline.
type Ledger struct {
	mu      sync.Mutex
	buckets map[int64]map[string]*modelTotals // unix minute → model → totals
}

// modelTotals are one model's calls. A model is named as it was asked for
// (a failed call has no response model, and must not make a row of its
// own); Unpriced counts calls whose cost is unknown.
type modelTotals struct {
	Model        string  `json:"model"`
	Calls        int     `json:"calls"`
	Errors       int     `json:"error_count"`
	InputTokens  int64   `json:"input_tokens"`
	OutputTokens int64   `json:"output_tokens"`
	CostUSD      float64 `json:"cost_usd"`
	Unpriced     int     `json:"unpriced_calls"`
}

func (m *modelTotals) add(f *export.Facts) {
	m.Calls++
	if f.Error {
		m.Errors++
	}
	m.InputTokens += f.Usage.Input
	m.OutputTokens += f.Usage.Output
	if f.HasCost {
		m.CostUSD += f.Cost.Total()
	} else if f.HasUsage {
		m.Unpriced++
	}
}

func (m *modelTotals) merge(o *modelTotals) {
	m.Calls += o.Calls
	m.Errors += o.Errors
	m.InputTokens += o.InputTokens
	m.OutputTokens += o.OutputTokens
	m.CostUSD += o.CostUSD
	m.Unpriced += o.Unpriced
}

// modelName is what a model call is totalled under: the model asked for,
// else the one that answered.
func modelName(f *export.Facts) string { return cmp.Or(f.RequestModel, f.ResponseModel) }

const ledgerSpan = 24 * time.Hour

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{buckets: map[int64]map[string]*modelTotals{}} }

// Name returns "usage".
func (l *Ledger) Name() string { return "usage" }

// Flush has nothing to deliver.
func (l *Ledger) Flush(context.Context) error { return nil }

// Shutdown keeps the totals.
func (l *Ledger) Shutdown(context.Context) error { return nil }

// Consume adds the model calls of a batch.
func (l *Ledger) Consume(spans []*export.Span) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, sp := range spans {
		l.add(sp.Facts, sp.EndTime())
	}
}

// Account counts a model call whose span was shed for memory.
func (l *Ledger) Account(f *export.Facts, _, end time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.add(f, end)
}

// add counts one call in the minute it ended. It runs under l.mu.
func (l *Ledger) add(f *export.Facts, end time.Time) {
	if f == nil || !f.IsModelCall() || modelName(f) == "" {
		return
	}
	minute := end.Unix() / 60
	b := l.buckets[minute]
	if b == nil {
		b = map[string]*modelTotals{}
		l.buckets[minute] = b
		l.expire(minute)
	}
	m := b[modelName(f)]
	if m == nil {
		m = &modelTotals{Model: modelName(f)}
		b[m.Model] = m
	}
	m.add(f)
}

func (l *Ledger) expire(now int64) {
	oldest := now - int64(ledgerSpan/time.Minute)
	for minute := range l.buckets {
		if minute <= oldest {
			delete(l.buckets, minute)
		}
	}
}

// totals sums the buckets of the last window.
func (l *Ledger) totals(window time.Duration, now time.Time) []modelTotals {
	from := now.Add(-window).Unix() / 60
	sum := map[string]*modelTotals{}
	l.mu.Lock()
	for minute, b := range l.buckets {
		if minute < from {
			continue
		}
		for name, m := range b {
			t := sum[name]
			if t == nil {
				t = &modelTotals{Model: name}
				sum[name] = t
			}
			t.merge(m)
		}
	}
	l.mu.Unlock()
	out := make([]modelTotals, 0, len(sum))
	for _, t := range sum {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b modelTotals) int { return cmp.Compare(a.Model, b.Model) })
	return out
}
