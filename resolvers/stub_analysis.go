package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the analysis mutations: replace this file with resolvers/analysis.go.

func (r *mutationResolver) createAnalysis(ctx context.Context, input model.AnalysisInput) (*model.Analysis, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateAnalysis is not implemented yet")
}

func (r *mutationResolver) updateAnalysis(ctx context.Context, id string, input model.AnalysisUpdateInput) (*model.Analysis, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateAnalysis is not implemented yet")
}

func (r *mutationResolver) deleteAnalysis(ctx context.Context, id string) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "DeleteAnalysis is not implemented yet")
}

func (r *mutationResolver) assessIncident(ctx context.Context, input model.AssessIncidentInput) (*model.Assessment, error) {
	return nil, model.Errorf(model.EINTERNAL, "AssessIncident is not implemented yet")
}

func (r *mutationResolver) removeAssessment(ctx context.Context, id string) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "RemoveAssessment is not implemented yet")
}

func (r *mutationResolver) submitAnalysis(ctx context.Context, id string) (*model.Analysis, error) {
	return nil, model.Errorf(model.EINTERNAL, "SubmitAnalysis is not implemented yet")
}

func (r *mutationResolver) reviseAnalysis(ctx context.Context, id string) (*model.Analysis, error) {
	return nil, model.Errorf(model.EINTERNAL, "ReviseAnalysis is not implemented yet")
}

func (r *mutationResolver) setAnalysisPolicies(ctx context.Context, id string, policyIds []string) (*model.Analysis, error) {
	return nil, model.Errorf(model.EINTERNAL, "SetAnalysisPolicies is not implemented yet")
}
