package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the feedback mutations: replace this file with resolvers/feedback.go.

func (r *mutationResolver) submitFeedback(ctx context.Context, input model.FeedbackInput) (*model.Feedback, error) {
	return nil, model.Errorf(model.EINTERNAL, "SubmitFeedback is not implemented yet")
}

func (r *mutationResolver) respondToFeedback(ctx context.Context, input model.FeedbackResponseInput) (*model.Feedback, error) {
	return nil, model.Errorf(model.EINTERNAL, "RespondToFeedback is not implemented yet")
}

func (r *mutationResolver) expressOpinion(ctx context.Context, input model.OpinionInput) (*model.Opinion, error) {
	return nil, model.Errorf(model.EINTERNAL, "ExpressOpinion is not implemented yet")
}

func (r *mutationResolver) withdrawOpinion(ctx context.Context, id string) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "WithdrawOpinion is not implemented yet")
}
