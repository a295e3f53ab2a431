package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the insurance mutations: replace this file with resolvers/insurance.go.

func (r *mutationResolver) createInsurancePolicy(ctx context.Context, input model.InsurancePolicyInput) (*model.InsurancePolicy, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateInsurancePolicy is not implemented yet")
}

func (r *mutationResolver) updateInsurancePolicy(ctx context.Context, id string, input model.InsurancePolicyInput) (*model.InsurancePolicy, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateInsurancePolicy is not implemented yet")
}

func (r *mutationResolver) deleteInsurancePolicy(ctx context.Context, id string, cascade *bool) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "DeleteInsurancePolicy is not implemented yet")
}
