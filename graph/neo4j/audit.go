package neo4j

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.AuditReader = (*DB)(nil)

const writeAuditCypher = `
CREATE (:` + model.LabelAuditEvent + ` {id: $id, at: $at, op: $op, userId: $user, organizationId: $org,
  role: $role, tokenId: $token, summary: $summary, ids: $ids, idCount: $idCount})`

// maxAuditSummary caps an audit event's summary, in bytes.
const maxAuditSummary = 500

// writeAudit writes the audit event of t's write as its last statement:
// who (the principal in ctx, else the operator, else model.AuditSystem),
// what (t's op and summary, after the GraphQL mutation field that asked for
// it, if any: model.AuditFieldFrom), when (now, UTC) and the ids t recorded as
// changed (targets, nodes, feedback) or written, sorted, at most
// model.MaxAuditIDs of them with the count of all. inTx calls it in the
// work function, so a retry writes it afresh and a rollback drops it.
func (t *txn) writeAudit(ctx context.Context) error {
	ev := t.auditEvent(ctx, time.Now())
	_, err := t.run(ctx, writeAuditCypher, map[string]any{
		"id": ev.ID, "at": ev.At, "op": ev.Op, "user": ev.UserID, "org": nullable(ev.OrganizationID),
		"role": nullable(ev.Role), "token": nullable(ev.TokenID), "summary": ev.Summary,
		"ids": ev.IDs, "idCount": ev.IDCount,
	})
	if err != nil {
		return fmt.Errorf("audit event of %s: %w", t.op, err)
	}
	return nil
}

