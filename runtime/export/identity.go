package export

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// SpoolIdentity names the destination spooled batches were encoded for.
// A batch is replayed only to the destination it was encoded for: after a
// change of endpoint or credentials, older batches are set aside, never
// sent to the new destination unless asked.
type SpoolIdentity struct {
	Destination string `json:"destination"`
	// Endpoint is the URL without user info or query.
	Endpoint string `json:"endpoint"`
	// Credentials is a short fingerprint of the secrets sent with every
	// request (empty without any), never the secrets themselves.
	Credentials string `json:"credentials,omitempty"`
	// Key tells destinations apart: a hash of the name, the full URL and
	// the secrets.
	Key string `json:"key"`
}

// identity returns the identity of a destination of this name sending to
// ep.
func (ep *Endpoint) identity(name string) SpoolIdentity {
	secrets := slices.Clone(ep.Secrets)
	slices.Sort(secrets)
	creds := ""
	if len(secrets) > 0 {
		creds = fingerprint(append([]string{"genaitrace credentials v1"}, secrets...))[:12]
	}
	return SpoolIdentity{
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
