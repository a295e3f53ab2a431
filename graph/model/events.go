package model

import "context"

// EventBus carries events to subscribers by topic. The in-process
// implementation is graph/broker; replicas of the server could share one
// bus through another implementation of this interface.
//
// Publish never blocks. A subscriber gets either every event (Subscribe,
// with a bounded buffer; one that falls that far behind is dropped and its
// channel closed) or only the newest one it has not read yet
// (SubscribeLatest). Channels close when ctx ends or the bus closes.
// Implementations are safe for concurrent use.
type EventBus interface {
	Publish(topic string, event any)
	Subscribe(ctx context.Context, topic string, buffer int) <-chan any
	SubscribeLatest(ctx context.Context, topic string) <-chan any
}
