//go:build !linux

package runtime

func threadCPU() (int64, bool) { return 0, false }
