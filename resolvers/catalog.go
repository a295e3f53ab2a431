package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// catalogWriters may add to and change the shared catalogs: threats,
// measures, guidelines, clauses and the links between them.
var catalogWriters = []model.Role{model.RoleAnalyst, model.RoleOrgAdmin, model.RoleCurator, model.RoleAdmin}

// catalogDeleters may delete catalog entries.
var catalogDeleters = []model.Role{model.RoleCurator, model.RoleAdmin}

// inForce returns a filter of loaded clauses: it leaves out withdrawn ones
// unless includeWithdrawn is true. The load is the same either way (one
// batch for the level), so the argument costs no round trip.
func inForce(cs []*model.Clause, err error) func(includeWithdrawn *bool) ([]*model.Clause, error) {
	return func(includeWithdrawn *bool) ([]*model.Clause, error) {
		if err != nil || (includeWithdrawn != nil && *includeWithdrawn) {
			return cs, err
		}
		out := make([]*model.Clause, 0, len(cs))
		for _, c := range cs {
			if !c.Withdrawn {
				out = append(out, c)
			}
		}
		return out, nil
	}
}

// firstOf returns the first of the loaded nodes, or nil: a relation that
// leads to at most one node (a sub-technique's technique, a revoked entry's
// replacement) loads as a list.
func firstOf[T any](ts []*T, err error) (*T, error) {
	if err != nil || len(ts) == 0 {
		return nil, err
	}
	return ts[0], nil
}

// flag writes an optional boolean argument as a list filter's value:
// "true", or "false" when it is false or not given.
func flag(b *bool) *string {
	s := "false"
	if b != nil && *b {
		s = "true"
	}
	return &s
}

// catalogWrite runs a catalog change for a caller who holds one of roles.
func catalogWrite[T any](ctx context.Context, roles []model.Role, write func() (T, error)) (T, error) {
	if _, err := model.Require(ctx, roles...); err != nil {
		var zero T
		return zero, err
	}
	return write()
}

// catalogDelete runs a catalog delete for a curator or admin and returns
// the deleted node's id.
func catalogDelete(ctx context.Context, id string, cascade *bool, del func(ctx context.Context, id string, cascade bool) error) (string, error) {
	if _, err := model.Require(ctx, catalogDeleters...); err != nil {
		return "", err
	}
	if err := del(ctx, id, cascade != nil && *cascade); err != nil {
		return "", err
	}
	return id, nil
}

func (r *mutationResolver) createThreat(ctx context.Context, input model.ThreatInput) (*model.Threat, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Threat, error) { return r.Store.CreateThreat(ctx, input) })
}

func (r *mutationResolver) updateThreat(ctx context.Context, id string, input model.ThreatInput) (*model.Threat, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Threat, error) { return r.Store.UpdateThreat(ctx, id, input) })
}

func (r *mutationResolver) deleteThreat(ctx context.Context, id string, cascade *bool) (string, error) {
	return catalogDelete(ctx, id, cascade, r.Store.DeleteThreat)
}

func (r *mutationResolver) createMeasure(ctx context.Context, input model.MeasureInput) (*model.Measure, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Measure, error) { return r.Store.CreateMeasure(ctx, input) })
}

func (r *mutationResolver) updateMeasure(ctx context.Context, id string, input model.MeasureInput) (*model.Measure, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Measure, error) { return r.Store.UpdateMeasure(ctx, id, input) })
}

func (r *mutationResolver) deleteMeasure(ctx context.Context, id string, cascade *bool) (string, error) {
	return catalogDelete(ctx, id, cascade, r.Store.DeleteMeasure)
}

func (r *mutationResolver) linkThreatToMeasure(ctx context.Context, threatID string, measureID string, rationale *string) (*model.Threat, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Threat, error) {
		return r.Store.LinkThreatToMeasure(ctx, threatID, measureID, rationale)
	})
}

func (r *mutationResolver) createGuideline(ctx context.Context, input model.GuidelineInput) (*model.Guideline, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Guideline, error) { return r.Store.CreateGuideline(ctx, input) })
}

func (r *mutationResolver) updateGuideline(ctx context.Context, id string, input model.GuidelineInput) (*model.Guideline, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Guideline, error) { return r.Store.UpdateGuideline(ctx, id, input) })
}

func (r *mutationResolver) deleteGuideline(ctx context.Context, id string, cascade *bool) (string, error) {
	return catalogDelete(ctx, id, cascade, r.Store.DeleteGuideline)
}

func (r *mutationResolver) createClause(ctx context.Context, input model.ClauseInput) (*model.Clause, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Clause, error) { return r.Store.CreateClause(ctx, input) })
}

func (r *mutationResolver) updateClause(ctx context.Context, id string, input model.ClauseInput) (*model.Clause, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Clause, error) { return r.Store.UpdateClause(ctx, id, input) })
}

func (r *mutationResolver) deleteClause(ctx context.Context, id string, cascade *bool) (string, error) {
	return catalogDelete(ctx, id, cascade, r.Store.DeleteClause)
}

func (r *mutationResolver) mapClauses(ctx context.Context, input model.ClauseMappingInput) (*model.ClauseMapping, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.ClauseMapping, error) { return r.Store.MapClauses(ctx, input) })
}

// unmapClauses and unlinkMeasureFromClause undo a map or a link, so they
// need the same roles as making one, not a curator's.
func (r *mutationResolver) unmapClauses(ctx context.Context, sourceID string, targetID string) (bool, error) {
	return catalogWrite(ctx, catalogWriters, func() (bool, error) { return r.Store.UnmapClauses(ctx, sourceID, targetID) })
}

func (r *mutationResolver) linkMeasureToClause(ctx context.Context, input model.MeasureClauseInput) (*model.MeasureClauseLink, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.MeasureClauseLink, error) { return r.Store.LinkMeasureToClause(ctx, input) })
}

func (r *mutationResolver) unlinkMeasureFromClause(ctx context.Context, measureID string, clauseID string) (bool, error) {
	return catalogWrite(ctx, catalogWriters, func() (bool, error) { return r.Store.UnlinkMeasureFromClause(ctx, measureID, clauseID) })
}
