package runtime

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/internal/scores"
)

// A destinationKind is everything genaitrace knows of one kind of
// destination, in one place: whether the configuration turns it on, where
// it sends, the headers (credentials among them) it sends with every
// request, how spans are written for it, which traces it takes, and where
// its credentials come from. Nothing outside this table tells destinations
// apart by name.
type destinationKind struct {
	name string
	// credentials names where the credentials come from (and says when
	// they are not set), for the message when the destination refuses a
	// request; endpoint names where the URL comes from and how it is
	// built, for the message when nothing answers there.
	credentials func(*config) string
	endpoint    func(*config) string
	on          func(*config) bool
	off         func(*config)
	// content reports whether the destination takes prompts and
	// completions (what turns capture on by default).
	content    func(*config) bool
	tls        func(*config) TLSConfig
	tracesURL  func(*config) string
	metricsURL func(*config) string // "" when it takes no metrics
	// queries are the traces and metrics URLs' queries, which may carry a
	// key.
	queries func(*config) (traces, metrics secret)
	// headers are sent with every request; the secret ones are the
	// credentials, which also tell spooled batches apart.
	headers    func(*config) []header
	translator func(*config) export.Translator
	// compression is the setting "gzip" or "none" (after resolve; empty
	// before: the default's to choose).
	compression func(*config) *string
	onlyGenAI   func(*config) bool
	// filterSetting is the setting that makes onlyGenAI true, for messages.
	filterSetting string
	// readBack reads delivered traces back through the destination's API
	// (Langfuse with LANGFUSE_VERIFY).
	readBack func(*config) bool
	// scores says how the destination takes evaluations (genai.Score),
	// where, and the query of that URL; scoresFrom names where the URL
	// comes from, for messages.
	scores     func(*config) (scores.Format, string, secret)
	scoresFrom func(*config) string
	// replayChecks is how many requests a minute may ask the destination
	// which spans of a batch that may have reached it it stores, before
	// the batch is sent again (0: the destination cannot be asked).
	replayChecks func(*config) int
}

// header is one header a destination is sent; a secret one is a
// credential.
type header struct {
	name   string
	value  secret
	secret bool
}

func plain(name, value string) header { return header{name: name, value: newSecret(value)} }

