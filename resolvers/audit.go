package resolvers

import (
	"context"
	"encoding/base64"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// auditLog reads a page of the audit trail. An admin sees every event; an
// org-admin only their own organization's (naming another is FORBIDDEN);
// anyone else is FORBIDDEN, an anonymous caller UNAUTHENTICATED.
func (r *queryResolver) auditLog(ctx context.Context, first *int, after, organizationID, op *string, since, until *time.Time) (*model.AuditEventConnection, error) {
	p, err := model.Require(ctx, model.RoleOrgAdmin)
	if err != nil {
		return nil, err
	}
	q := model.AuditQuery{First: defaultPageSize}
	if organizationID != nil {
		q.OrganizationID = *organizationID
	}
	if p.Role != model.RoleAdmin {
		if q.OrganizationID != "" && q.OrganizationID != p.OrganizationID {
			return nil, model.Errorf(model.EFORBIDDEN, "org-admins see only the audit trail of their own organization %s", p.OrganizationID)
		}
		q.OrganizationID = p.OrganizationID
	}
	if first != nil {
		if *first < 1 || *first > maxPageSize {
			return nil, model.FieldErrorf(model.EINVALID, "first", "first must be between 1 and %d, got %d", maxPageSize, *first)
		}
		q.First = *first
	}
	if after != nil && *after != "" {
		if q.After, err = decodeAuditCursor(*after); err != nil {
			return nil, err
		}
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
	info := &model.PageInfo{HasNextPage: page.HasNextPage}
	if n := len(page.Events); n > 0 {
		c := encodeAuditCursor(page.Events[n-1])
		info.EndCursor = &c
	}
	return &model.AuditEventConnection{Nodes: page.Events, PageInfo: info, TotalCount: page.Total}, nil
}

// auditCursorPrefix marks audit trail cursors, which hold the time and id
// of an event (the trail is ordered by time, not by id).
const auditCursorPrefix = "audit:"

func encodeAuditCursor(ev *model.AuditEvent) string {
	return base64.RawURLEncoding.EncodeToString([]byte(auditCursorPrefix + ev.At.UTC().Format(time.RFC3339Nano) + " " + ev.ID))
}

func decodeAuditCursor(c string) (*model.AuditCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	at, id, ok := strings.Cut(strings.TrimPrefix(string(b), auditCursorPrefix), " ")
	var t time.Time
	if err == nil && ok && strings.HasPrefix(string(b), auditCursorPrefix) {
		t, err = time.Parse(time.RFC3339Nano, at)
	}
	if err != nil || !ok || !strings.HasPrefix(string(b), auditCursorPrefix) {
		return nil, model.FieldErrorf(model.EINVALID, "after", "malformed cursor %q: pass a pageInfo.endCursor back unchanged", c)
	}
	return &model.AuditCursor{At: t, ID: id}, nil
}
