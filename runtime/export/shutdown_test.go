package export

import (
	"context"
	"testing"
	"time"

	"github.com/genaitrace/genaitrace/internal/otlptest"
	"github.com/genaitrace/genaitrace/runtime/breaker"
)

// TestDestinationShutdownTwice: a program that shuts its destinations
// down twice (an explicit Shutdown and a deferred one) gets the first
// shutdown's work once and no panic; the second returns.
func TestDestinationShutdownTwice(t *testing.T) {
	r := otlptest.New(t)
	br := breaker.New(breaker.Settings{Name: "twice", FailureThreshold: 2, OpenTimeout: time.Minute, MaxOpenTimeout: time.Hour})
	d, err := NewDestination(withDefaults(DestinationConfig{Name: "twice", Breaker: br, URL: r.URL() + "/v1/traces",
		Settings: DestinationSettings{SpoolDir: t.TempDir(), PollInterval: 5 * time.Millisecond, MaxInFlight: 1}}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 2 {
		if err := d.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
