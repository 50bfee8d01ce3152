package export

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"github.com/genaitrace/genaitrace/runtime/export/internal/spool"
)

// identity returns the identity of a destination of this name sending to
// ep.
func (ep *Endpoint) identity(name string) spool.Identity {
	secrets := slices.Clone(ep.Secrets)
	slices.Sort(secrets)
	creds := ""
	if len(secrets) > 0 {
		creds = fingerprint(append([]string{"genaitrace credentials v1"}, secrets...))[:12]
	}
	return spool.Identity{
		Destination: name,
		Endpoint:    displayURL(ep.URL),
		Credentials: creds,
		Key:         fingerprint(append([]string{"genaitrace destination v1", name, ep.URL}, secrets...))[:32],
	}
}

func fingerprint(parts []string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
