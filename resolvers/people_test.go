package resolvers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// ppHostile are strings that must be stored and read back verbatim.
var ppHostile = []string{
	"'; MATCH (n) DETACH DELETE n //",
	`" } RETURN 1 UNION MATCH (n) SET n.pwned = true //`,
	"$id `backtick` {{id}} \\u0000 <script>alert(1)</script>",
	"スマートホーム窓シャッター 🪟 — ünïcödé",
}

// ppEnv is a testEnv with two organizations (org and other) and a token
// for every role of each.
type ppEnv struct {
	*testEnv
	t      *testing.T
	prefix string // testEnv.p
	org    string
	other  string
	tok    map[model.Role]string // tokens of org
	otok   map[model.Role]string // tokens of other
}

func newPPEnv(t *testing.T) *ppEnv {
	t.Helper()
	env := newEnv(t, resolvers.Options{})
	e := &ppEnv{testEnv: env, t: t, prefix: env.p, org: env.org(t, "org", env.p+"home"), other: env.org(t, "other", env.p+"insurance")}
	e.tok, e.otok = env.tokensOf(t, e.org), env.tokensOf(t, e.other)
	return e
}

// do runs a request as token ("" for none).
func (e *ppEnv) do(token, query string, vars map[string]any) gqlResponse {
	e.t.Helper()
	return e.testEnv.do(e.t, token, query, vars)
}

// ok runs a request that must succeed and decodes its data into v (if not
// nil).
func (e *ppEnv) ok(token, query string, vars map[string]any, v any) {
	e.t.Helper()
	e.must(e.t, token, query, vars, v)
}

// ppWant fails unless r has exactly one error with the given code and (when
// field is not "-") extensions.field.
func ppWant(t *testing.T, r gqlResponse, code, field string) {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Fatalf("errors = %+v, want one %s error (field %s); data %s", r.Errors, code, field, r.Data)
	}
	if got := r.code(); got != code {
		t.Errorf("code = %q (%s), want %q", got, r.Errors[0].Message, code)
	}
	if field != "-" {
		if got, _ := r.Errors[0].Extensions["field"].(string); got != field {
			t.Errorf("field = %q (%s), want %q", got, r.Errors[0].Message, field)
		}
	}
}

// ppCase is one mutation that must fail with code and field.
type ppCase struct {
	name  string
	role  model.Role // the role of org's token; "" for no token
	other bool       // use other's token instead of org's
	query string
	vars  map[string]any
	code  string
	field string
}

// run runs the cases as subtests.
func (e *ppEnv) run(cases []ppCase) {
	e.t.Helper()
	for _, c := range cases {
		e.t.Run(c.name, func(t *testing.T) {
			token := ""
			if c.role != "" {
				token = e.tok[c.role]
				if c.other {
					token = e.otok[c.role]
				}
			}
			_, r := postAs(t, e.srv, token, c.query, c.vars)
			ppWant(t, r, c.code, c.field)
		})
	}
}