// auditEvent returns the audit event of t's write at the given time.
func (t *txn) auditEvent(ctx context.Context, at time.Time) *model.AuditEvent {
	buf := make([]byte, 10)
	_, _ = rand.Read(buf)
	summary := t.summary
	if f := model.AuditFieldFrom(ctx); f != "" {
		summary = f + ": " + summary
	}
	ev := &model.AuditEvent{ID: "audit-" + hex.EncodeToString(buf), At: at.UTC(), Op: t.op, Summary: truncate(summary, maxAuditSummary)}
	switch p := model.PrincipalFrom(ctx); {
	case p != nil:
		ev.UserID, ev.OrganizationID, ev.Role, ev.TokenID = p.UserID, p.OrganizationID, string(p.Role), p.TokenID
	case model.OperatorFrom(ctx) != "":
		ev.UserID = model.OperatorFrom(ctx)
	default:
		ev.UserID = model.AuditSystem
	}
	ids := make([]string, 0, len(t.change.Targets)+len(t.change.Nodes)+len(t.change.Feedback)+len(t.written))
	ids = append(append(ids, t.change.Targets...), t.change.Nodes...)
	for _, fb := range t.change.Feedback {
		ids = append(ids, fb.ID)
	}
	for _, id := range t.written {
		if id != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	ev.IDCount = len(ids)
	ev.IDs = ids[:min(len(ids), model.MaxAuditIDs)]
	return ev
}

// truncate returns s cut to at most n bytes, on a rune boundary, marked
// with an ellipsis when cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// nullable returns nil for "", so that Neo4j stores no property.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// auditFilter keeps the events e that an AuditQuery's filters select.
const auditFilter = `($org IS NULL OR e.organizationId = $org)
    AND ($op IS NULL OR e.op = $op)
    AND ($since IS NULL OR e.at >= $since)
    AND ($until IS NULL OR e.at < $until)`

// olderThanAfter and newerThanBefore hold for the events e after the
// cursor $afterAt, $afterID (older, in the trail's order) and before the
// cursor $beforeAt, $beforeID (newer); for a null cursor they hold for all.
const (
	olderThanAfter  = "($afterAt IS NULL OR e.at < $afterAt OR (e.at = $afterAt AND e.id < $afterID))"
	newerThanBefore = "($beforeAt IS NULL OR e.at > $beforeAt OR (e.at = $beforeAt AND e.id > $beforeID))"
)

// auditLogCypher reads one page, newest first (auditLogBackCypher: oldest
// first, for a backward page), of the $limit events older than after and
// newer than before; with the total and whether events lie beyond each
// cursor.
const (
	auditLogCypher     = auditLogStart + `ORDER BY e.at DESC, e.id DESC` + auditLogEnd
	auditLogBackCypher = auditLogStart + `ORDER BY e.at, e.id` + auditLogEnd
)

const auditLogStart = `
CALL () {
  MATCH (e:` + model.LabelAuditEvent + `)
  WHERE ` + auditFilter + `
  RETURN count(e) AS total
}
CALL () {
  MATCH (e:` + model.LabelAuditEvent + `)
  WHERE ` + auditFilter + ` AND $afterAt IS NOT NULL AND NOT ` + olderThanAfter + `
  RETURN count(e) > 0 AS beforeAfter
}
CALL () {
  MATCH (e:` + model.LabelAuditEvent + `)
  WHERE ` + auditFilter + ` AND $beforeAt IS NOT NULL AND NOT ` + newerThanBefore + `
  RETURN count(e) > 0 AS afterBefore
}
CALL () {
  MATCH (e:` + model.LabelAuditEvent + `)
  WHERE ` + auditFilter + ` AND ` + olderThanAfter + ` AND ` + newerThanBefore + `
  WITH e `

const auditLogEnd = ` LIMIT $limit
  RETURN collect(e {.*}) AS events
}
RETURN total, events, beforeAfter, afterBefore`

// AuditLog returns a page of the audit events q selects, newest first (ties
// broken by id, descending). It returns EINVALID for a page size below 1.
func (db *DB) AuditLog(ctx context.Context, q model.AuditQuery) (*model.AuditPage, error) {
	size, backward := q.First, q.Last > 0
	if backward {
		size = q.Last
	}
	if size < 1 {
		return nil, model.FieldErrorf(model.EINVALID, "first", "first must be at least 1, got %d", q.First)
	}
	params := map[string]any{"org": nullable(q.OrganizationID), "op": nullable(q.Op),
		"since": nullTime(q.Since), "until": nullTime(q.Until), "afterAt": nil, "afterID": "",
		"beforeAt": nil, "beforeID": "", "limit": size + 1}
	if q.After != nil {
		params["afterAt"], params["afterID"] = q.After.At.UTC(), q.After.ID
	}
	if q.Before != nil {
		params["beforeAt"], params["beforeID"] = q.Before.At.UTC(), q.Before.ID
	}
	cypher := auditLogCypher
	if backward {
		cypher = auditLogBackCypher
	}
	recs, err := db.read(ctx, "neo4j.AuditLog", "audit log", cypher, params)
	if err != nil {
		return nil, err
	}
	page := &model.AuditPage{}
	if len(recs) == 0 {
		return page, nil
	}
	m := recs[0].AsMap()
	total, _ := m["total"].(int64)
	raw, _ := m["events"].([]any)
	beforeAfter, _ := m["beforeAfter"].(bool)
	afterBefore, _ := m["afterBefore"].(bool)
	more := len(raw) > size
	raw = raw[:min(len(raw), size)]
	page.Total, page.HasNextPage, page.HasPreviousPage = int(total), more || afterBefore, beforeAfter
	if backward {
		slices.Reverse(raw)
		page.HasNextPage, page.HasPreviousPage = afterBefore, more || beforeAfter
	}
	for _, r := range raw {
		pm, _ := r.(map[string]any)
		p := props(pm)
		page.Events = append(page.Events, &model.AuditEvent{
			ID: p.str("id"), At: p.time("at"), Op: p.str("op"), UserID: p.str("userId"),
			OrganizationID: p.str("organizationId"), Role: p.str("role"), TokenID: p.str("tokenId"),
			Summary: p.str("summary"), IDs: p.strs("ids"), IDCount: p.int("idCount"),
		})
	}
	return page, nil
}

// nullTime returns nil for the zero time, else t in UTC.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}
