package neo4j

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the catalog writes: replace this file with graph/neo4j/catalog.go.

func (db *DB) CreateThreat(ctx context.Context, in model.ThreatInput) (*model.Threat, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateThreat is not implemented yet")
}

func (db *DB) UpdateThreat(ctx context.Context, id string, in model.ThreatInput) (*model.Threat, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateThreat is not implemented yet")
}

func (db *DB) DeleteThreat(ctx context.Context, id string, cascade bool) error {
	return model.Errorf(model.EINTERNAL, "DeleteThreat is not implemented yet")
}

func (db *DB) CreateMeasure(ctx context.Context, in model.MeasureInput) (*model.Measure, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateMeasure is not implemented yet")
}

func (db *DB) UpdateMeasure(ctx context.Context, id string, in model.MeasureInput) (*model.Measure, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateMeasure is not implemented yet")
}

func (db *DB) DeleteMeasure(ctx context.Context, id string, cascade bool) error {
	return model.Errorf(model.EINTERNAL, "DeleteMeasure is not implemented yet")
}

func (db *DB) LinkThreatToMeasure(ctx context.Context, threatID, measureID string, rationale *string) (*model.Threat, error) {
	return nil, model.Errorf(model.EINTERNAL, "LinkThreatToMeasure is not implemented yet")
}

func (db *DB) CreateGuideline(ctx context.Context, in model.GuidelineInput) (*model.Guideline, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateGuideline is not implemented yet")
}

func (db *DB) UpdateGuideline(ctx context.Context, id string, in model.GuidelineInput) (*model.Guideline, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateGuideline is not implemented yet")
}

func (db *DB) DeleteGuideline(ctx context.Context, id string, cascade bool) error {
	return model.Errorf(model.EINTERNAL, "DeleteGuideline is not implemented yet")
}

func (db *DB) CreateClause(ctx context.Context, in model.ClauseInput) (*model.Clause, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateClause is not implemented yet")
}

func (db *DB) UpdateClause(ctx context.Context, id string, in model.ClauseInput) (*model.Clause, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateClause is not implemented yet")
}

func (db *DB) DeleteClause(ctx context.Context, id string, cascade bool) error {
	return model.Errorf(model.EINTERNAL, "DeleteClause is not implemented yet")
}

func (db *DB) MapClauses(ctx context.Context, in model.ClauseMappingInput) (*model.ClauseMapping, error) {
	return nil, model.Errorf(model.EINTERNAL, "MapClauses is not implemented yet")
}

func (db *DB) UnmapClauses(ctx context.Context, sourceID, targetID string) (bool, error) {
	return false, model.Errorf(model.EINTERNAL, "UnmapClauses is not implemented yet")
}

func (db *DB) LinkMeasureToClause(ctx context.Context, in model.MeasureClauseInput) (*model.MeasureClauseLink, error) {
	return nil, model.Errorf(model.EINTERNAL, "LinkMeasureToClause is not implemented yet")
}

func (db *DB) UnlinkMeasureFromClause(ctx context.Context, measureID, clauseID string) (bool, error) {
	return false, model.Errorf(model.EINTERNAL, "UnlinkMeasureFromClause is not implemented yet")
}
