package model

import "context"

// EventBus carries events of type E to subscribers by topic. The
// in-process implementation is graph/broker; replicas of the server could
// share one bus through another implementation of this interface.
//
// Publish never blocks. A subscriber gets either every event (Subscribe,
// with a bounded buffer; one that falls that far behind is dropped and its
// channel closed) or only the newest one it has not read yet
// (SubscribeLatest). Channels close when ctx ends or the bus closes.
// Implementations are safe for concurrent use.
type EventBus[E any] interface {
	Publish(topic string, event E)
	Subscribe(ctx context.Context, topic string, buffer int) <-chan E
	SubscribeLatest(ctx context.Context, topic string) <-chan E
}

// FeedbackEvent is feedback that was just submitted, with what it is
// about, so that each subscriber can be shown only what it may read.
type FeedbackEvent struct {
	Feedback *Feedback
	// About is the node the feedback is about, nil when it no longer
	// exists.
	About Node
	// Analysis is the analysis the feedback concerns (About itself, or
	// the analysis of an assessment About is), nil for none.
	Analysis *Analysis
	// TargetID is the target the feedback concerns, "" for none.
	TargetID string
}
