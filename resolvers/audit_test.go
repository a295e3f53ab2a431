package resolvers_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

const auditQ = `query($org: ID, $op: String, $first: Int, $after: String) {
  auditLog(organizationId: $org, op: $op, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id at op userId organizationId role tokenId summary ids idCount }
  }
}`

// auditEvent is an AuditEvent as a test reads it back.
type auditEvent struct {
	ID, At, Op, UserID, OrganizationID, Role, TokenID, Summary string
	IDs                                                        []string
	IDCount                                                    int
}

// auditPage is the auditLog connection as a test reads it back.
type auditPage struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
	Nodes []auditEvent
}

// auditLog reads the whole audit trail that token sees with vars, page by
// page, failing on errors.
func (e *testEnv) auditLog(t *testing.T, token string, vars map[string]any) []auditEvent {
	t.Helper()
	vars["first"] = 2
	var all []auditEvent
	for {
		var got struct{ AuditLog auditPage }
		e.must(t, token, auditQ, vars, &got)
		all = append(all, got.AuditLog.Nodes...)
		if !got.AuditLog.PageInfo.HasNextPage {
			if got.AuditLog.TotalCount != len(all) {
				t.Fatalf("auditLog totalCount %d, read %d events", got.AuditLog.TotalCount, len(all))
			}
			return all
		}
		vars["after"] = *got.AuditLog.PageInfo.EndCursor
	}
}

var tokenIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

func TestAuditTrailOfMutationsAndImports(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	analyst := e.tokens[model.RoleAnalyst]
	orgAdmin := e.tokens[model.RoleOrgAdmin]
	ownEvents := func() []auditEvent { return e.auditLog(t, orgAdmin, map[string]any{}) }
	if evs := ownEvents(); len(evs) != 0 {
		t.Fatalf("a new organization has %d audit events: %+v", len(evs), evs)
	}

	// One mutation, one event: who, what, the ids.
	id := e.p + "t1"
	e.must(t, analyst, ppCreateTarget, map[string]any{"in": map[string]any{"id": id, "name": "Boiler", "sector": "factory"}}, nil)
	evs := ownEvents()
	if len(evs) != 1 {
		t.Fatalf("%d audit events after one mutation, want 1: %+v", len(evs), evs)
	}
	ev := evs[0]
	if ev.Op != "neo4j.CreateTarget" || ev.UserID != e.org+"-analyst" || ev.OrganizationID != e.org || ev.Role != "analyst" ||
		!tokenIDPattern.MatchString(ev.TokenID) || ev.Summary != "createTarget: target "+id || !slices.Equal(ev.IDs, []string{id}) || ev.IDCount != 1 {
		t.Errorf("audit event = %+v", ev)
	}
	if strings.Contains(ev.TokenID, analyst) || strings.Contains(analyst, ev.TokenID) {
		t.Errorf("tokenId %q is part of the token", ev.TokenID)
	}

	// Failed mutations write none: refused (FORBIDDEN), conflicting (taken
	// id), invalid (no name).
	for _, tt := range []struct {
		name, token, code string
		in                map[string]any
	}{
		{"Refused", e.tokens[model.RoleViewer], "FORBIDDEN", map[string]any{"id": e.p + "t2", "name": "X", "sector": "factory"}},
		{"Conflict", analyst, "CONFLICT", map[string]any{"id": id, "name": "X", "sector": "factory"}},
		{"Invalid", analyst, "BAD_USER_INPUT", map[string]any{"id": e.p + "t3", "name": "", "sector": "factory"}},
	} {
		r := e.do(t, tt.token, ppCreateTarget, map[string]any{"in": tt.in})
		if r.code() != tt.code {
			t.Errorf("%s: code %q, want %q (%+v)", tt.name, r.code(), tt.code, r.Errors)
		}
	}
	if evs := ownEvents(); len(evs) != 1 {
		t.Errorf("%d audit events after failed mutations, want still 1: %+v", len(evs), evs)
	}

	// A dry run writes none; a load writes one, with its counts.
	e.mustImport(t, analyst, "", e.native(e.org, "DRAFT", "r"), "analysis.yaml", true)
	if evs := ownEvents(); len(evs) != 1 {
		t.Errorf("%d audit events after a dry run, want still 1: %+v", len(evs), evs)
	}
	rep := e.mustImport(t, analyst, "", e.native(e.org, "DRAFT", "r"), "analysis.yaml", false)
	evs = ownEvents()
	if len(evs) != 2 {
		t.Fatalf("%d audit events after a load, want 2: %+v", len(evs), evs)
	}
	load := evs[0] // newest first
	t.Logf("the load's audit event: %+v", load)
	created := count(rep.Nodes, "Analysis").Created + count(rep.Nodes, "Assessment").Created + count(rep.Nodes, "Incident").Created
	if load.Op != "neo4j.LoadBatch" || load.UserID != e.org+"-analyst" || created != 3 ||
		!strings.HasPrefix(load.Summary, "importDocument: load analysis.yaml (native): nodes ") || !strings.Contains(load.Summary, " created, ") ||
		!slices.Contains(load.IDs, e.p+"analysis") || !slices.Contains(load.IDs, e.p+"inc") || load.IDCount != len(load.IDs) {
		t.Errorf("load's audit event = %+v (report %+v)", load, rep)
	}
	if evs[1].ID != ev.ID {
		t.Errorf("second event %s, want the mutation's %s", evs[1].ID, ev.ID)
	}
	if evs := e.auditLog(t, orgAdmin, map[string]any{"op": "neo4j.LoadBatch"}); len(evs) != 1 || evs[0].ID != load.ID {
		t.Errorf("auditLog(op: neo4j.LoadBatch) = %+v, want the load's event only", evs)
	}
}

