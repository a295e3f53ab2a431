package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

func (r *mutationResolver) createInsurancePolicy(ctx context.Context, input model.InsurancePolicyInput) (*model.InsurancePolicy, error) {
	if _, err := model.RequireWriter(ctx, input.HolderID); err != nil {
		return nil, err
	}
	return r.Store.CreateInsurancePolicy(ctx, input)
}

// policyForWriter loads policy id and checks that the caller may write for
// its holder. A policy the caller may not read is NOT_FOUND, as a missing
// one.
func policyForWriter(ctx context.Context, id string) (*model.InsurancePolicy, error) {
	if _, err := model.Require(ctx); err != nil {
		return nil, err
	}
	p, err := readableNode[model.InsurancePolicy](ctx, "id", "insurance policy", id)
	if err != nil {
		return nil, err
	}
	if _, err := model.RequireWriter(ctx, p.HolderID); err != nil {
		return nil, err
	}
	return p, nil
}

func (r *mutationResolver) updateInsurancePolicy(ctx context.Context, id string, input model.InsurancePolicyInput) (*model.InsurancePolicy, error) {
	if _, err := policyForWriter(ctx, id); err != nil {
		return nil, err
	}
	if _, err := model.RequireWriter(ctx, input.HolderID); err != nil {
		return nil, err
	}
	return r.Store.UpdateInsurancePolicy(ctx, id, input)
}

func (r *mutationResolver) deleteInsurancePolicy(ctx context.Context, id string, cascade *bool) (string, error) {
	if _, err := policyForWriter(ctx, id); err != nil {
		return "", err
	}
	if err := r.Store.DeleteInsurancePolicy(ctx, id, cascadeOf(cascade)); err != nil {
		return "", err
	}
	return id, nil
}

// insuranceGaps reports what insurance does for each assessment of an
// analysis the caller may read (model.Analysis.CanRead, as every analysis
// read), else NOT_FOUND. The policies it shows are those the analysis
// relies on (readable by whoever reads it, model.InsurancePolicy.
// ReadableBy) or, when it relies on none, those its organization holds
// that the caller may read (the store filters them by the same rule).
func (r *queryResolver) insuranceGaps(ctx context.Context, analysisID string) (*model.InsuranceGapReport, error) {
	a, err := readableAnalysis(ctx, "analysisId", analysisID)
	if err != nil {
		return nil, err
	}
	return r.Store.InsuranceGaps(ctx, a.ID)
}
