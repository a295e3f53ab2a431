package neo4j

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the insurance writes: replace this file with graph/neo4j/insurance.go.

func (db *DB) CreateInsurancePolicy(ctx context.Context, in model.InsurancePolicyInput) (*model.InsurancePolicy, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateInsurancePolicy is not implemented yet")
}

func (db *DB) UpdateInsurancePolicy(ctx context.Context, id string, in model.InsurancePolicyInput) (*model.InsurancePolicy, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateInsurancePolicy is not implemented yet")
}

func (db *DB) DeleteInsurancePolicy(ctx context.Context, id string, cascade bool) error {
	return model.Errorf(model.EINTERNAL, "DeleteInsurancePolicy is not implemented yet")
}
