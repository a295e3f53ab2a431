// Package bustest is the contract every model.EventBus implementation
// passes: graph/broker's in-process bus and natsbus's NATS-backed one run
// the same tests, so that the server behaves alike on either.
//
// A bus may deliver asynchronously (over the network), so the tests wait
// for deliveries with a deadline instead of expecting them at once; what
// they check holds for an immediate bus as well.
package bustest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Event is the event the contract publishes: a number per topic, so that
// order and loss are visible.
type Event struct {
	N int `json:"n"`
}

// Bus is an event bus under test: the interface plus Close, which ends
// every subscription.
type Bus interface {
	model.EventBus[Event]
	Close()
}

// wait bounds how long a delivery may take.
const wait = 10 * time.Second

// Run runs the contract against buses made by open; each test gets a new
// bus from it, which open may also close in t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) Bus) {
	t.Run("DeliversToEverySubscriberOfItsTopicOnly", func(t *testing.T) { deliversByTopic(t, open(t)) })
	t.Run("KeepsOrderWithinATopic", func(t *testing.T) { keepsOrder(t, open(t)) })
	t.Run("DropsALaggingBufferedSubscriber", func(t *testing.T) { dropsLagging(t, open(t)) })
	t.Run("LatestOnlyGetsTheNewest", func(t *testing.T) { latestOnly(t, open(t)) })
	t.Run("ClosesOnContextEnd", func(t *testing.T) { closesOnCancel(t, open(t)) })
	t.Run("ClosesOnBusClose", func(t *testing.T) { closesOnClose(t, open(t)) })
	t.Run("PublishNeverBlocks", func(t *testing.T) { neverBlocks(t, open(t)) })
}

// receive returns the next event of ch, failing when it closes or none
// comes in time.
func receive(t *testing.T, ch <-chan Event, what string) Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatalf("%s: channel closed, want an event", what)
		}
		return ev
	case <-time.After(wait):
		t.Fatalf("%s: no event within %s", what, wait)
	}
	return Event{}
}

// closed waits for ch to close, failing when it does not in time; it
// returns how many events came before.
func closed(t *testing.T, ch <-chan Event, what string) int {
	t.Helper()
	n := 0
	deadline := time.After(wait)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return n
			}
			n++
		case <-deadline:
			t.Fatalf("%s: channel still open after %s (%d events read)", what, wait, n)
		}
	}
}

func deliversByTopic(t *testing.T, b Bus) {
	a1 := b.Subscribe(t.Context(), "a/1", 8)
	a2 := b.Subscribe(t.Context(), "a/1", 8)
	latest := b.SubscribeLatest(t.Context(), "a/1")
	other := b.Subscribe(t.Context(), "a.2", 8)
	b.Publish("a/1", Event{N: 1})
	b.Publish("a.2", Event{N: 2}) // a topic that a careless subject mapping would confuse
	for name, ch := range map[string]<-chan Event{"first": a1, "second": a2, "latest-only": latest} {
		if ev := receive(t, ch, name+" subscriber of a/1"); ev.N != 1 {
			t.Errorf("%s subscriber of a/1 got %d, want 1", name, ev.N)
		}
	}
	if ev := receive(t, other, "subscriber of a.2"); ev.N != 2 {
		t.Errorf("subscriber of a.2 got %d, want 2 (and not a/1's event)", ev.N)
	}
	b.Publish("a/1", Event{N: 3})
	if ev := receive(t, a1, "first subscriber of a/1"); ev.N != 3 {
		t.Errorf("first subscriber of a/1 got %d, want 3", ev.N)
	}
	select {
	case ev := <-other:
		t.Errorf("subscriber of a.2 got %d, published to a/1", ev.N)
	default:
	}
}

func keepsOrder(t *testing.T, b Bus) {
	const n = 500
	ch := b.Subscribe(t.Context(), "order", n)
	for i := range n {
		b.Publish("order", Event{N: i})
	}
	for want := range n {
		if ev := receive(t, ch, fmt.Sprintf("event %d", want)); ev.N != want {
			t.Fatalf("got %d, want %d: events of one topic arrive in the order published", ev.N, want)
		}
	}
}

func dropsLagging(t *testing.T, b Bus) {
	const n = 200
	slow := b.Subscribe(t.Context(), "lag", 4)
	fast := b.Subscribe(t.Context(), "lag", n)
	for i := range n {
		b.Publish("lag", Event{N: i})
	}
	for want := range n {
		if ev := receive(t, fast, "subscriber keeping up"); ev.N != want {
			t.Fatalf("subscriber keeping up got %d, want %d", ev.N, want)
		}
	}
	if got := closed(t, slow, "subscriber that never reads"); got > 4 {
		t.Errorf("subscriber that never reads got %d events before its channel closed, want at most its buffer of 4", got)
	}
}

func latestOnly(t *testing.T, b Bus) {
	const n = 100
	ch := b.SubscribeLatest(t.Context(), "latest")
	for i := 1; i <= n; i++ {
		b.Publish("latest", Event{N: i})
	}
	// The newest comes, perhaps after some older ones a network bus
	// delivered before the rest; nothing comes out of order.
	last := 0
	for last != n {
		ev := receive(t, ch, "latest-only subscriber")
		if ev.N <= last {
			t.Fatalf("latest-only subscriber got %d after %d", ev.N, last)
		}
		last = ev.N
	}
	b.Publish("latest", Event{N: n + 1})
	if ev := receive(t, ch, "latest-only subscriber after reading"); ev.N != n+1 {
		t.Errorf("latest-only subscriber got %d, want %d", ev.N, n+1)
	}
}

func closesOnCancel(t *testing.T, b Bus) {
	ctx, cancel := context.WithCancel(t.Context())
	buffered := b.Subscribe(ctx, "cancel", 8)
	latest := b.SubscribeLatest(ctx, "cancel")
	stays := b.Subscribe(t.Context(), "cancel", 8)
	cancel()
	closed(t, buffered, "buffered subscriber after cancel")
	closed(t, latest, "latest-only subscriber after cancel")
	b.Publish("cancel", Event{N: 1}) // no send on a closed channel
	if ev := receive(t, stays, "subscriber whose context lives"); ev.N != 1 {
		t.Errorf("subscriber whose context lives got %d, want 1", ev.N)
	}
}

func closesOnClose(t *testing.T, b Bus) {
	buffered := b.Subscribe(t.Context(), "close", 8)
	latest := b.SubscribeLatest(t.Context(), "close")
	b.Close()
	closed(t, buffered, "buffered subscriber after Close")
	closed(t, latest, "latest-only subscriber after Close")
	b.Publish("close", Event{N: 1}) // neither panics nor blocks
	if _, ok := <-b.Subscribe(t.Context(), "close", 1); ok {
		t.Error("a subscription after Close got an event, want a closed channel")
	}
	if _, ok := <-b.SubscribeLatest(t.Context(), "close"); ok {
		t.Error("a latest-only subscription after Close got an event, want a closed channel")
	}
}

func neverBlocks(t *testing.T, b Bus) {
	const n = 20000
	_ = b.Subscribe(t.Context(), "flood", 1)    // never read
	_ = b.SubscribeLatest(t.Context(), "flood") // never read
	done := make(chan time.Duration, 1)
	go func() {
		start := time.Now()
		for i := range n {
			b.Publish("flood", Event{N: i})
		}
		done <- time.Since(start)
	}()
	select {
	case d := <-done:
		t.Logf("%d publishes to subscribers that never read took %s", n, d)
	case <-time.After(wait):
		t.Fatalf("%d publishes to subscribers that never read did not return within %s", n, wait)
	}
}
