package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/coverage"
	"github.com/ssfgraph/ssfgraph/graph/model"
)

// hopsArg reads a maxHops argument: 3 when absent, else 1 to
// coverage.MaxHopsLimit.
func hopsArg(maxHops *int) (int, error) {
	if maxHops == nil {
		return coverage.DefaultMaxHops, nil
	}
	if *maxHops < 1 || *maxHops > coverage.MaxHopsLimit {
		return 0, model.FieldErrorf(model.EINVALID, "maxHops", "maxHops must be from 1 to %d, not %d", coverage.MaxHopsLimit, *maxHops)
	}
	return *maxHops, nil
}

// GuidelineCoverage computes the coverage of an analysis the caller may
// read against a guideline. The HTTP resolver and the due-care report both
// use it.
func GuidelineCoverage(ctx context.Context, store model.Store, analysisID, guidelineID string, maxHops int) (*model.GuidelineCoverage, error) {
	a, err := visibleAnalysis(ctx, &analysisID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, model.FieldErrorf(model.ENOTFOUND, "analysisId", "no analysis %q that you may read", analysisID)
	}
	in, err := store.CoverageInput(ctx, analysisID, guidelineID, nil, maxHops)
	if err != nil {
		return nil, err
	}
	res := coverage.Compute(*in)
	return &model.GuidelineCoverage{
		AnalysisID: analysisID, GuidelineID: guidelineID, MaxHops: res.MaxHops,
		Summary: res.Summary, Families: res.Families, Clauses: res.Clauses,
	}, nil
}

func (r *queryResolver) guidelineCoverage(ctx context.Context, analysisID, guidelineID string, maxHops *int) (*model.GuidelineCoverage, error) {
	hops, err := hopsArg(maxHops)
	if err != nil {
		return nil, err
	}
	return GuidelineCoverage(ctx, r.Store, analysisID, guidelineID, hops)
}

func (r *queryResolver) crosswalk(ctx context.Context, fromID, toID string, maxHops *int) (*model.Crosswalk, error) {
	hops, err := hopsArg(maxHops)
	if err != nil {
		return nil, err
	}
	from, to, edges, err := r.Store.CrosswalkInput(ctx, fromID, toID, hops)
	if err != nil {
		return nil, err
	}
	res := coverage.Crosswalk(from, to, edges, hops)
	return &model.Crosswalk{FromID: fromID, ToID: toID, MaxHops: res.MaxHops, Mappings: res.Mappings,
		UnmappedFrom: res.UnmappedFrom, UnmappedTo: res.UnmappedTo}, nil
}

// clausesWith returns the clause results in the given status (all when
// status is nil).
func clausesWith(cs []coverage.ClauseResult, status *model.CoverageStatus) []*coverage.ClauseResult {
	out := make([]*coverage.ClauseResult, 0, len(cs))
	for i := range cs {
		if status == nil || string(cs[i].Status) == string(*status) {
			out = append(out, &cs[i])
		}
	}
	return out
}

// relationship spells a coverage relation as the GraphQL enum.
func relationship(r coverage.Relation) model.MappingRelationship {
	return model.MappingRelationship(r)
}

// optional returns nil for an empty string.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
