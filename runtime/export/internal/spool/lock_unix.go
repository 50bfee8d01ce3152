//go:build unix

package spool

import (
	"errors"
	"os"
	"syscall"
)

// canLock is true: a lock tells a live process's directory from one left
// behind.
const canLock = true

// lockDir takes an exclusive, non-blocking lock on dir's lock file, held
// until the file is closed or the process dies (so a killed process never
// leaves a stale lock).
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errSpoolBusy
		}
		return nil, err
	}
	return f, nil
}
