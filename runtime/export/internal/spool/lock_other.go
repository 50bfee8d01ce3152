//go:build !unix

package spool

import "os"

// canLock is false: without flock a directory held by a live process
// cannot be told from one left behind, so nothing is adopted.
const canLock = false

// lockDir opens the lock file; without flock, exclusivity is not enforced.
func lockDir(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
