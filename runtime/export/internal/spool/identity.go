package spool

// Identity names the destination spooled batches were encoded for. A
// batch is replayed only to the destination it was encoded for: after a
// change of endpoint or credentials, older batches are set aside, never
// sent to the new destination unless asked.
type Identity struct {
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
