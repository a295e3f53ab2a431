package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// analysisChanged is called by every mutation that changed an analysis or
// one of its assessments of the given target, after the change committed.
// It publishes the target's new comparison to subscribers.
func (r *Resolver) analysisChanged(ctx context.Context, targetID string) {
	_ = ctx
	_ = targetID // wired to the comparison broadcaster in the comparison issue
}

// feedbackAdded is called after feedback was committed.
func (r *Resolver) feedbackAdded(ctx context.Context, fb *model.Feedback) {
	_ = ctx
	_ = fb // wired to the feedbackAdded subscription in the comparison issue
}
