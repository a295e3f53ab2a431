// Package tstest holds helpers for tests of any package: waiting for
// something to happen instead of sleeping for a fixed time.
package tstest

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// WaitFor calls try until it returns nil, and fails the test with try's
// last error if that has not happened within timeout. It waits 1 ms after
// the first failure and twice as long after each next one, up to 100 ms.
// It must be called from the test's own goroutine.
func WaitFor(tb testing.TB, timeout time.Duration, try func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	wait := time.Millisecond
	for {
		err := try()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("after %v: %v", timeout, err)
		}
		time.Sleep(wait)
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// WaitGoroutines waits until at most n goroutines run, and fails the test
// with a dump of every goroutine's stack if that has not happened within
// timeout. Tests that call it must not run in parallel with others.
func WaitGoroutines(tb testing.TB, timeout time.Duration, n int) {
	tb.Helper()
	WaitFor(tb, timeout, func() error {
		if got := runtime.NumGoroutine(); got > n {
			buf := make([]byte, 1<<20)
			return fmt.Errorf("%d goroutines, want at most %d:\n%s", got, n, buf[:runtime.Stack(buf, true)])
		}
		return nil
	})
}