// exists reports whether node id exists, read through node(id).
func (e *ppEnv) exists(id string) bool {
	e.t.Helper()
	var got struct{ Node *struct{ ID string } }
	e.ok(e.tok[model.RoleAdmin], `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, &got)
	return got.Node != nil
}

const (
	ppCreateOrg = `mutation($in: OrganizationInput!) { createOrganization(input: $in) { id name sector } }`
	ppUpdateOrg = `mutation($id: ID!, $in: OrganizationInput!) { updateOrganization(id: $id, input: $in) { id name sector } }`
	ppDeleteOrg = `mutation($id: ID!, $cascade: Boolean) { deleteOrganization(id: $id, cascade: $cascade) }`
	ppCreateDep = `mutation($in: DepartmentInput!) { createDepartment(input: $in) { id name organization { id } } }`
	ppUpdateDep = `mutation($id: ID!, $name: String!) { updateDepartment(id: $id, name: $name) { id name organization { id } } }`
	ppDeleteDep = `mutation($id: ID!, $cascade: Boolean) { deleteDepartment(id: $id, cascade: $cascade) }`
	ppReadOrg   = `query($id: ID!) { node(id: $id) { ... on Organization { id name sector
  departments { id name organization { id } }
  policies { id lines { id coversIncidents { id } } } } } }`
)

// ppOrg is the shape ppReadOrg reads.
type ppOrg struct {
	Node *struct {
		ID, Name, Sector string
		Departments      []struct {
			ID, Name     string
			Organization struct{ ID string }
		}
		Policies []struct {
			ID    string
			Lines []struct {
				ID              string
				CoversIncidents []struct{ ID string }
			}
		}
	}
}

func (e *ppEnv) readOrg(id string) ppOrg {
	e.t.Helper()
	var got ppOrg
	e.ok(e.tok[model.RoleViewer], ppReadOrg, map[string]any{"id": id}, &got)
	return got
}

func TestOrganizationCreateReadUpdateDelete(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	admin := e.tok[model.RoleAdmin]
	id := e.prefix + "acme"
	sector := e.prefix + "medical"

	var created struct{ CreateOrganization model.Organization }
	e.ok(admin, ppCreateOrg, map[string]any{"in": map[string]any{"id": id, "name": ppHostile[0], "sector": sector}}, &created)
	if got := created.CreateOrganization; got.ID != id || got.Name != ppHostile[0] || got.Sector != sector {
		t.Fatalf("createOrganization = %+v", got)
	}

	// organizations(sector:) lists it, and only organizations of that sector.
	var list struct {
		Organizations struct {
			Nodes      []model.Organization
			TotalCount int
		}
	}
	e.ok(e.tok[model.RoleViewer], `query($s: String) { organizations(sector: $s) { nodes { id name sector } totalCount } }`,
		map[string]any{"s": sector}, &list)
	if len(list.Organizations.Nodes) != 1 || list.Organizations.Nodes[0].ID != id || list.Organizations.TotalCount != 1 ||
		list.Organizations.Nodes[0].Name != ppHostile[0] {
		t.Errorf("organizations(sector: %s) = %+v", sector, list.Organizations)
	}
	// sectors counts it.
	if n := ppSectorOrgs(e, sector); n != 1 {
		t.Errorf("sectors: %s has %d organizations, want 1", sector, n)
	}

	// Its own org-admin renames it and moves it to another sector.
	orgAdmin := neo4jtest.Token(t, e.db, id, model.RoleOrgAdmin)
	sector2 := e.prefix + "building"
	var updated struct{ UpdateOrganization model.Organization }
	e.ok(orgAdmin, ppUpdateOrg, map[string]any{"id": id, "in": map[string]any{"name": ppHostile[3], "sector": sector2}}, &updated)
	if got := updated.UpdateOrganization; got.ID != id || got.Name != ppHostile[3] || got.Sector != sector2 {
		t.Errorf("updateOrganization = %+v", got)
	}
	got := e.readOrg(id)
	if got.Node == nil || got.Node.Name != ppHostile[3] || got.Node.Sector != sector2 {
		t.Fatalf("after update, node(%s) = %+v", id, got.Node)
	}
	if n := ppSectorOrgs(e, sector); n != 0 {
		t.Errorf("sectors: %s still has %d organizations", sector, n)
	}
	if n := ppSectorOrgs(e, sector2); n != 1 {
		t.Errorf("sectors: %s has %d organizations, want 1", sector2, n)
	}

	var deleted struct{ DeleteOrganization string }
	e.ok(admin, ppDeleteOrg, map[string]any{"id": id}, &deleted)
	if deleted.DeleteOrganization != id {
		t.Errorf("deleteOrganization = %q, want %q", deleted.DeleteOrganization, id)
	}
	if e.exists(id) {
		t.Errorf("organization %s still exists after deleteOrganization", id)
	}
	// Its tokens went with it.
	if _, err := e.db.Authenticate(t.Context(), orgAdmin); model.ErrorCode(err) != model.EUNAUTHENTICATED {
		t.Errorf("the deleted organization's token authenticates: %v", err)
	}
}

// ppSectorOrgs returns how many organizations sectors reports for sector.
func ppSectorOrgs(e *ppEnv, sector string) int {
	e.t.Helper()
	var got struct {
		Sectors []struct {
			Name          string
			Organizations int
		}
	}
	e.ok("", `{ sectors { name organizations } }`, nil, &got)
	for _, s := range got.Sectors {
		if s.Name == sector {
			return s.Organizations
		}
	}
	return 0
}

func TestOrganizationGeneratesAnID(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	var created struct{ CreateOrganization model.Organization }
	e.ok(e.tok[model.RoleAdmin], ppCreateOrg, map[string]any{"in": map[string]any{"name": "No id given", "sector": e.prefix + "s"}}, &created)
	id := created.CreateOrganization.ID
	t.Cleanup(func() { _ = e.db.DeleteOrganization(context.Background(), id, true) }) // its id has no test prefix
	if !strings.HasPrefix(id, "org-") {
		t.Errorf("generated id %q, want org-…", id)
	}
	if got := e.readOrg(id); got.Node == nil || got.Node.Name != "No id given" {
		t.Errorf("node(%s) = %+v", id, got.Node)
	}
	e.ok(e.tok[model.RoleAdmin], ppDeleteOrg, map[string]any{"id": id}, nil)
	if e.exists(id) {
		t.Errorf("%s still exists", id)
	}
}

func TestDepartmentCreateReadUpdateDelete(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	orgAdmin := e.tok[model.RoleOrgAdmin]
	id := e.prefix + "dept-a-ops"

	var created struct {
		CreateDepartment struct {
			ID, Name     string
			Organization struct{ ID string }
		}
	}
	e.ok(orgAdmin, ppCreateDep, map[string]any{"in": map[string]any{"id": id, "organizationId": e.org, "name": ppHostile[1]}}, &created)
	if c := created.CreateDepartment; c.ID != id || c.Name != ppHostile[1] || c.Organization.ID != e.org {
		t.Fatalf("createDepartment = %+v", c)
	}
	// An admin may add one too.
	e.ok(e.tok[model.RoleAdmin], ppCreateDep, map[string]any{"in": map[string]any{"id": e.prefix + "dept-b-it", "organizationId": e.org, "name": "IT"}}, nil)

	got := e.readOrg(e.org)
	if got.Node == nil || len(got.Node.Departments) != 2 || got.Node.Departments[0].ID != id || got.Node.Departments[0].Name != ppHostile[1] ||
		got.Node.Departments[0].Organization.ID != e.org || got.Node.Departments[1].Name != "IT" {
		t.Fatalf("departments = %+v", got.Node)
	}

	var updated struct{ UpdateDepartment struct{ ID, Name string } }
	e.ok(orgAdmin, ppUpdateDep, map[string]any{"id": id, "name": ppHostile[2]}, &updated)
	if updated.UpdateDepartment.Name != ppHostile[2] {
		t.Errorf("updateDepartment = %+v", updated.UpdateDepartment)
	}
	if got := e.readOrg(e.org); got.Node.Departments[0].Name != ppHostile[2] {
		t.Errorf("after update, departments = %+v", got.Node.Departments)
	}

	var deleted struct{ DeleteDepartment string }
	e.ok(orgAdmin, ppDeleteDep, map[string]any{"id": id}, &deleted)
	if deleted.DeleteDepartment != id {
		t.Errorf("deleteDepartment = %q", deleted.DeleteDepartment)
	}
	if got := e.readOrg(e.org); len(got.Node.Departments) != 1 || got.Node.Departments[0].Name != "IT" {
		t.Errorf("after delete, departments = %+v", got.Node.Departments)
	}
}

func TestPeopleMutationsValidate(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	dept := e.prefix + "dept"
	e.ok(e.tok[model.RoleOrgAdmin], ppCreateDep, map[string]any{"in": map[string]any{"id": dept, "organizationId": e.org, "name": "Ops"}}, nil)
	org := func(kv ...any) map[string]any {
		in := map[string]any{"name": "Acme", "sector": "home"}
		for i := 0; i+1 < len(kv); i += 2 {
			in[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"in": in}
	}
	long := strings.Repeat("x", 501)
	e.run([]ppCase{
		{"CreateOrgEmptyName", model.RoleAdmin, false, ppCreateOrg, org("name", ""), "BAD_USER_INPUT", "input.name"},
		{"CreateOrgLongName", model.RoleAdmin, false, ppCreateOrg, org("name", long), "BAD_USER_INPUT", "input.name"},
		{"CreateOrgEmptySector", model.RoleAdmin, false, ppCreateOrg, org("sector", ""), "BAD_USER_INPUT", "input.sector"},
		{"CreateOrgLongSector", model.RoleAdmin, false, ppCreateOrg, org("sector", strings.Repeat("s", 101)), "BAD_USER_INPUT", "input.sector"},
		{"CreateOrgBadID", model.RoleAdmin, false, ppCreateOrg, org("id", "bad id!"), "BAD_USER_INPUT", "input.id"},
		{"CreateOrgHostileID", model.RoleAdmin, false, ppCreateOrg, org("id", ppHostile[0]), "BAD_USER_INPUT", "input.id"},
		{"CreateOrgTakenID", model.RoleAdmin, false, ppCreateOrg, org("id", e.org), "CONFLICT", "input.id"},
		{"CreateOrgIDOfOtherKind", model.RoleAdmin, false, ppCreateOrg, org("id", dept), "CONFLICT", "input.id"},
		{"CreateOrgMissingName", model.RoleAdmin, false, ppCreateOrg, map[string]any{"in": map[string]any{"sector": "x"}}, "GRAPHQL_VALIDATION_FAILED", "-"},
		{"UpdateOrgUnknown", model.RoleAdmin, false, ppUpdateOrg, map[string]any{"id": e.prefix + "nope", "in": org()["in"]}, "NOT_FOUND", "id"},
		{"UpdateOrgEmptyName", model.RoleOrgAdmin, false, ppUpdateOrg, map[string]any{"id": e.org, "in": org("name", "")["in"]}, "BAD_USER_INPUT", "input.name"},
		{"UpdateOrgOtherID", model.RoleOrgAdmin, false, ppUpdateOrg, map[string]any{"id": e.org, "in": org("id", e.other)["in"]}, "BAD_USER_INPUT", "input.id"},
		{"DeleteOrgUnknown", model.RoleAdmin, false, ppDeleteOrg, map[string]any{"id": e.prefix + "nope"}, "NOT_FOUND", "id"},
		{"DeleteOrgWithDepartment", model.RoleAdmin, false, ppDeleteOrg, map[string]any{"id": e.org}, "CONFLICT", "id"},
		{"DeleteOrgNotAnOrg", model.RoleAdmin, false, ppDeleteOrg, map[string]any{"id": dept}, "NOT_FOUND", "id"},
		{"CreateDeptUnknownOrg", model.RoleAdmin, false, ppCreateDep, map[string]any{"in": map[string]any{"organizationId": e.prefix + "nope", "name": "x"}}, "NOT_FOUND", "input.organizationId"},
		{"CreateDeptOrgIsADept", model.RoleAdmin, false, ppCreateDep, map[string]any{"in": map[string]any{"organizationId": dept, "name": "x"}}, "NOT_FOUND", "input.organizationId"},
		{"CreateDeptEmptyName", model.RoleOrgAdmin, false, ppCreateDep, map[string]any{"in": map[string]any{"organizationId": e.org, "name": ""}}, "BAD_USER_INPUT", "input.name"},
		{"CreateDeptLongName", model.RoleOrgAdmin, false, ppCreateDep, map[string]any{"in": map[string]any{"organizationId": e.org, "name": long}}, "BAD_USER_INPUT", "input.name"},
		{"CreateDeptTakenID", model.RoleOrgAdmin, false, ppCreateDep, map[string]any{"in": map[string]any{"id": dept, "organizationId": e.org, "name": "x"}}, "CONFLICT", "input.id"},
		{"CreateDeptBadID", model.RoleOrgAdmin, false, ppCreateDep, map[string]any{"in": map[string]any{"id": "-x", "organizationId": e.org, "name": "x"}}, "BAD_USER_INPUT", "input.id"},
		{"UpdateDeptEmptyName", model.RoleOrgAdmin, false, ppUpdateDep, map[string]any{"id": dept, "name": ""}, "BAD_USER_INPUT", "name"},
		{"UpdateDeptUnknown", model.RoleAdmin, false, ppUpdateDep, map[string]any{"id": e.prefix + "nope", "name": "x"}, "NOT_FOUND", "id"},
		{"DeleteDeptUnknown", model.RoleAdmin, false, ppDeleteDep, map[string]any{"id": e.prefix + "nope"}, "NOT_FOUND", "id"},
		{"DeleteDeptWrongType", model.RoleAdmin, false, ppDeleteDep, map[string]any{"id": dept, "cascade": "yes"}, "GRAPHQL_VALIDATION_FAILED", "-"},
	})
	// The valid department survived every failed attempt unchanged.
	if got := e.readOrg(e.org); got.Node == nil || got.Node.Name != e.org || len(got.Node.Departments) != 1 || got.Node.Departments[0].Name != "Ops" {
		t.Errorf("after the failures, organization = %+v", got.Node)
	}
}

func TestPeopleMutationsAuthorize(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	dept := e.prefix + "dept"
	e.ok(e.tok[model.RoleOrgAdmin], ppCreateDep, map[string]any{"in": map[string]any{"id": dept, "organizationId": e.org, "name": "Ops"}}, nil)
	newOrg := map[string]any{"in": map[string]any{"id": e.prefix + "new", "name": "New", "sector": "home"}}
	upd := map[string]any{"id": e.org, "in": map[string]any{"name": "Renamed", "sector": "home"}}
	newDept := map[string]any{"in": map[string]any{"organizationId": e.org, "name": "New dept"}}
	before := neo4jtest.Snapshot(t, e.prefix)
	e.run([]ppCase{
		{"CreateOrgAnonymous", "", false, ppCreateOrg, newOrg, "UNAUTHENTICATED", "-"},
		{"CreateOrgOrgAdmin", model.RoleOrgAdmin, false, ppCreateOrg, newOrg, "FORBIDDEN", "-"},
		{"CreateOrgCurator", model.RoleCurator, false, ppCreateOrg, newOrg, "FORBIDDEN", "-"},
		{"UpdateOrgAnonymous", "", false, ppUpdateOrg, upd, "UNAUTHENTICATED", "-"},
		{"UpdateOrgAnalyst", model.RoleAnalyst, false, ppUpdateOrg, upd, "FORBIDDEN", "-"},
		{"UpdateOrgOtherOrgAdmin", model.RoleOrgAdmin, true, ppUpdateOrg, upd, "FORBIDDEN", "-"},
		{"UpdateOrgCurator", model.RoleCurator, false, ppUpdateOrg, upd, "FORBIDDEN", "-"},
		{"DeleteOrgAnonymous", "", false, ppDeleteOrg, map[string]any{"id": e.other}, "UNAUTHENTICATED", "-"},
		{"DeleteOrgOrgAdmin", model.RoleOrgAdmin, true, ppDeleteOrg, map[string]any{"id": e.other}, "FORBIDDEN", "-"},
		{"CreateDeptAnonymous", "", false, ppCreateDep, newDept, "UNAUTHENTICATED", "-"},
		{"CreateDeptAnalyst", model.RoleAnalyst, false, ppCreateDep, newDept, "FORBIDDEN", "-"},
		{"CreateDeptOtherOrgAdmin", model.RoleOrgAdmin, true, ppCreateDep, newDept, "FORBIDDEN", "-"},
		{"UpdateDeptAnonymous", "", false, ppUpdateDep, map[string]any{"id": dept, "name": "x"}, "UNAUTHENTICATED", "-"},
		{"UpdateDeptOtherOrgAdmin", model.RoleOrgAdmin, true, ppUpdateDep, map[string]any{"id": dept, "name": "x"}, "FORBIDDEN", "-"},
		{"UpdateDeptViewer", model.RoleViewer, false, ppUpdateDep, map[string]any{"id": dept, "name": "x"}, "FORBIDDEN", "-"},
		{"DeleteDeptAnonymous", "", false, ppDeleteDep, map[string]any{"id": dept}, "UNAUTHENTICATED", "-"},
		{"DeleteDeptOtherOrgAdmin", model.RoleOrgAdmin, true, ppDeleteDep, map[string]any{"id": dept}, "FORBIDDEN", "-"},
		{"DeleteDeptAnalyst", model.RoleAnalyst, false, ppDeleteDep, map[string]any{"id": dept}, "FORBIDDEN", "-"},
	})
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Errorf("refused mutations changed the graph:\nbefore %s\nafter  %s", before, after)
	}
	// The allowed callers succeed: the other organization's admin-free
	// changes are checked above; here an admin renames org and deletes dept.
	e.ok(e.tok[model.RoleAdmin], ppUpdateOrg, upd, nil)
	e.ok(e.tok[model.RoleAdmin], ppDeleteDep, map[string]any{"id": dept}, nil)
	if got := e.readOrg(e.org); got.Node.Name != "Renamed" || len(got.Node.Departments) != 0 {
		t.Errorf("after the admin's changes, organization = %+v", got.Node)
	}
}

// ppWorld is an organization that owns one of everything: a department, a
// target with an asset and an incident, a policy with a line, a draft
// analysis whose assessment the department owns, and feedback.
type ppWorld struct {
	org, dept, target, asset, incident, policy, line, analysis, assessment, feedback string
}

// newPPWorld builds a ppWorld for organization org of e through the API
// (and the fixtures for the analysis and feedback).
func newPPWorld(e *ppEnv, org, tag string, status string) ppWorld {
	e.t.Helper()
	p := e.prefix + tag
	w := ppWorld{org: org, dept: p + "dept", target: p + "target", asset: p + "asset", incident: p + "incident",
		policy: p + "policy", line: p + "line", analysis: p + "analysis", assessment: p + "assessment", feedback: p + "feedback"}
	admin := e.tok[model.RoleAdmin]
	e.ok(admin, ppCreateDep, map[string]any{"in": map[string]any{"id": w.dept, "organizationId": org, "name": "Ops"}}, nil)
	e.ok(admin, ppCreateTarget, map[string]any{"in": map[string]any{"id": w.target, "name": "Shutter", "sector": "home"}}, nil)
	e.ok(admin, ppCreateAsset, map[string]any{"in": map[string]any{"id": w.asset, "targetId": w.target, "name": "Hub", "kind": "component"}}, nil)
	e.ok(admin, ppCreateIncident, map[string]any{"in": map[string]any{"id": w.incident, "targetId": w.target, "name": "Pinched", "consequence": "life-body"}}, nil)
	e.ok(admin, ppCreatePolicy, map[string]any{"in": map[string]any{"id": w.policy, "insurer": "Tokio", "holderId": org, "product": "Cyber",
		"periodStart": "2026-01-01", "periodEnd": "2026-12-31", "aggregateLimitJPY": 1e8,
		"lines": []any{map[string]any{"id": w.line, "type": "incident-response", "limitJPY": 1e7, "coversIncidentIds": []string{w.incident}}}}}, nil)
	neo4jtest.PeopleAnalysisFixture(e.t, neo4jtest.PeopleAnalysis{ID: w.analysis, Org: org, Target: w.target, Status: status,
		PolicyIDs: []string{w.policy}, Assessments: []neo4jtest.PeopleAssessment{{ID: w.assessment, Incident: w.incident,
			AssetIDs: []string{w.asset}, OwnerDepartment: w.dept, MeasureIDs: []string{p + "measure"}}}})
	neo4jtest.PeopleFeedbackFixture(e.t, w.feedback, org, w.target)
	return w
}

func TestDeleteOrganizationCascades(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	org := neo4jtest.Org(t, e.prefix+"doomed", e.prefix+"home")
	tok := neo4jtest.Token(t, e.db, org, model.RoleAnalyst)
	w := newPPWorld(e, org, "w-", "DRAFT")
	// Another organization's feedback about the doomed draft analysis goes
	// too: what it was about no longer exists. Its feedback about the
	// target stays.
	aboutDraft := neo4jtest.PeopleFeedbackFixture(t, e.prefix+"fb-about-draft", e.other, w.analysis)
	aboutTarget := neo4jtest.PeopleFeedbackFixture(t, e.prefix+"fb-about-target", e.other, w.target)
	admin := e.tok[model.RoleAdmin]

	before := neo4jtest.Snapshot(t, e.prefix)
	for _, cascade := range []any{nil, false} {
		r := e.do(admin, ppDeleteOrg, map[string]any{"id": org, "cascade": cascade})
		ppWant(t, r, "CONFLICT", "id")
		for _, what := range []string{"1 analysis", "1 department", "1 insurance policy", "1 feedback"} {
			if len(r.Errors) > 0 && !strings.Contains(r.Errors[0].Message, what) {
				t.Errorf("message %q does not name %q", r.Errors[0].Message, what)
			}
		}
	}
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Fatalf("a refused delete changed the graph")
	}

	e.ok(admin, ppDeleteOrg, map[string]any{"id": org, "cascade": true}, nil)
	for _, id := range []string{org, w.dept, w.policy, w.line, w.analysis, w.assessment, w.assessment + "-" + e.prefix + "w-measure", w.feedback, aboutDraft} {
		if neo4jtest.PeopleExists(t, id) {
			t.Errorf("%s survived the cascade", id)
		}
	}
	for _, id := range []string{w.target, w.asset, w.incident, aboutTarget, e.prefix + "w-measure", e.other} {
		if !neo4jtest.PeopleExists(t, id) {
			t.Errorf("%s was deleted by the cascade; it does not belong to the organization", id)
		}
	}
	if _, err := e.db.Authenticate(t.Context(), tok); model.ErrorCode(err) != model.EUNAUTHENTICATED {
		t.Errorf("the deleted organization's token still authenticates: %v", err)
	}
}

func TestDeleteOrganizationRefusesWithSubmittedAnalysis(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	org := neo4jtest.Org(t, e.prefix+"keeper", e.prefix+"home")
	newPPWorld(e, org, "s-", "SUBMITTED")
	before := neo4jtest.Snapshot(t, e.prefix)
	r := e.do(e.tok[model.RoleAdmin], ppDeleteOrg, map[string]any{"id": org, "cascade": true})
	ppWant(t, r, "CONFLICT", "id")
	if len(r.Errors) > 0 && !strings.Contains(r.Errors[0].Message, "submitted") {
		t.Errorf("message %q does not say why", r.Errors[0].Message)
	}
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Errorf("the refused cascade changed the graph:\nbefore %s\nafter  %s", before, after)
	}
}

func TestDeleteDepartmentCascades(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "d-", "DRAFT")
	orgAdmin := e.tok[model.RoleOrgAdmin]

	before := neo4jtest.Snapshot(t, e.prefix)
	r := e.do(orgAdmin, ppDeleteDep, map[string]any{"id": w.dept})
	ppWant(t, r, "CONFLICT", "id")
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Fatalf("the refused delete changed the graph")
	}

	e.ok(orgAdmin, ppDeleteDep, map[string]any{"id": w.dept, "cascade": true}, nil)
	if neo4jtest.PeopleExists(t, w.dept) {
		t.Errorf("department %s survived", w.dept)
	}
	if !neo4jtest.PeopleExists(t, w.assessment) {
		t.Fatalf("the assessment %s was deleted; it should only lose its owner", w.assessment)
	}
	if v := neo4jtest.PeopleProperty(t, w.assessment, "ownerDepartmentId"); v != nil {
		t.Errorf("assessment ownerDepartmentId = %v, want none", v)
	}
	if got := neo4jtest.PeopleRelated(t, w.assessment, "OWNED_BY"); len(got) != 0 {
		t.Errorf("assessment still OWNED_BY %v", got)
	}
	var read struct {
		Node *struct{ OwnerDepartment *struct{ ID string } }
	}
	e.ok(e.tok[model.RoleAnalyst], `query($id: ID!) { node(id: $id) { ... on Assessment { ownerDepartment { id } } } }`, map[string]any{"id": w.assessment}, &read)
	if read.Node == nil || read.Node.OwnerDepartment != nil {
		t.Errorf("assessment read back as %+v, want no owner department", read.Node)
	}
}

func TestDeleteDepartmentRefusesWithSubmittedAnalysis(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "ds-", "SUBMITTED")
	before := neo4jtest.Snapshot(t, e.prefix)
	r := e.do(e.tok[model.RoleOrgAdmin], ppDeleteDep, map[string]any{"id": w.dept, "cascade": true})
	ppWant(t, r, "CONFLICT", "id")
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Errorf("the refused cascade changed the graph:\nbefore %s\nafter  %s", before, after)
	}
	if got := neo4jtest.PeopleProperty(t, w.assessment, "ownerDepartmentId"); got != w.dept {
		t.Errorf("submitted assessment's ownerDepartmentId = %v, want %s", got, w.dept)
	}
}

func TestFailedPeopleMutationsChangeNothing(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "f-", "DRAFT")
	admin := e.tok[model.RoleAdmin]
	before := neo4jtest.Snapshot(t, e.prefix)
	for _, c := range []struct {
		query string
		vars  map[string]any
	}{
		{ppCreateOrg, map[string]any{"in": map[string]any{"id": w.dept, "name": "Clash", "sector": "x"}}},
		{ppUpdateOrg, map[string]any{"id": e.org, "in": map[string]any{"name": "", "sector": "x"}}},
		{ppDeleteOrg, map[string]any{"id": e.org, "cascade": false}},
		{ppCreateDep, map[string]any{"in": map[string]any{"id": e.prefix + "new", "organizationId": e.prefix + "ghost", "name": "x"}}},
		{ppCreateDep, map[string]any{"in": map[string]any{"id": w.policy, "organizationId": e.org, "name": "x"}}},
		{ppUpdateDep, map[string]any{"id": w.dept, "name": strings.Repeat("n", 501)}},
		{ppDeleteDep, map[string]any{"id": w.dept}},
	} {
		if r := e.do(admin, c.query, c.vars); len(r.Errors) == 0 {
			t.Errorf("%s %v succeeded", c.query, c.vars)
		}
	}
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Errorf("failed mutations changed the graph:\nbefore %s\nafter  %s", before, after)
	}
}
