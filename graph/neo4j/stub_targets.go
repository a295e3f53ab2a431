package neo4j

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the targets writes: replace this file with graph/neo4j/targets.go.

func (db *DB) CreateTarget(ctx context.Context, in model.TargetInput) (*model.Target, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateTarget is not implemented yet")
}

func (db *DB) UpdateTarget(ctx context.Context, id string, in model.TargetInput) (*model.Target, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateTarget is not implemented yet")
}

func (db *DB) DeleteTarget(ctx context.Context, id string, cascade bool) error {
	return model.Errorf(model.EINTERNAL, "DeleteTarget is not implemented yet")
}

func (db *DB) CreateAsset(ctx context.Context, in model.AssetInput) (*model.Asset, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateAsset is not implemented yet")
}

func (db *DB) UpdateAsset(ctx context.Context, id string, in model.AssetInput) (*model.Asset, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateAsset is not implemented yet")
}

func (db *DB) DeleteAsset(ctx context.Context, id string, cascade bool) error {
	return model.Errorf(model.EINTERNAL, "DeleteAsset is not implemented yet")
}

func (db *DB) ConnectAssets(ctx context.Context, fromID, toID string) (*model.Asset, error) {
	return nil, model.Errorf(model.EINTERNAL, "ConnectAssets is not implemented yet")
}

func (db *DB) DisconnectAssets(ctx context.Context, fromID, toID string) (*model.Asset, error) {
	return nil, model.Errorf(model.EINTERNAL, "DisconnectAssets is not implemented yet")
}

func (db *DB) CreateIncident(ctx context.Context, in model.IncidentInput) (*model.Incident, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateIncident is not implemented yet")
}

func (db *DB) UpdateIncident(ctx context.Context, id string, in model.IncidentInput) (*model.Incident, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateIncident is not implemented yet")
}

func (db *DB) DeleteIncident(ctx context.Context, id string, cascade bool) error {
	return model.Errorf(model.EINTERNAL, "DeleteIncident is not implemented yet")
}
