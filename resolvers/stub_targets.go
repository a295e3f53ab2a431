package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the targets mutations: replace this file with resolvers/targets.go.

func (r *mutationResolver) createTarget(ctx context.Context, input model.TargetInput) (*model.Target, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateTarget is not implemented yet")
}

func (r *mutationResolver) updateTarget(ctx context.Context, id string, input model.TargetInput) (*model.Target, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateTarget is not implemented yet")
}

func (r *mutationResolver) deleteTarget(ctx context.Context, id string, cascade *bool) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "DeleteTarget is not implemented yet")
}

func (r *mutationResolver) createAsset(ctx context.Context, input model.AssetInput) (*model.Asset, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateAsset is not implemented yet")
}

func (r *mutationResolver) updateAsset(ctx context.Context, id string, input model.AssetInput) (*model.Asset, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateAsset is not implemented yet")
}

func (r *mutationResolver) deleteAsset(ctx context.Context, id string, cascade *bool) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "DeleteAsset is not implemented yet")
}

func (r *mutationResolver) connectAssets(ctx context.Context, fromID string, toID string) (*model.Asset, error) {
	return nil, model.Errorf(model.EINTERNAL, "ConnectAssets is not implemented yet")
}

func (r *mutationResolver) disconnectAssets(ctx context.Context, fromID string, toID string) (*model.Asset, error) {
	return nil, model.Errorf(model.EINTERNAL, "DisconnectAssets is not implemented yet")
}

func (r *mutationResolver) createIncident(ctx context.Context, input model.IncidentInput) (*model.Incident, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateIncident is not implemented yet")
}

func (r *mutationResolver) updateIncident(ctx context.Context, id string, input model.IncidentInput) (*model.Incident, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateIncident is not implemented yet")
}

func (r *mutationResolver) deleteIncident(ctx context.Context, id string, cascade *bool) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "DeleteIncident is not implemented yet")
}
