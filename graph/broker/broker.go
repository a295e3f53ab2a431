// Package broker is ssfgraph's in-process event bus (model.EventBus):
// mutations publish after their transaction commits, subscriptions
// receive. Publishing never blocks, so a slow subscriber can neither stall
// a writer nor other subscribers.
package broker

import (
	"context"
	"sync"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.EventBus[int] = (*Broker[int])(nil)

// Broker is an in-process model.EventBus. The zero value is not usable:
// call New. Its methods are safe for concurrent use.
type Broker[E any] struct {
	mu     sync.Mutex
	subs   map[string]map[*subscriber[E]]struct{}
	closed bool
}

type subscriber[E any] struct {
	ch     chan E
	latest bool // keep only the newest unread event
	done   bool
}

// New returns an empty Broker of events of type E.
func New[E any]() *Broker[E] {
	return &Broker[E]{subs: map[string]map[*subscriber[E]]struct{}{}}
}

// Publish sends event to every subscriber of topic without blocking. A
// latest-only subscriber's unread event is replaced; a buffered subscriber
// whose buffer is full is dropped and its channel closed, so that it knows
// it missed events.
func (b *Broker[E]) Publish(topic string, event E) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[topic] {
		select {
		case s.ch <- event:
			continue
		default:
		}
		if s.latest {
			select { // drop the stale event, then send: both cannot block under the lock
			case <-s.ch:
			default:
			}
			s.ch <- event
			continue
		}
		b.removeLocked(topic, s)
	}
}

// Subscribe returns a channel with every event of topic, buffering up to
// buffer of them (at least 1).
func (b *Broker[E]) Subscribe(ctx context.Context, topic string, buffer int) <-chan E {
	return b.add(ctx, topic, &subscriber[E]{ch: make(chan E, max(buffer, 1))})
}

// SubscribeLatest returns a channel that holds the newest event of topic
// the subscriber has not read yet.
func (b *Broker[E]) SubscribeLatest(ctx context.Context, topic string) <-chan E {
	return b.add(ctx, topic, &subscriber[E]{ch: make(chan E, 1), latest: true})
}

func (b *Broker[E]) add(ctx context.Context, topic string, s *subscriber[E]) <-chan E {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(s.ch)
		return s.ch
	}
	if b.subs[topic] == nil {
		b.subs[topic] = map[*subscriber[E]]struct{}{}
	}
	b.subs[topic][s] = struct{}{}
	context.AfterFunc(ctx, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.removeLocked(topic, s)
	})
	return s.ch
}

// removeLocked drops s and closes its channel, once. b.mu must be held, so
// that no Publish can send on the closed channel.
func (b *Broker[E]) removeLocked(topic string, s *subscriber[E]) {
	if s.done {
		return
	}
	s.done = true
	close(s.ch)
	delete(b.subs[topic], s)
	if len(b.subs[topic]) == 0 {
		delete(b.subs, topic)
	}
}

// Subscribers returns how many subscribers topic has now.
func (b *Broker[E]) Subscribers(topic string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs[topic])
}

// Close closes every subscriber's channel; later subscriptions get a
// closed channel. Server shutdown calls it so that subscriptions end.
func (b *Broker[E]) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for topic, subs := range b.subs {
		for s := range subs {
			b.removeLocked(topic, s)
		}
	}
}