// destinationKinds are the destinations genaitrace sends to, in the order
// their snapshots are listed.
var destinationKinds = []destinationKind{
	{
		name: "instana",
		credentials: func(c *config) string {
			if c.Instana.APIKey.IsSet() {
				return envInstanaAPIKey
			}
			return envInstanaAPIKey + ", which is not set (a host agent needs none unless it is configured to ask for one; the agentless acceptor needs it)"
		},
		endpoint: func(c *config) string {
			return endpointFrom(c.Instana.endpointFrom, envInstanaEndpoint, DefaultInstanaEndpoint, "/v1/traces")
		},
		on: func(c *config) bool { return c.Instana.Enabled }, off: func(c *config) { c.Instana.Enabled = false },
		content:    func(c *config) bool { return c.Instana.Content },
		tls:        func(c *config) TLSConfig { return c.Instana.TLS },
		tracesURL:  func(c *config) string { return signalURL(c.Instana.Endpoint, "", "/v1/traces") },
		metricsURL: func(c *config) string { return signalURL(c.Instana.Endpoint, "", "/v1/metrics") },
		queries:    func(c *config) (secret, secret) { return c.Instana.query, c.Instana.query },
		headers: func(c *config) []header {
			var hs []header
			if c.Instana.APIKey.IsSet() {
				hs = append(hs, header{name: "x-instana-key", value: c.Instana.APIKey, secret: true})
			}
			if c.Instana.Host != "" {
				hs = append(hs, plain("x-instana-host", c.Instana.Host))
			}
			return hs
		},
		compression: func(c *config) *string { return &c.Instana.Compression },
		translator: func(c *config) export.Translator {
			return export.InstanaTranslator{Content: c.Instana.Content, HostID: c.Instana.Host, TokenNames: c.Instana.TokenNames}
		},
		onlyGenAI: func(*config) bool { return false },
		readBack:  func(*config) bool { return false },
		scores: func(c *config) (scores.Format, string, secret) {
			return scores.EvaluationEvents, signalURL(c.Instana.Endpoint, "", "/v1/logs"), c.Instana.query
		},
		scoresFrom: func(c *config) string {
			return endpointFrom(c.Instana.endpointFrom, envInstanaEndpoint, DefaultInstanaEndpoint, "/v1/logs")
		},
		replayChecks: func(*config) int { return 0 },
	},
	{
		name:        "langfuse",
		credentials: func(*config) string { return envLangfusePublicKey + " and " + envLangfuseSecretKey },
		endpoint: func(c *config) string {
			return endpointFrom(c.Langfuse.endpointFrom, envLangfuseEndpoint, DefaultLangfuseEndpoint, langfuseOTLPPath+"/v1/traces")
		},
		on: func(c *config) bool { return c.Langfuse.Enabled }, off: func(c *config) { c.Langfuse.Enabled = false },
		content:    func(*config) bool { return true },
		tls:        func(c *config) TLSConfig { return c.Langfuse.TLS },
		tracesURL:  func(c *config) string { return signalURL(c.Langfuse.Endpoint, langfuseOTLPPath, "/v1/traces") },
		metricsURL: func(*config) string { return "" }, // Langfuse takes no metrics
		queries:    func(c *config) (secret, secret) { return c.Langfuse.query, secret{} },
		headers: func(c *config) []header {
			return []header{
				// The secret key alone first, then the header: the spool
				// identity of earlier releases is computed so.
				{name: "", value: c.Langfuse.SecretKey, secret: true},
				{name: "Authorization", value: newSecret(basicAuth(c.Langfuse.PublicKey, c.Langfuse.SecretKey.Value())), secret: true},
				plain("x-langfuse-ingestion-version", "4"),
				plain("x-langfuse-sdk-name", "genaitrace-go"),
				plain("x-langfuse-sdk-version", Version),
			}
		},
		compression: func(c *config) *string { return &c.Langfuse.Compression },
		translator: func(c *config) export.Translator {
			return export.LangfuseTranslator{Content: c.CaptureContent != nil && *c.CaptureContent,
				Cost: c.Langfuse.Cost, Release: c.ServiceVersion, Environment: c.Environment,
				KeepRemoteParent: c.Langfuse.KeepRemoteParent}
		},
		// Langfuse bills every observation and lists every trace: by
		// default it gets the traces with GenAI work only, whole.
		onlyGenAI:     func(c *config) bool { return c.Langfuse.Export == LangfuseExportLLM },
		filterSetting: envLangfuseExport + "=llm",
		readBack:      func(c *config) bool { return c.Langfuse.Verify },
		scores: func(c *config) (scores.Format, string, secret) {
			return scores.LangfuseAPI, langfuseAPIURL(c.Langfuse.Endpoint, langfuseScoresPath), c.Langfuse.query
		},
		scoresFrom: func(c *config) string {
			return endpointFrom(c.Langfuse.endpointFrom, envLangfuseEndpoint, DefaultLangfuseEndpoint, langfuseScoresPath)
		},
		// GET /api/public/v2/observations, with the same keys.
		replayChecks: func(c *config) int { return c.Langfuse.ReplayChecks },
	},
	{
		name: "otlp",
		credentials: func(c *config) string {
			if len(c.OTLP.Headers) > 0 {
				return envOTLPHeaders
			}
			return envOTLPHeaders + ", which is not set"
		},
		endpoint: func(c *config) string {
			if c.OTLP.endpointFrom == envOTLPEndpoint {
				return envOTLPEndpoint + ", a base URL to which /v1/traces is appended"
			}
			return cmp.Or(c.OTLP.endpointFrom, "WithOTLP") + ", the full traces URL"
		},
		on: func(c *config) bool { return c.OTLP.Enabled }, off: func(c *config) { c.OTLP.Enabled = false },
		content:    func(c *config) bool { return c.OTLP.Content },
		tls:        func(c *config) TLSConfig { return c.OTLP.TLS },
		tracesURL:  func(c *config) string { return c.OTLP.Endpoint },
		metricsURL: func(c *config) string { return c.OTLP.MetricsEndpoint },
		queries:    func(c *config) (secret, secret) { return c.OTLP.query, c.OTLP.metricsQuery },
		headers: func(c *config) []header {
			var hs []header
			for _, k := range slices.Sorted(maps.Keys(c.OTLP.Headers)) {
				hs = append(hs, header{name: k, value: c.OTLP.Headers[k], secret: true})
			}
			return hs
		},
		compression: func(c *config) *string { return &c.OTLP.Compression },
		translator:  func(c *config) export.Translator { return export.Passthrough{Content: c.OTLP.Content} },
		onlyGenAI:   func(*config) bool { return false },
		readBack:    func(*config) bool { return false },
		scores: func(c *config) (scores.Format, string, secret) {
			return scores.EvaluationEvents, c.OTLP.LogsEndpoint, c.OTLP.logsQuery
		},
		scoresFrom: func(c *config) string {
			if c.OTLP.LogsEndpoint != "" && c.OTLP.LogsEndpoint != strings.TrimSuffix(c.OTLP.Endpoint, "/v1/traces")+"/v1/logs" {
				return envOTLPLogsEndpoint + ", the full logs URL"
			}
			return envOTLPLogsEndpoint + " (not set: the traces URL with /v1/logs in place of /v1/traces)"
		},
		replayChecks: func(*config) int { return 0 },
	},
}

