package runtime

import (
	"sync"
	"time"
)

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
