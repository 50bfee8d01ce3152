package runtime

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/genaitrace/genaitrace/runtime/export"
)

// usageLedger totals model calls, tokens and cost per model in one-minute
// buckets over the last day, independently of how many traces the store
// still holds.
type usageLedger struct {
	mu      sync.Mutex
	buckets map[int64]map[string]*modelTotals // unix minute → model → totals
}

const ledgerSpan = 24 * time.Hour

func newUsageLedger() *usageLedger { return &usageLedger{buckets: map[int64]map[string]*modelTotals{}} }

func (l *usageLedger) Name() string                   { return "usage" }
func (l *usageLedger) Flush(context.Context) error    { return nil }
func (l *usageLedger) Shutdown(context.Context) error { return nil }

// Consume adds the model calls of a batch.
func (l *usageLedger) Consume(spans []*export.Span) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, sp := range spans {
		f := sp.Facts
		if f == nil || !f.IsModelCall() || f.Model() == "" {
			continue
		}
		minute := sp.EndTime().Unix() / 60
		b := l.buckets[minute]
		if b == nil {
			b = map[string]*modelTotals{}
			l.buckets[minute] = b
			l.expire(minute)
		}
		m := b[f.Model()]
		if m == nil {
			m = &modelTotals{Model: f.Model()}
			b[f.Model()] = m
		}
		m.Calls++
		m.InputTokens += f.Usage.Input
		m.OutputTokens += f.Usage.Output
		m.CostUSD += f.Cost.Total()
	}
}

func (l *usageLedger) expire(now int64) {
	oldest := now - int64(ledgerSpan/time.Minute)
	for minute := range l.buckets {
		if minute <= oldest {
			delete(l.buckets, minute)
		}
	}
}

// totals sums the buckets of the last window.
func (l *usageLedger) totals(window time.Duration, now time.Time) []modelTotals {
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
			t.Calls += m.Calls
			t.InputTokens += m.InputTokens
			t.OutputTokens += m.OutputTokens
			t.CostUSD += m.CostUSD
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

// rateSampler keeps the last minute of per-destination counters, sampled
// every few seconds, so /stats can report rates rather than totals only.
type rateSampler struct {
	mu      sync.Mutex
	samples []rateSample
}

type rateSample struct {
	at       time.Time
	accepted int64
	exported map[string]int64
}

func (r *rateSampler) add(s rateSample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, s)
	for len(r.samples) > 2 && s.at.Sub(r.samples[0].at) > time.Minute {
		r.samples = r.samples[1:]
	}
}

// rates returns spans per second accepted and exported per destination over
// the sampled window, ending with now's counters.
func (r *rateSampler) rates(now rateSample) (accepted float64, exported map[string]float64) {
	r.mu.Lock()
	var first rateSample
	if len(r.samples) > 0 {
		first = r.samples[0]
	}
	r.mu.Unlock()
	exported = map[string]float64{}
	secs := now.at.Sub(first.at).Seconds()
	if first.at.IsZero() || secs <= 0 {
		return 0, exported
	}
	accepted = float64(now.accepted-first.accepted) / secs
	for name, n := range now.exported {
		exported[name] = float64(n-first.exported[name]) / secs
	}
	return accepted, exported
}
