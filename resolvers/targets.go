package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Who may change targets, assets and incidents: the shared nodes that
// align analyses. Any writing role creates a target, owned by the caller's
// organization; changing, deleting or adding to a target, and changing or
// deleting its assets and incidents, follow model.Principal.EditsShared
// (its owner organization's analysts and org-admins, curators, admins).
var targetWriters = []model.Role{model.RoleAnalyst, model.RoleOrgAdmin, model.RoleCurator, model.RoleAdmin}

// editableTarget returns the target with the given id when the caller may
// change it (model.RequireTargetEditor). It returns EUNAUTHENTICATED for an
// anonymous caller, EINVALID or ENOTFOUND (naming field) for a malformed or
// unknown id and
// EFORBIDDEN for a caller who may not edit it; it checks nothing else, so
// a denied call writes nothing.
func editableTarget(ctx context.Context, id, field string) (*model.Target, error) {
	if _, err := model.Require(ctx); err != nil {
		return nil, err
	}
	if err := model.ValidID(field, id); err != nil {
		return nil, err
	}
	t, err := loadNode[model.Target](ctx, id)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, model.FieldErrorf(model.ENOTFOUND, field, "no target %q", id)
	}
	if _, err := model.RequireTargetEditor(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// editableOfTarget checks, for the asset or incident (T) with the given id,
// that the caller may change its target (editableTarget). It returns
// ENOTFOUND (naming field) when there is no such node that the caller may
// read.
func editableOfTarget[T any](ctx context.Context, id, field, what string, targetOf func(*T) string) error {
	if _, err := model.Require(ctx); err != nil {
		return err
	}
	if err := model.ValidID(field, id); err != nil {
		return err
	}
	n, err := loadNode[T](ctx, id)
	if err != nil {
		return err
	}
	if n == nil {
		return model.FieldErrorf(model.ENOTFOUND, field, "no %s %q", what, id)
	}
	if in, ok := any(n).(model.Inline); ok {
		// One private to an analysis the caller may not read is unknown
		// to the caller (model.InlineReadable).
		ok, err := inlineReadable(ctx, in)
		if err != nil {
			return err
		}
		if !ok {
			return model.FieldErrorf(model.ENOTFOUND, field, "no %s %q", what, id)
		}
	}
	_, err = editableTarget(ctx, targetOf(n), field)
	return err
}

func assetTarget(x *model.Asset) string       { return x.TargetID }
func incidentTarget(i *model.Incident) string { return i.TargetID }

func (r *mutationResolver) createTarget(ctx context.Context, input model.TargetInput) (*model.Target, error) {
	p, err := model.Require(ctx, targetWriters...)
	if err != nil {
		return nil, err
	}
	return r.Store.CreateTarget(ctx, p.OrganizationID, input)
}

func (r *mutationResolver) updateTarget(ctx context.Context, id string, input model.TargetInput) (*model.Target, error) {
	if _, err := editableTarget(ctx, id, "id"); err != nil {
		return nil, err
	}
	return r.Store.UpdateTarget(ctx, id, input)
}

func (r *mutationResolver) deleteTarget(ctx context.Context, id string, cascade *bool) (string, error) {
	if _, err := editableTarget(ctx, id, "id"); err != nil {
		return "", err
	}
	if err := r.Store.DeleteTarget(ctx, id, cascadeOf(cascade)); err != nil {
		return "", err
	}
	return id, nil
}

func (r *mutationResolver) createAsset(ctx context.Context, input model.AssetInput) (*model.Asset, error) {
	if _, err := editableTarget(ctx, input.TargetID, "input.targetId"); err != nil {
		return nil, err
	}
	return r.Store.CreateAsset(ctx, input)
}

func (r *mutationResolver) updateAsset(ctx context.Context, id string, input model.AssetInput) (*model.Asset, error) {
	if err := editableOfTarget(ctx, id, "id", "asset", assetTarget); err != nil {
		return nil, err
	}
	return r.Store.UpdateAsset(ctx, id, input)
}

func (r *mutationResolver) deleteAsset(ctx context.Context, id string, cascade *bool) (string, error) {
	if err := editableOfTarget(ctx, id, "id", "asset", assetTarget); err != nil {
		return "", err
	}
	if err := r.Store.DeleteAsset(ctx, id, cascadeOf(cascade)); err != nil {
		return "", err
	}
	return id, nil
}

func (r *mutationResolver) connectAssets(ctx context.Context, fromID string, toID string) (*model.Asset, error) {
	if err := editableOfTarget(ctx, fromID, "fromId", "asset", assetTarget); err != nil {
		return nil, err
	}
	return r.Store.ConnectAssets(ctx, fromID, toID)
}

func (r *mutationResolver) disconnectAssets(ctx context.Context, fromID string, toID string) (*model.Asset, error) {
	if err := editableOfTarget(ctx, fromID, "fromId", "asset", assetTarget); err != nil {
		return nil, err
	}
	return r.Store.DisconnectAssets(ctx, fromID, toID)
}

func (r *mutationResolver) createIncident(ctx context.Context, input model.IncidentInput) (*model.Incident, error) {
	if _, err := editableTarget(ctx, input.TargetID, "input.targetId"); err != nil {
		return nil, err
	}
	return r.Store.CreateIncident(ctx, input)
}

func (r *mutationResolver) updateIncident(ctx context.Context, id string, input model.IncidentInput) (*model.Incident, error) {
	if err := editableOfTarget(ctx, id, "id", "incident", incidentTarget); err != nil {
		return nil, err
	}
	return r.Store.UpdateIncident(ctx, id, input)
}

func (r *mutationResolver) deleteIncident(ctx context.Context, id string, cascade *bool) (string, error) {
	if err := editableOfTarget(ctx, id, "id", "incident", incidentTarget); err != nil {
		return "", err
	}
	if err := r.Store.DeleteIncident(ctx, id, cascadeOf(cascade)); err != nil {
		return "", err
	}
	return id, nil
}
