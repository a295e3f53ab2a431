package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// feedbackTopic is the bus topic of feedbackAdded.
const feedbackTopic = "feedback"

// feedbackBuffer is how many feedback events a subscriber may fall behind
// before it is dropped (its subscription ends with an error).
const feedbackBuffer = 256

// committed is the one place where the effects of a committed write
// follow: the store calls it (as the commit hook NewHandler puts in every
// operation's context) after each write transaction that changed
// something, with what it changed. It forgets the changed nodes in the
// operation's loaders, so that the mutation's result reads them as they
// are now; applies the change to this process at once (see apply); and
// publishes it on the Changes bus, if any, for the other processes (see
// followChanges). No resolver calls it or publishes by itself.
//
// The writer applies its own change synchronously instead of waiting for
// the bus to bring it back, so that what the mutation's answer promises
// holds when the client reads it: a revoked token is refused by the next
// request, feedback is announced with the loaders that just read it.
func (r *Resolver) committed(ctx context.Context, c *model.Change) {
	l := loadersFrom(ctx)
	for _, id := range c.Nodes {
		l.nodes.Clear(id)
		l.notApplicable.Clear(id) // keyed by analysis id: a changed analysis may have other marks
	}
	r.apply(ctx, c.Targets, c.Feedback, c.Tokens)
	if r.Changes != nil {
		if ev := model.NewChangeEvent(r.origin, c); ev != nil {
			r.Changes.Publish(model.ChangesTopic, ev)
		}
	}
}

// apply makes this process show a committed change, made by itself or
// another: it schedules the comparisons of the changed targets to be
// recomputed and published to comparisonUpdated (which also drops their
// cached snapshots), publishes the feedback to feedbackAdded, and forgets
// the revoked tokens, closing their websockets. ctx must hold loaders.
func (r *Resolver) apply(ctx context.Context, targets []string, feedback []*model.Feedback, tokens []string) {
	for _, target := range targets {
		r.Live.Changed(target)
	}
	for _, fb := range feedback {
		r.FeedbackBus.Publish(feedbackTopic, feedbackEvent(ctx, fb))
	}
	if r.auth != nil {
		for _, id := range tokens {
			r.auth.revoked(id)
		}
	}
}

// feedbackEvent returns fb with the node it is about, and the analysis and
// target it concerns, so that each subscriber is shown only what it may
// read (model.Feedback.ReadableBy).
func feedbackEvent(ctx context.Context, fb *model.Feedback) *model.FeedbackEvent {
	ev := &model.FeedbackEvent{Feedback: fb}
	about, err := ignoreNotFound(loadersFrom(ctx).nodes.Load(ctx, fb.AboutID))
	if err != nil || about == nil {
		return ev // only its author, owner and curators will see it
	}
	ev.About = about
	switch n := about.(type) {
	case *model.Analysis:
		ev.Analysis = n
	case *model.Assessment:
		ev.Analysis, _ = loadNode[model.Analysis](ctx, n.AnalysisID)
	case *model.Target:
		ev.TargetID = n.ID
	case *model.Incident:
		ev.TargetID = n.TargetID
	case *model.Asset:
		ev.TargetID = n.TargetID
	}
	if ev.Analysis != nil {
		ev.TargetID = ev.Analysis.TargetID
	}
	return ev
}
