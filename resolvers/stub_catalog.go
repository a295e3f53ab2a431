package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the catalog mutations: replace this file with resolvers/catalog.go.

func (r *mutationResolver) createThreat(ctx context.Context, input model.ThreatInput) (*model.Threat, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateThreat is not implemented yet")
}

func (r *mutationResolver) updateThreat(ctx context.Context, id string, input model.ThreatInput) (*model.Threat, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateThreat is not implemented yet")
}

func (r *mutationResolver) deleteThreat(ctx context.Context, id string, cascade *bool) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "DeleteThreat is not implemented yet")
}

func (r *mutationResolver) createMeasure(ctx context.Context, input model.MeasureInput) (*model.Measure, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateMeasure is not implemented yet")
}

func (r *mutationResolver) updateMeasure(ctx context.Context, id string, input model.MeasureInput) (*model.Measure, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateMeasure is not implemented yet")
}

func (r *mutationResolver) deleteMeasure(ctx context.Context, id string, cascade *bool) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "DeleteMeasure is not implemented yet")
}

func (r *mutationResolver) linkThreatToMeasure(ctx context.Context, threatID string, measureID string, rationale *string) (*model.Threat, error) {
	return nil, model.Errorf(model.EINTERNAL, "LinkThreatToMeasure is not implemented yet")
}

func (r *mutationResolver) createGuideline(ctx context.Context, input model.GuidelineInput) (*model.Guideline, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateGuideline is not implemented yet")
}

func (r *mutationResolver) updateGuideline(ctx context.Context, id string, input model.GuidelineInput) (*model.Guideline, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateGuideline is not implemented yet")
}

func (r *mutationResolver) deleteGuideline(ctx context.Context, id string, cascade *bool) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "DeleteGuideline is not implemented yet")
}

func (r *mutationResolver) createClause(ctx context.Context, input model.ClauseInput) (*model.Clause, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateClause is not implemented yet")
}

func (r *mutationResolver) updateClause(ctx context.Context, id string, input model.ClauseInput) (*model.Clause, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateClause is not implemented yet")
}

func (r *mutationResolver) deleteClause(ctx context.Context, id string, cascade *bool) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "DeleteClause is not implemented yet")
}

func (r *mutationResolver) mapClauses(ctx context.Context, input model.ClauseMappingInput) (*model.ClauseMapping, error) {
	return nil, model.Errorf(model.EINTERNAL, "MapClauses is not implemented yet")
}

func (r *mutationResolver) unmapClauses(ctx context.Context, sourceID string, targetID string) (bool, error) {
	return false, model.Errorf(model.EINTERNAL, "UnmapClauses is not implemented yet")
}

func (r *mutationResolver) linkMeasureToClause(ctx context.Context, input model.MeasureClauseInput) (*model.MeasureClauseLink, error) {
	return nil, model.Errorf(model.EINTERNAL, "LinkMeasureToClause is not implemented yet")
}

func (r *mutationResolver) unlinkMeasureFromClause(ctx context.Context, measureID string, clauseID string) (bool, error) {
	return false, model.Errorf(model.EINTERNAL, "UnlinkMeasureFromClause is not implemented yet")
}
