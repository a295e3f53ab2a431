package model

import (
	"context"
	"time"
)

// AuditEvent is one committed write as the audit trail records it: who did
// it, what operation, when, and the ids it touched. The store writes it in
// the transaction of the write it records, so a rolled-back write has none
// and a committed one always has one.
type AuditEvent struct {
	ID string `json:"id"`
	// At is when the write committed, in the server's clock (UTC).
	At time.Time `json:"at"`
	// Op is the store operation, such as "neo4j.AssessIncident".
	Op string `json:"op"`
	// UserID is the caller's user, AuditCLI for an operator's command, or
	// AuditSystem for a write with neither.
	UserID         string `json:"userId"`
	OrganizationID string `json:"organizationId,omitempty"`
	Role           string `json:"role,omitempty"`
	TokenID        string `json:"tokenId,omitempty"`
	// Summary says in a few words what was written (never document contents).
	Summary string `json:"summary"`
	// IDs are the ids the write touched, sorted, at most MaxAuditIDs of them.
	IDs []string `json:"ids"`
	// IDCount is how many ids the write touched, IDs capped or not.
	IDCount int `json:"idCount"`
}

// MaxAuditIDs caps the ids an audit event lists; IDCount counts them all.
const MaxAuditIDs = 1000

// Who records a write that no signed-in caller made.
const (
	// AuditCLI is the user of writes by an operator's ssfgraph command.
	AuditCLI = "cli"
	// AuditSystem is the user of writes with neither a caller nor an operator.
	AuditSystem = "system"
)

// AuditQuery selects audit events, newest first. Empty fields select all.
type AuditQuery struct {
	OrganizationID string
	Op             string
	// Since and Until bound At: Since <= At < Until, when not zero.
	Since, Until time.Time
	// First is the size of a page from the start (the newest) of what
	// follows After; Last, if above zero, the size of a page from the end
	// (the oldest) of what precedes Before, which then takes the place of
	// First. After and Before are positions in the trail (nil for none):
	// a page holds only events older than After and newer than Before.
	First, Last   int
	After, Before *AuditCursor
}

// AuditCursor is the position of an event in the audit trail's order
// (newest first, ties by id descending). It does not need the event to
// still exist.
type AuditCursor struct {
	At time.Time
	ID string
}

// AuditPage is one page of audit events, newest first. HasNextPage and
// HasPreviousPage say whether the trail (as filtered) has older or newer
// events than the page, beyond the cursors too.
type AuditPage struct {
	Events                       []*AuditEvent
	HasNextPage, HasPreviousPage bool
	Total                        int
}

// AuditReader reads the audit trail. Its methods are safe for concurrent use.
type AuditReader interface {
	// AuditLog returns a page of the events q selects, newest first. It
	// decides nothing about rights: callers check them. It returns EINVALID
	// for a page size below 1.
	AuditLog(ctx context.Context, q AuditQuery) (*AuditPage, error)
}

type operatorKey struct{}

// WithOperator returns a context whose writes, made without a principal,
// the audit trail attributes to name (AuditCLI for ssfgraph commands).
func WithOperator(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, operatorKey{}, name)
}

// OperatorFrom returns the operator in ctx (see WithOperator), or "".
func OperatorFrom(ctx context.Context) string {
	s, _ := ctx.Value(operatorKey{}).(string)
	return s
}

type auditFieldKey struct{}

// WithAuditField returns a context whose writes the audit trail describes
// as made by the GraphQL mutation field name (their summary starts with it).
func WithAuditField(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, auditFieldKey{}, name)
}

// AuditFieldFrom returns the mutation field in ctx (see WithAuditField), or "".
func AuditFieldFrom(ctx context.Context) string {
	s, _ := ctx.Value(auditFieldKey{}).(string)
	return s
}
