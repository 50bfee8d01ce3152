//go:build !race

package runtime

// raceOn: see race_on_test.go.
const raceOn = false
