package resolvers

import (
	"context"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// auditLog reads a page of the audit trail. An admin sees every event; an
// org-admin only their own organization's (naming another is FORBIDDEN);
// anyone else is FORBIDDEN, an anonymous caller UNAUTHENTICATED.
func (r *queryResolver) auditLog(ctx context.Context, pg paging, organizationID, op *string, since, until *time.Time) (*model.AuditEventConnection, error) {
	p, err := model.Require(ctx, model.RoleOrgAdmin)
	if err != nil {
		return nil, err
	}
	q := model.AuditQuery{}
	if organizationID != nil {
		q.OrganizationID = *organizationID
	}
	if p.Role != model.RoleAdmin {
		if q.OrganizationID != "" && q.OrganizationID != p.OrganizationID {
			return nil, model.Errorf(model.EFORBIDDEN, "org-admins see only the audit trail of their own organization %s", p.OrganizationID)
		}
		q.OrganizationID = p.OrganizationID
	}
	if q.First, q.Last, err = pg.pageSizes(); err != nil {
		return nil, err
	}
	after, before, err := pg.cursors(model.LabelAuditEvent)
	if err != nil {
		return nil, err
	}
	if q.After, err = decodeAuditKey("after", after); err != nil {
		return nil, err
	}
	if q.Before, err = decodeAuditKey("before", before); err != nil {
		return nil, err
	}
	if op != nil {
		q.Op = *op
	}
	if since != nil {
		q.Since = *since
	}
	if until != nil {
		q.Until = *until
	}
	page, err := r.Store.AuditLog(ctx, q)
	if err != nil {
		return nil, err
	}
	return &model.AuditEventConnection{
		Nodes:      page.Events,
		Edges:      edgesOf(model.LabelAuditEvent, page.Events, auditKey, auditEventEdge),
		PageInfo:   pageInfoOf(model.LabelAuditEvent, page.HasPreviousPage, page.HasNextPage, page.Events, auditKey),
		TotalCount: page.Total,
	}, nil
}

func auditEventEdge(c string, ev *model.AuditEvent) *model.AuditEventEdge {
	return &model.AuditEventEdge{Cursor: c, Node: ev}
}

// auditKey is the cursor key of an audit event: its time and id (the trail
// is ordered by time, not by id).
func auditKey(ev *model.AuditEvent) string {
	return ev.At.UTC().Format(time.RFC3339Nano) + " " + ev.ID
}

// decodeAuditKey returns the position an audit cursor's key (auditKey)
// names, or nil for "". It returns EINVALID naming arg for a malformed
// key.
func decodeAuditKey(arg, key string) (*model.AuditCursor, error) {
	if key == "" {
		return nil, nil
	}
	at, id, ok := strings.Cut(key, " ")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil {
		return nil, badCursor(arg)
	}
	return &model.AuditCursor{At: t, ID: id}, nil
}
