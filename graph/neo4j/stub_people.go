package neo4j

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the people writes: replace this file with graph/neo4j/people.go.

func (db *DB) CreateOrganization(ctx context.Context, in model.OrganizationInput) (*model.Organization, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateOrganization is not implemented yet")
}

func (db *DB) UpdateOrganization(ctx context.Context, id string, in model.OrganizationInput) (*model.Organization, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateOrganization is not implemented yet")
}

func (db *DB) DeleteOrganization(ctx context.Context, id string, cascade bool) error {
	return model.Errorf(model.EINTERNAL, "DeleteOrganization is not implemented yet")
}

func (db *DB) CreateDepartment(ctx context.Context, in model.DepartmentInput) (*model.Department, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateDepartment is not implemented yet")
}

func (db *DB) UpdateDepartment(ctx context.Context, id, name string) (*model.Department, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateDepartment is not implemented yet")
}

func (db *DB) DeleteDepartment(ctx context.Context, id string, cascade bool) error {
	return model.Errorf(model.EINTERNAL, "DeleteDepartment is not implemented yet")
}
