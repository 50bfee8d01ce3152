package runtime

import "golang.org/x/sys/unix"

// threadCPU returns the CPU time consumed by the calling OS thread. With
// the goroutine locked to its thread, that is the goroutine's own cost:
// genaitrace's background goroutines run on other threads.
func threadCPU() (int64, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return ts.Nano(), true
}
