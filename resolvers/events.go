package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// analysisChanged is called by every mutation that changed an analysis or
// one of its assessments of the given target, after the change committed
// (never for a rolled-back write). It schedules the target's comparison to
// be recomputed and published to comparisonUpdated subscribers.
func (r *Resolver) analysisChanged(ctx context.Context, targetID string) {
	_ = ctx
	r.Live.Changed(targetID)
}

// feedbackAdded is called after feedback was committed. It publishes the
// feedback to feedbackAdded subscribers, with the target and analysis it
// concerns so that each subscriber sees only what it may.
func (r *Resolver) feedbackAdded(ctx context.Context, fb *model.Feedback) {
	ev := feedbackEvent{Feedback: fb}
	if n, err := ignoreNotFound(loadersFrom(ctx).nodes.Load(ctx, fb.AboutID)); err == nil {
		switch n := n.(type) {
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
	}
	if ev.Analysis != nil {
		ev.TargetID = ev.Analysis.TargetID
	}
	r.Bus.Publish(feedbackTopic, ev)
}