func TestAuditLogRights(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	e.must(t, e.tokens[model.RoleAnalyst], ppCreateTarget, map[string]any{"in": map[string]any{"id": e.p + "target", "name": "Boiler", "sector": "factory"}}, nil)
	e.must(t, e.other, ppCreateTarget, map[string]any{"in": map[string]any{"id": e.p + "target2", "name": "Pump", "sector": "factory"}}, nil)
	otherAdmin := e.token(t, e.org2, model.RoleOrgAdmin)

	// An org-admin sees only their own organization's events, filter or not.
	for _, tc := range []struct {
		token, org, want string
	}{{e.tokens[model.RoleOrgAdmin], e.org, e.p + "target"}, {otherAdmin, e.org2, e.p + "target2"}} {
		for _, vars := range []map[string]any{{}, {"org": tc.org}} {
			evs := e.auditLog(t, tc.token, vars)
			if len(evs) != 1 || evs[0].OrganizationID != tc.org || !slices.Equal(evs[0].IDs, []string{tc.want}) {
				t.Errorf("org-admin of %s, filter %v: %+v, want the one event of %s", tc.org, vars, evs, tc.want)
			}
		}
	}
	if r := e.do(t, otherAdmin, auditQ, map[string]any{"org": e.org}); r.code() != "FORBIDDEN" {
		t.Errorf("an org-admin reading another organization's trail: %q, want FORBIDDEN", r.code())
	}
	// An admin (of either organization) sees every organization's.
	for _, org := range []string{e.org, e.org2} {
		if evs := e.auditLog(t, e.tokens[model.RoleAdmin], map[string]any{"org": org}); len(evs) != 1 || evs[0].OrganizationID != org {
			t.Errorf("admin, organization %s: %+v, want its one event", org, evs)
		}
	}
	// Everyone else: FORBIDDEN, or UNAUTHENTICATED without a token.
	for _, role := range []model.Role{model.RoleViewer, model.RoleAnalyst, model.RoleCurator} {
		if r := e.do(t, e.tokens[role], auditQ, map[string]any{}); r.code() != "FORBIDDEN" || string(r.Data) != "null" {
			t.Errorf("%s: code %q, data %s; want FORBIDDEN and no data", role, r.code(), r.Data)
		}
	}
	if r := e.do(t, "", auditQ, map[string]any{}); r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous: code %q, want UNAUTHENTICATED", r.code())
	}
	if r := e.do(t, e.tokens[model.RoleAdmin], auditQ, map[string]any{"first": 0}); r.code() != "BAD_USER_INPUT" {
		t.Errorf("first: 0: code %q, want BAD_USER_INPUT", r.code())
	}
}
