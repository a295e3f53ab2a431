package tstest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/internal/tstest"
)

func TestWaitForReturnsOnceTrySucceeds(t *testing.T) {
	calls := 0
	start := time.Now()
	tstest.WaitFor(t, 10*time.Second, func() error {
		calls++
		if calls < 4 {
			return errors.New("not yet")
		}
		return nil
	})
	if calls != 4 {
		t.Errorf("try was called %d times, want 4", calls)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v for three short waits", d)
	}
}

// fatalTB records Fatalf and stops the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

func TestWaitForFailsWithTheLastError(t *testing.T) {
	tb := &fatalTB{TB: t}
	calls := 0
	start := time.Now()
	func() {
		defer func() {
			switch r := recover(); r {
			case tb:
			case nil:
				t.Error("WaitFor returned although try never succeeded")
			default:
				panic(r)
			}
		}()
		tstest.WaitFor(tb, 50*time.Millisecond, func() error {
			calls++
			return fmt.Errorf("attempt %d", calls)
		})
	}()
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("gave up after %v, before the timeout", d)
	}
	if calls < 2 || !strings.HasSuffix(tb.msg, fmt.Sprintf("attempt %d", calls)) {
		t.Errorf("failed with %q after %d attempts, want the last attempt's error", tb.msg, calls)
	}
}
