package broker_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
)

func TestSubscribeGetsEveryEventInOrder(t *testing.T) {
	b := broker.New[any]()
	ch := b.Subscribe(t.Context(), "x", 8)
	for i := range 5 {
		b.Publish("x", i)
	}
	b.Publish("other", "ignored")
	for want := range 5 {
		if got := <-ch; got != want {
			t.Fatalf("got %v, want %d", got, want)
		}
	}
}

func TestSlowBufferedSubscriberIsDroppedNotBlocking(t *testing.T) {
	b := broker.New[any]()
	slow := b.Subscribe(t.Context(), "x", 2)
	fast := b.Subscribe(t.Context(), "x", 100)
	done := make(chan struct{})
	go func() {
		for i := range 50 {
			b.Publish("x", i) // must never block on slow
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a slow subscriber")
	}
	n := 0
	for range slow {
		n++
	}
	if n != 2 {
		t.Errorf("slow subscriber got %d events before being dropped, want its buffer of 2", n)
	}
	for want := range 50 {
		if got := <-fast; got != want {
			t.Fatalf("fast subscriber got %v, want %d", got, want)
		}
	}
}

func TestLatestSubscriberGetsNewest(t *testing.T) {
	b := broker.New[any]()
	ch := b.SubscribeLatest(t.Context(), "x")
	for i := range 100 {
		b.Publish("x", i)
	}
	if got := <-ch; got != 99 {
		t.Fatalf("got %v, want the newest event 99", got)
	}
	select {
	case v := <-ch:
		t.Fatalf("got a second, stale event %v", v)
	default:
	}
}

func TestCancelAndCloseEndSubscriptions(t *testing.T) {
	before := runtime.NumGoroutine()
	b := broker.New[any]()
	ctx, cancel := context.WithCancel(t.Context())
	ch := b.Subscribe(ctx, "x", 1)
	other := b.SubscribeLatest(t.Context(), "y")
	cancel()
	if _, ok := <-ch; ok {
		t.Fatal("channel open after its context ended")
	}
	if b.Subscribers("x") != 0 {
		t.Errorf("subscriber of x still registered")
	}
	b.Close()
	if _, ok := <-other; ok {
		t.Fatal("channel open after Close")
	}
	if _, ok := <-b.Subscribe(t.Context(), "z", 1); ok {
		t.Fatal("subscription after Close got an open channel")
	}
	tstest.WaitGoroutines(t, 5*time.Second, before)
}

func TestConcurrentPublishSubscribe(t *testing.T) {
	b := broker.New[any]()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithCancel(t.Context())
			ch := b.SubscribeLatest(ctx, "x")
			for range 10 {
				b.Publish("x", 1)
			}
			cancel()
			for range ch {
			}
		}()
	}
	wg.Wait()
	if b.Subscribers("x") != 0 {
		t.Errorf("%d subscribers left", b.Subscribers("x"))
	}
}
