package neo4j

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the scales writes: replace this file with graph/neo4j/scales.go.

func (db *DB) UpdateAxisLevel(ctx context.Context, id string, in model.AxisLevelInput) (*model.AxisLevel, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateAxisLevel is not implemented yet")
}

func (db *DB) SetCategoryRule(ctx context.Context, in model.CategoryRuleInput) (*model.CategoryRule, error) {
	return nil, model.Errorf(model.EINTERNAL, "SetCategoryRule is not implemented yet")
}
