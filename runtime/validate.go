package runtime

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/genaitrace/genaitrace/runtime/export"
	"github.com/genaitrace/genaitrace/runtime/internal/redact"
)

// minSpoolBytes is the smallest spool accepted: a 512-span batch of ten
// GenAI attributes gzip'd is about 24 KiB (BenchmarkCompress), one with
// prompts far more.
const minSpoolBytes = 64 << 10

// validate checks the merged configuration; every error names the
// variable and the accepted form.
func (c *config) validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, u := range c.unknownNames {
		add(fmt.Errorf("%s: %q names no destination; want %s", u.option, u.name, destinationNames(u.option == "WithDestinationsDisabled")))
	}
	if c.Instana.Enabled {
		add(checkURL(cmp.Or(c.Instana.endpointFrom, envInstanaEndpoint), c.Instana.Endpoint, "http://localhost:4318 (agent) or https://otlp-orange-saas.instana.io:4318 (agentless)"))
		if strings.HasPrefix(c.Instana.Endpoint, "https://") && !c.Instana.APIKey.IsSet() {
			add(fmt.Errorf("%s: empty, but Instana is enabled with the agentless endpoint %s; set it to your agent key, or point %s at a host agent (http://host:4318)", envInstanaAPIKey, c.Instana.Endpoint, envInstanaEndpoint))
		}
		add(checkCA(envInstanaCA, c.Instana.TLS.CABundle))
	}
	add(c.Scores.validate())
	if c.Langfuse.ScoresPerMinute < 0 {
		add(fmt.Errorf("WithLangfuseScoresPerMinute: %d is not a rate; want a whole number of requests a minute, or 0 not to pace them", c.Langfuse.ScoresPerMinute))
	}
	if c.Langfuse.Enabled {
		add(checkURL(cmp.Or(c.Langfuse.endpointFrom, envLangfuseEndpoint), c.Langfuse.Endpoint, "https://cloud.langfuse.com or your self-hosted base URL"))
		if c.Langfuse.PublicKey == "" {
			add(fmt.Errorf("%s: empty, but Langfuse is enabled; set it to the project's public key (pk-lf-...), or set %s=false", envLangfusePublicKey, envLangfuseEnabled))
		}
		if !c.Langfuse.SecretKey.IsSet() {
			add(fmt.Errorf("%s: empty, but Langfuse is enabled; set it to the project's secret key (sk-lf-...), or set %s=false", envLangfuseSecretKey, envLangfuseEnabled))
		}
		add(checkCA(envLangfuseCA, c.Langfuse.TLS.CABundle))
	}
	if c.OTLP.Enabled {
		from := cmp.Or(c.OTLP.endpointFrom, "WithOTLP")
		example := "http://collector:4318"
		if from != envOTLPEndpoint {
			example = "http://collector:4318/v1/traces"
		}
		add(checkURL(from, c.OTLP.Endpoint, example))
		if c.OTLP.MetricsEndpoint != "" {
			add(checkURL(envOTLPMetrics, c.OTLP.MetricsEndpoint, "http://collector:4318/v1/metrics"))
		}
		add(checkCA(envOTLPCertificate, c.OTLP.TLS.CABundle))
	}
	if n := c.Instana.TokenNames; n < export.InstanaTokensConventions || n > export.InstanaTokensBoth {
		add(fmt.Errorf("%s (WithInstanaTokenNames): %d is not a token name family; want export.InstanaTokensConventions, export.InstanaTokensLegacy or export.InstanaTokensBoth", envInstanaTokens, n))
	}
	if e := c.Langfuse.Export; e != LangfuseExportLLM && e != LangfuseExportAll {
		add(fmt.Errorf("%s (WithLangfuseExport): %d is not an export choice; want LangfuseExportLLM or LangfuseExportAll", envLangfuseExport, e))
	}
	if n := c.Langfuse.Cost; n != export.CostByLangfuse && n != export.CostByGenaitrace {
		add(fmt.Errorf("%s (WithLangfuseCost): %d is not a pricing source; want export.CostByLangfuse or export.CostByGenaitrace", envLangfuseCost, n))
	}
	if c.Conventions != export.ConventionsV141 && c.Conventions != export.ConventionsLatest {
		add(fmt.Errorf("%s (WithGenAIConventions): %d is not a release of the GenAI conventions; want export.ConventionsV141 or export.ConventionsLatest", envSemconvOptIn, c.Conventions))
	}
	if d := c.Durability; d != DurabilityMemory && d != DurabilityDisk {
		add(fmt.Errorf("%s (WithDurability): %d is not a durability; want DurabilityMemory or DurabilityDisk", envDurability, d))
	}
	if c.Durability == DurabilityDisk && c.Spool.Disabled {
		add(fmt.Errorf("%s: disk needs the spool, but %s=false; turn the spool on, or set %s=memory", envDurability, envSpool, envDurability))
	}
	if share := export.DestinationShare(c.Export.MemoryMaxBytes, c.destinations()); c.Export.QueueMaxBytes > share {
		add(fmt.Errorf("%s: %d bytes is more than each of the %d destinations' share of %s (%d bytes): a slow destination would take the memory the others need; lower it, or raise %s",
			envQueueMaxBytes, c.Export.QueueMaxBytes, max(c.destinations(), 1), envMemoryMaxBytes, share, envMemoryMaxBytes))
	}
	if c.Spool.MaxBytes > 0 && c.Spool.MaxBytes < minSpoolBytes {
		add(fmt.Errorf("%s: %d bytes hold less than one batch, so every spooled batch would be dropped; want at least 64KiB, such as 256MiB", envSpoolMaxBytes, c.Spool.MaxBytes))
	}
	return errors.Join(errs...)
}

func checkURL(name, raw, example string) error {
	// The value is never quoted: what does not parse as an endpoint may be
	// a key pasted into the wrong variable.
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("%s: does not parse as a URL (the value is not shown: it may be a key pasted by mistake); want an absolute http:// or https:// URL such as %s", name, example)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%s: has no http:// or https:// scheme (the value is not shown: it may be a key pasted by mistake); want an absolute URL such as %s", name, example)
	case u.Host == "":
		return fmt.Errorf("%s: names no host (the value is not shown: it may be a key pasted by mistake); want an absolute URL such as %s", name, example)
	}
	if u.User != nil {
		return fmt.Errorf("%s: credentials in the URL are not allowed; want the URL without user:password@ and the credentials in their own variables", name)
	}
	return nil
}

// redactURL keeps a URL printable in an error without what may carry a
// credential.
func redactURL(raw string) string { return redact.URL(raw) }

func checkCA(name, path string) error {
	if path == "" {
		return nil
	}
	_, err := loadCA(path)
	if err != nil {
		return fmt.Errorf("%s: %w; want a readable PEM file of CA certificates", name, err)
	}
	return nil
}

func loadCA(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPathError(err))
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return pool, nil
}

// httpClient builds a destination's client: TLS verification on unless the
// user turned it off, extra CAs from the bundle.
func httpClient(t TLSConfig, conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CABundle != "" {
		if pool, err := loadCA(t.CABundle); err == nil { // validated already
			tc.RootCAs = pool
		}
	}
	tc.InsecureSkipVerify = t.InsecureSkipVerify //nolint:gosec // only when the user set *_SSL_VERIFY=false
	tr.TLSClientConfig = tc
	tr.MaxIdleConnsPerHost = conns
	tr.ResponseHeaderTimeout = 0
	tr.IdleConnTimeout = 90 * time.Second
	return &http.Client{Transport: tr}
}
