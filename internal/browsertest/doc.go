// Package browsertest drives the diagnostics page in headless Chromium.
// It holds only tests; .ci/run installs Chromium and sets
// GENAITRACE_REQUIRE_BROWSER=1 so the test fails, rather than skips, where
// Chromium is missing.
package browsertest
