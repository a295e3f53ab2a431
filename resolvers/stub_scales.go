package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the scales mutations: replace this file with resolvers/scales.go.

func (r *mutationResolver) updateAxisLevel(ctx context.Context, id string, input model.AxisLevelInput) (*model.AxisLevel, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateAxisLevel is not implemented yet")
}

func (r *mutationResolver) setCategoryRule(ctx context.Context, input model.CategoryRuleInput) (*model.CategoryRule, error) {
	return nil, model.Errorf(model.EINTERNAL, "SetCategoryRule is not implemented yet")
}
