package neo4j

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the analysis writes: replace this file with graph/neo4j/analysis.go.

func (db *DB) CreateAnalysis(ctx context.Context, org string, in model.AnalysisInput) (*model.Analysis, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateAnalysis is not implemented yet")
}

func (db *DB) UpdateAnalysis(ctx context.Context, id string, in model.AnalysisUpdateInput) (*model.Analysis, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateAnalysis is not implemented yet")
}

func (db *DB) DeleteAnalysis(ctx context.Context, id string) error {
	return model.Errorf(model.EINTERNAL, "DeleteAnalysis is not implemented yet")
}

func (db *DB) AssessIncident(ctx context.Context, in model.AssessIncidentInput) (*model.Assessment, error) {
	return nil, model.Errorf(model.EINTERNAL, "AssessIncident is not implemented yet")
}

func (db *DB) RemoveAssessment(ctx context.Context, id string) error {
	return model.Errorf(model.EINTERNAL, "RemoveAssessment is not implemented yet")
}

func (db *DB) SubmitAnalysis(ctx context.Context, id string) (*model.Analysis, error) {
	return nil, model.Errorf(model.EINTERNAL, "SubmitAnalysis is not implemented yet")
}

func (db *DB) ReviseAnalysis(ctx context.Context, id string) (*model.Analysis, error) {
	return nil, model.Errorf(model.EINTERNAL, "ReviseAnalysis is not implemented yet")
}

func (db *DB) SetAnalysisPolicies(ctx context.Context, id string, policyIDs []string) (*model.Analysis, error) {
	return nil, model.Errorf(model.EINTERNAL, "SetAnalysisPolicies is not implemented yet")
}
