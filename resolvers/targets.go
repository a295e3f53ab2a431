package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Who may change targets, assets and incidents: the shared nodes that
// align analyses. Any writing role creates and changes them; deleting them
// is for curators and admins.
var (
	targetWriters  = []model.Role{model.RoleAnalyst, model.RoleOrgAdmin, model.RoleCurator, model.RoleAdmin}
	targetDeleters = []model.Role{model.RoleCurator, model.RoleAdmin}
)

func (r *mutationResolver) createTarget(ctx context.Context, input model.TargetInput) (*model.Target, error) {
	if _, err := model.Require(ctx, targetWriters...); err != nil {
		return nil, err
	}
	return r.Store.CreateTarget(ctx, input)
}

func (r *mutationResolver) updateTarget(ctx context.Context, id string, input model.TargetInput) (*model.Target, error) {
	if _, err := model.Require(ctx, targetWriters...); err != nil {
		return nil, err
	}
	return r.Store.UpdateTarget(ctx, id, input)
}

func (r *mutationResolver) deleteTarget(ctx context.Context, id string, cascade *bool) (string, error) {
	if _, err := model.Require(ctx, targetDeleters...); err != nil {
		return "", err
	}
	if err := r.Store.DeleteTarget(ctx, id, cascadeOf(cascade)); err != nil {
		return "", err
	}
	return id, nil
}

func (r *mutationResolver) createAsset(ctx context.Context, input model.AssetInput) (*model.Asset, error) {
	if _, err := model.Require(ctx, targetWriters...); err != nil {
		return nil, err
	}
	return r.Store.CreateAsset(ctx, input)
}

func (r *mutationResolver) updateAsset(ctx context.Context, id string, input model.AssetInput) (*model.Asset, error) {
	if _, err := model.Require(ctx, targetWriters...); err != nil {
		return nil, err
	}
	return r.Store.UpdateAsset(ctx, id, input)
}

func (r *mutationResolver) deleteAsset(ctx context.Context, id string, cascade *bool) (string, error) {
	if _, err := model.Require(ctx, targetDeleters...); err != nil {
		return "", err
	}
	if err := r.Store.DeleteAsset(ctx, id, cascadeOf(cascade)); err != nil {
		return "", err
	}
	return id, nil
}

func (r *mutationResolver) connectAssets(ctx context.Context, fromID string, toID string) (*model.Asset, error) {
	if _, err := model.Require(ctx, targetWriters...); err != nil {
		return nil, err
	}
	return r.Store.ConnectAssets(ctx, fromID, toID)
}

func (r *mutationResolver) disconnectAssets(ctx context.Context, fromID string, toID string) (*model.Asset, error) {
	if _, err := model.Require(ctx, targetWriters...); err != nil {
		return nil, err
	}
	return r.Store.DisconnectAssets(ctx, fromID, toID)
}

func (r *mutationResolver) createIncident(ctx context.Context, input model.IncidentInput) (*model.Incident, error) {
	if _, err := model.Require(ctx, targetWriters...); err != nil {
		return nil, err
	}
	return r.Store.CreateIncident(ctx, input)
}

func (r *mutationResolver) updateIncident(ctx context.Context, id string, input model.IncidentInput) (*model.Incident, error) {
	if _, err := model.Require(ctx, targetWriters...); err != nil {
		return nil, err
	}
	return r.Store.UpdateIncident(ctx, id, input)
}

func (r *mutationResolver) deleteIncident(ctx context.Context, id string, cascade *bool) (string, error) {
	if _, err := model.Require(ctx, targetDeleters...); err != nil {
		return "", err
	}
	if err := r.Store.DeleteIncident(ctx, id, cascadeOf(cascade)); err != nil {
		return "", err
	}
	return id, nil
}
