package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// catalogWriters may add to the shared catalogs: threats, measures,
// guidelines, clauses and the links between them. Changing an entry
// needs more: an editor of it (catalogEntry).
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
			if clauseInForce(c, includeWithdrawn) {
				out = append(out, c)
			}
		}
		return out, nil
	}
}

// clauseInForce reports whether a list of clauses shows c: one its
// guideline withdrew only when includeWithdrawn is true.
func clauseInForce(c *model.Clause, includeWithdrawn *bool) bool {
	return !c.Withdrawn || (includeWithdrawn != nil && *includeWithdrawn)
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

// catalogEntry checks, for a change of the catalog entry id (a threat, a
// measure or a guideline; for a clause, its guideline), that the caller
// holds a catalog writer's role and may change the entry
// (model.RequireEditor: its owner organization's analysts and org-admins,
// curators, admins). An entry the caller may not read (an inline one of a
// private analysis) is answered as missing (ENOTFOUND); one that does not
// exist is left to the store, which says so.
func catalogEntry(ctx context.Context, field, id string) error {
	if _, err := model.Require(ctx, catalogWriters...); err != nil {
		return err
	}
	if model.ValidID(field, id) != nil {
		return nil // the store names the bad id
	}
	n, err := ignoreNotFound(loadersFrom(ctx).nodes.Load(ctx, id))
	if err != nil || n == nil {
		return err
	}
	var kind, also string
	var owner *string
	switch n := n.(type) {
	case *model.Threat:
		kind, owner = "threat", n.OwnerID
	case *model.Measure:
		kind, owner = "measure", n.OwnerID
	case *model.Guideline:
		kind, owner, also = "guideline", n.OwnerID, " and its clauses"
	case *model.Clause:
		g, err := loadNode[model.Guideline](ctx, n.GuidelineID)
		if err != nil || g == nil {
			return err
		}
		return requireEditor(ctx, "guideline "+g.ID, " and its clauses (clause "+n.ID+")", g.OwnerID)
	default:
		return nil // not a catalog entry: the store says so
	}
	// An inline entry of an analysis the caller may not read is missing.
	if ok, err := canSee(ctx, n); err != nil || !ok {
		if err == nil {
			err = model.NotFound(field, kind, id)
		}
		return err
	}
	return requireEditor(ctx, kind+" "+id, also, owner)
}

// requireEditor is model.RequireEditor without the principal.
func requireEditor(ctx context.Context, what, also string, owner *string) error {
	_, err := model.RequireEditor(ctx, what, also, owner)
	return err
}

// editCatalog runs a change of the catalog entry id (catalogEntry).
func editCatalog[T any](ctx context.Context, field, id string, write func() (T, error)) (T, error) {
	if err := catalogEntry(ctx, field, id); err != nil {
		var zero T
		return zero, err
	}
	return write()
}

func (r *mutationResolver) createThreat(ctx context.Context, input model.ThreatInput) (*model.Threat, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Threat, error) { return r.Store.CreateThreat(ctx, input) })
}

func (r *mutationResolver) updateThreat(ctx context.Context, id string, input model.ThreatInput) (*model.Threat, error) {
	return editCatalog(ctx, "id", id, func() (*model.Threat, error) { return r.Store.UpdateThreat(ctx, id, input) })
}

func (r *mutationResolver) deleteThreat(ctx context.Context, id string, cascade *bool) (string, error) {
	return catalogDelete(ctx, id, cascade, r.Store.DeleteThreat)
}

func (r *mutationResolver) createMeasure(ctx context.Context, input model.MeasureInput) (*model.Measure, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Measure, error) { return r.Store.CreateMeasure(ctx, input) })
}

func (r *mutationResolver) updateMeasure(ctx context.Context, id string, input model.MeasureInput) (*model.Measure, error) {
	return editCatalog(ctx, "id", id, func() (*model.Measure, error) { return r.Store.UpdateMeasure(ctx, id, input) })
}

func (r *mutationResolver) deleteMeasure(ctx context.Context, id string, cascade *bool) (string, error) {
	return catalogDelete(ctx, id, cascade, r.Store.DeleteMeasure)
}

// linkThreatToMeasure says what a measure mitigates: a change of the
// measure.
func (r *mutationResolver) linkThreatToMeasure(ctx context.Context, threatID string, measureID string, rationale *string) (*model.Threat, error) {
	return editCatalog(ctx, "measureId", measureID, func() (*model.Threat, error) {
		return r.Store.LinkThreatToMeasure(ctx, threatID, measureID, rationale)
	})
}

func (r *mutationResolver) createGuideline(ctx context.Context, input model.GuidelineInput) (*model.Guideline, error) {
	return catalogWrite(ctx, catalogWriters, func() (*model.Guideline, error) { return r.Store.CreateGuideline(ctx, input) })
}

func (r *mutationResolver) updateGuideline(ctx context.Context, id string, input model.GuidelineInput) (*model.Guideline, error) {
	return editCatalog(ctx, "id", id, func() (*model.Guideline, error) { return r.Store.UpdateGuideline(ctx, id, input) })
}

func (r *mutationResolver) deleteGuideline(ctx context.Context, id string, cascade *bool) (string, error) {
	return catalogDelete(ctx, id, cascade, r.Store.DeleteGuideline)
}

// createClause adds to a guideline: a change of the guideline.
func (r *mutationResolver) createClause(ctx context.Context, input model.ClauseInput) (*model.Clause, error) {
	return editCatalog(ctx, "input.guidelineId", input.GuidelineID, func() (*model.Clause, error) { return r.Store.CreateClause(ctx, input) })
}

func (r *mutationResolver) updateClause(ctx context.Context, id string, input model.ClauseInput) (*model.Clause, error) {
	return editCatalog(ctx, "id", id, func() (*model.Clause, error) { return r.Store.UpdateClause(ctx, id, input) })
}

func (r *mutationResolver) deleteClause(ctx context.Context, id string, cascade *bool) (string, error) {
	return catalogDelete(ctx, id, cascade, r.Store.DeleteClause)
}

// mapClauses and unmapClauses change the crosswalk from the source
// clause: a change of its guideline.
func (r *mutationResolver) mapClauses(ctx context.Context, input model.ClauseMappingInput) (*model.ClauseMapping, error) {
	return editCatalog(ctx, "input.sourceId", input.SourceID, func() (*model.ClauseMapping, error) { return r.Store.MapClauses(ctx, input) })
}

func (r *mutationResolver) unmapClauses(ctx context.Context, sourceID string, targetID string) (bool, error) {
	return editCatalog(ctx, "sourceId", sourceID, func() (bool, error) { return r.Store.UnmapClauses(ctx, sourceID, targetID) })
}

// linkMeasureToClause and unlinkMeasureFromClause say which clauses a
// measure satisfies: a change of the measure.
func (r *mutationResolver) linkMeasureToClause(ctx context.Context, input model.MeasureClauseInput) (*model.MeasureClauseLink, error) {
	return editCatalog(ctx, "input.measureId", input.MeasureID, func() (*model.MeasureClauseLink, error) { return r.Store.LinkMeasureToClause(ctx, input) })
}

func (r *mutationResolver) unlinkMeasureFromClause(ctx context.Context, measureID string, clauseID string) (bool, error) {
	return editCatalog(ctx, "measureId", measureID, func() (bool, error) { return r.Store.UnlinkMeasureFromClause(ctx, measureID, clauseID) })
}
