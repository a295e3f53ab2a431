package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// The analysis mutations. createAnalysis needs an analyst or org-admin (or
// an admin) and writes for the caller's organization; every other one
// loads the analysis it changes (NOT_FOUND when missing or not readable by
// the caller) and needs model.RequireWriter for its organization. The store
// refuses changes to submitted versions (CONFLICT). After each committed
// change, the store reports what changed to the operation's commit hook
// (Resolver.committed), which tells the target's subscribers.

// writableAnalysis returns the analysis with the given id when the caller
// may change it. It returns EUNAUTHENTICATED for an anonymous caller,
// ENOTFOUND (naming field) when there is no analysis the caller may read,
// and EFORBIDDEN when the caller may read but not write it.
func writableAnalysis(ctx context.Context, id, field string) (*model.Analysis, error) {
	if _, err := model.Require(ctx); err != nil {
		return nil, err
	}
	a, err := readableAnalysis(ctx, field, id)
	if err != nil {
		return nil, err
	}
	if _, err := model.RequireWriter(ctx, a.OrganizationID); err != nil {
		return nil, err
	}
	return a, nil
}

func (r *mutationResolver) createAnalysis(ctx context.Context, input model.AnalysisInput) (*model.Analysis, error) {
	p, err := model.Require(ctx, model.RoleAnalyst, model.RoleOrgAdmin)
	if err != nil {
		return nil, err
	}
	a, err := r.Store.CreateAnalysis(ctx, p.OrganizationID, input)
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (r *mutationResolver) updateAnalysis(ctx context.Context, id string, input model.AnalysisUpdateInput) (*model.Analysis, error) {
	if _, err := writableAnalysis(ctx, id, "id"); err != nil {
		return nil, err
	}
	a, err := r.Store.UpdateAnalysis(ctx, id, input)
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (r *mutationResolver) deleteAnalysis(ctx context.Context, id string) (string, error) {
	if _, err := writableAnalysis(ctx, id, "id"); err != nil {
		return "", err
	}
	if err := r.Store.DeleteAnalysis(ctx, id); err != nil {
		return "", err
	}
	return id, nil
}

func (r *mutationResolver) assessIncident(ctx context.Context, input model.AssessIncidentInput) (*model.Assessment, error) {
	if _, err := writableAnalysis(ctx, input.AnalysisID, "input.analysisId"); err != nil {
		return nil, err
	}
	return r.Store.AssessIncident(ctx, input)
}

func (r *mutationResolver) removeAssessment(ctx context.Context, id string) (string, error) {
	if _, err := model.Require(ctx); err != nil {
		return "", err
	}
	s, err := readableNode[model.Assessment](ctx, "id", "assessment", id)
	if err != nil {
		return "", err
	}
	if _, err := writableAnalysis(ctx, s.AnalysisID, "id"); err != nil {
		if model.ErrorCode(err) == model.ENOTFOUND {
			return "", model.NotFound("id", "assessment", id)
		}
		return "", err
	}
	if err := r.Store.RemoveAssessment(ctx, id); err != nil {
		return "", err
	}
	return id, nil
}

func (r *mutationResolver) submitAnalysis(ctx context.Context, id string) (*model.Analysis, error) {
	if _, err := writableAnalysis(ctx, id, "id"); err != nil {
		return nil, err
	}
	a, err := r.Store.SubmitAnalysis(ctx, id)
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (r *mutationResolver) reviseAnalysis(ctx context.Context, id string) (*model.Analysis, error) {
	if _, err := writableAnalysis(ctx, id, "id"); err != nil {
		return nil, err
	}
	a, err := r.Store.ReviseAnalysis(ctx, id)
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (r *mutationResolver) setAnalysisPolicies(ctx context.Context, id string, policyIds []string) (*model.Analysis, error) {
	if _, err := writableAnalysis(ctx, id, "id"); err != nil {
		return nil, err
	}
	a, err := r.Store.SetAnalysisPolicies(ctx, id, policyIds)
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (r *mutationResolver) markClausesNotApplicable(ctx context.Context, analysisID string, marks []*model.NotApplicableInput) (*model.Analysis, error) {
	if _, err := writableAnalysis(ctx, analysisID, "analysisId"); err != nil {
		return nil, err
	}
	return r.Store.MarkClausesNotApplicable(ctx, analysisID, marks)
}

func (r *mutationResolver) clearClausesNotApplicable(ctx context.Context, analysisID string, clauseIDs []string) (*model.Analysis, error) {
	if _, err := writableAnalysis(ctx, analysisID, "analysisId"); err != nil {
		return nil, err
	}
	return r.Store.ClearClausesNotApplicable(ctx, analysisID, clauseIDs)
}
