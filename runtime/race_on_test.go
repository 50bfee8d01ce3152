//go:build race

package runtime

// raceOn is set when the race detector instruments the test binary (and
// the child processes it starts, which are the same binary): the
// background runs several times slower, so load tests make less load.
const raceOn = true
