// Package units holds genaitrace's one unit of time in JSON: every
// duration a snapshot, the diagnostics or /config show is in milliseconds,
// in a field whose name ends in _ms.
package units

import "time"

// MS is d in milliseconds, to the microsecond.
func MS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
