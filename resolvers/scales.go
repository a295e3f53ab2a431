package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// updateAxisLevel lets curators (and admins) edit one level of an axis
// scale.
func (r *mutationResolver) updateAxisLevel(ctx context.Context, id string, input model.AxisLevelInput) (*model.AxisLevel, error) {
	if _, err := model.Require(ctx, model.RoleCurator, model.RoleAdmin); err != nil {
		return nil, err
	}
	return r.Store.UpdateAxisLevel(ctx, id, input)
}

// setCategoryRule lets curators (and admins) change the category matrix.
func (r *mutationResolver) setCategoryRule(ctx context.Context, input model.CategoryRuleInput) (*model.CategoryRule, error) {
	if _, err := model.Require(ctx, model.RoleCurator, model.RoleAdmin); err != nil {
		return nil, err
	}
	return r.Store.SetCategoryRule(ctx, input)
}
