//go:build !unix

package export

import "os"

// lockDir opens the lock file; without flock, exclusivity is not enforced.
func lockDir(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
