package neo4j

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the feedback writes: replace this file with graph/neo4j/feedback.go.

func (db *DB) SubmitFeedback(ctx context.Context, by *model.Principal, in model.FeedbackInput) (*model.Feedback, error) {
	return nil, model.Errorf(model.EINTERNAL, "SubmitFeedback is not implemented yet")
}

func (db *DB) RespondToFeedback(ctx context.Context, in model.FeedbackResponseInput) (*model.Feedback, error) {
	return nil, model.Errorf(model.EINTERNAL, "RespondToFeedback is not implemented yet")
}

func (db *DB) ExpressOpinion(ctx context.Context, by *model.Principal, in model.OpinionInput) (*model.Opinion, error) {
	return nil, model.Errorf(model.EINTERNAL, "ExpressOpinion is not implemented yet")
}

func (db *DB) WithdrawOpinion(ctx context.Context, id string) error {
	return model.Errorf(model.EINTERNAL, "WithdrawOpinion is not implemented yet")
}