// destinations counts the destinations the configuration turns on.
func (c *config) destinations() int {
	n := 0
	for _, k := range destinationKinds {
		if k.on(c) {
			n++
		}
	}
	return n
}

// destinationNames lists the destinations' names for an error message,
// the console too when it is one of the choices.
func destinationNames(console bool) string {
	var names []string
	for _, k := range destinationKinds {
		names = append(names, strconv.Quote(k.name))
	}
	if console {
		names = append(names, `"console"`)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// kindNamed returns the kind of that name.
func kindNamed(name string) (destinationKind, bool) {
	for _, k := range destinationKinds {
		if k.name == name {
			return k, true
		}
	}
	return destinationKind{}, false
}

// endpoint is how one destination is reached: its URLs, which hold no
// credential, and the client whose transport adds the headers and the
// queries to each request, so that no value genaitrace can print holds a
// credential.
type endpoint struct {
	url, metricsURL string
	client          *http.Client
	// identity names the destination in its spool: a hash of its name,
	// URL and credentials, never the credentials.
	identity export.SpoolIdentity
	// scoresURL is where its scores go (a URL of its own, on the same
	// host, with the same credentials), scoresIdentity names their spool.
	scoresFormat   scores.Format
	scoresURL      string
	scoresIdentity export.SpoolIdentity
}

// newEndpoint builds a destination's endpoint from its kind.
func newEndpoint(k destinationKind, c *config) endpoint {
	ep := endpoint{url: k.tracesURL(c), metricsURL: k.metricsURL(c)}
	tq, mq := k.queries(c)
	hs := k.headers(c)
	var secrets []string
	for _, h := range hs {
		if h.secret {
			secrets = append(secrets, h.value.Value())
		}
	}
	full := ep.url
	if tq.IsSet() {
		full += "?" + tq.Value()
	}
	ep.identity = spoolIdentity(k.name, full, secrets)
	var sq secret
	ep.scoresFormat, ep.scoresURL, sq = k.scores(c)
	if ep.scoresFormat != scores.NoFormat {
		full := ep.scoresURL
		if sq.IsSet() {
			full += "?" + sq.Value()
		}
		ep.scoresIdentity = spoolIdentity(scoresName(k.name), full, secrets)
	}
	t := &credentialTransport{headers: hs, queries: map[string]secret{}}
	for u, q := range map[string]secret{ep.url: tq, ep.metricsURL: mq, ep.scoresURL: sq} {
		if p, err := url.Parse(u); err == nil && q.IsSet() {
			t.queries[p.Path] = q
		}
	}
	ep.client = httpClient(k.tls(c), c.Export.MaxInFlight)
	t.base, ep.client.Transport = ep.client.Transport, t
	return ep
}

// splitQuery takes the query off a URL: a query may carry a key, and the
// transport adds it to each request instead.
func splitQuery(raw string) (base string, query secret) {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw, secret{}
	}
	q := u.RawQuery
	u.RawQuery, u.ForceQuery = "", false
	return u.String(), newSecret(q)
}

// credentialTransport adds a destination's headers and URL queries to
// each request as it is sent. The credentials live here, behind Secret,
// and nowhere else: errors quote a request's URL (without the query),
// never its headers.
type credentialTransport struct {
	base    http.RoundTripper
	headers []header
	queries map[string]secret // by URL path
}

// RoundTrip sends a copy of r with the destination's headers: a
// RoundTripper must not modify the request it is given.
func (t *credentialTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for _, h := range t.headers {
		if h.name != "" {
			r.Header.Set(h.name, h.value.Value())
		}
	}
	if q, ok := t.queries[r.URL.Path]; ok {
		r.URL.RawQuery = q.Value()
	}
	return t.base.RoundTrip(r)
}

// CloseIdleConnections closes the base transport's idle connections, so
// that http.Client.CloseIdleConnections reaches them.
func (t *credentialTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// spoolIdentity names the destination spooled batches are encoded for: a
// fingerprint of the credentials (to tell them apart, never to show them)
// and a key over the name, the full URL and the credentials.
func spoolIdentity(name, rawURL string, secrets []string) export.SpoolIdentity {
	sorted := slices.Clone(secrets)
	slices.Sort(sorted)
	creds := ""
	if len(sorted) > 0 {
		creds = fingerprint(append([]string{"genaitrace credentials v1"}, sorted...))[:12]
	}
	return export.SpoolIdentity{
		Destination: name,
		Endpoint:    redactURL(rawURL),
		Credentials: creds,
		Key:         fingerprint(append([]string{"genaitrace destination v1", name, rawURL}, secrets...))[:32],
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

// langfuseOTLPPath is where Langfuse takes OTLP under its base URL.
const langfuseOTLPPath = "/api/public/otel"

// signalPaths are the OTLP/HTTP signals' paths under an OTLP base URL.
var signalPaths = []string{"/v1/traces", "/v1/metrics", "/v1/logs"}

// signalURL is the URL of one signal (signal, such as /v1/traces) of a
// destination that takes OTLP under otlpPath ("" or /api/public/otel) of
// its base URL. It takes the base URL in each form users copy from the
// destinations' docs: the base itself (https://cloud.langfuse.com), the
// OTLP base (…/api/public/otel, as Langfuse's OpenTelemetry guide writes
// it) or a signal's full URL (…/v1/traces): what the base already ends
// with is not added again. A query stays after the path.
func signalURL(base, otlpPath, signal string) string {
	u, err := url.Parse(base)
	if err != nil {
		return strings.TrimRight(base, "/") + otlpPath + signal // reported by validate
	}
	p := strings.TrimRight(u.Path, "/")
	for _, s := range signalPaths {
		if strings.HasSuffix(p, s) {
			p = strings.TrimSuffix(p, s)
			break
		}
	}
	if otlpPath != "" {
		p = strings.TrimSuffix(p, otlpPath)
	}
	u.Path, u.RawPath = p+otlpPath+signal, ""
	return u.String()
}

// endpointFrom says where a destination's URL came from (a variable, an
// option, or the default when neither was given) and how it is built,
// for the message when nothing takes traces there.
func endpointFrom(from, variable, def, path string) string {
	if from == "" {
		return variable + " (not set: the default " + def + " is used), a base URL to which " + path + " is appended"
	}
	return from + ", a base URL to which " + path + " is appended"
}

// hostID is the resource's host identity, for Instana's x-instana-host.
func hostID(res *resource.Resource) string {
	for _, k := range []attribute.Key{semconv.HostIDKey, semconv.HostNameKey} {
		if v, ok := res.Set().Value(k); ok && v.AsString() != "" {
			return v.AsString()
		}
	}
	return ""
}
