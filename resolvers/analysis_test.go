package resolvers_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// hostile is a string that would do harm if it were ever formatted into
// Cypher; it must be stored verbatim.
const hostile = `'; MATCH (n) DETACH DELETE n //"` + "`"

// analysisEnv is a testEnv with the nodes of a neo4jtest.AnalysisScene and
// tokens for its organizations.
type analysisEnv struct {
	*testEnv
	s *neo4jtest.AnalysisScene
	// Tokens of the scene's Org.
	analyst, orgAdmin, viewer, curator, admin string
	// Analysts of OtherOrg (sector OtherSector) and ThirdOrg (ThirdSector).
	other, third string
}

func newAnalysisEnv(t *testing.T) *analysisEnv {
	t.Helper()
	env := newEnv(t, resolvers.Options{})
	s := neo4jtest.NewAnalysisScene(t, env.p)
	tok := env.tokensOf(t, s.Org)
	return &analysisEnv{
		testEnv: env, s: s,
		analyst: tok[model.RoleAnalyst], orgAdmin: tok[model.RoleOrgAdmin], viewer: tok[model.RoleViewer],
		curator: tok[model.RoleCurator], admin: tok[model.RoleAdmin],
		other: env.token(t, s.OtherOrg, model.RoleAnalyst),
		third: env.token(t, s.ThirdOrg, model.RoleAnalyst),
	}
}

// wantError checks that r failed with the given code and (if not empty)
// field, and returned no data for the operation.
func wantError(t *testing.T, r gqlResponse, code, field string) {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Fatalf("no error; data %s; want %s", r.Data, code)
	}
	if got := r.code(); got != code {
		t.Errorf("code = %q (%s), want %q", got, r.Errors[0].Message, code)
	}
	if field != "" {
		if got, _ := r.Errors[0].Extensions["field"].(string); got != field {
			t.Errorf("field = %q (%s), want %q", got, r.Errors[0].Message, field)
		}
	}
}

type idJSON struct{ ID string }

type treatmentJSON struct {
	Status      string
	Perspective struct{ Code string }
	Measure     struct {
		ID, Name    string
		Perspective struct{ Code string }
	}
}

type assessmentJSON struct {
	ID       string
	Analysis idJSON
	Incident struct {
		ID, Name string
		Target   idJSON
	}
	Axis1 struct {
		Rank    int
		LabelEn string
	}
	Axis2            struct{ Rank int }
	Category         int
	EstimatedLossJPY *float64
	Rationale        string
	OwnerDepartment  *idJSON
	Threats          []struct{ ID, Name, Kind string }
	Assets           []idJSON
	Treatments       []treatmentJSON
}

type analysisJSON struct {
	ID, Title, Status, Visibility string
	Version                       int
	SharedWithSectors             []string
	SharedWithOrganizations       []idJSON
	Organization, Target          idJSON
	CreatedAt, UpdatedAt          time.Time
	SubmittedAt                   *time.Time
	Supersedes                    *idJSON
	Policies                      []idJSON
	Assessments                   []assessmentJSON
}

const analysisFragment = `
fragment A on Analysis {
  id title status version visibility sharedWithSectors sharedWithOrganizations { id }
  organization { id } target { id } createdAt updatedAt submittedAt supersedes { id } policies { id }
  assessments {
    id analysis { id } incident { id name target { id } } axis1 { rank labelEn } axis2 { rank } category
    estimatedLossJPY rationale ownerDepartment { id } threats { id name kind } assets { id }
    treatments { status perspective { code } measure { id name perspective { code } } }
  }
}`

const (
	createAnalysisDoc = `mutation($in: AnalysisInput!) { createAnalysis(input: $in) { ...A } }` + analysisFragment
	updateAnalysisDoc = `mutation($id: ID!, $in: AnalysisUpdateInput!) { updateAnalysis(id: $id, input: $in) { ...A } }` + analysisFragment
	readAnalysisDoc   = `query($id: ID!) { analysis(id: $id) { ...A } }` + analysisFragment
	deleteAnalysisDoc = `mutation($id: ID!) { deleteAnalysis(id: $id) }`
	assessDoc         = `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id category axis1 { rank } axis2 { rank } incident { id } analysis { id } } }`
	removeDoc         = `mutation($id: ID!) { removeAssessment(id: $id) }`
	submitDoc         = `mutation($id: ID!) { submitAnalysis(id: $id) { ...A } }` + analysisFragment
	reviseDoc         = `mutation($id: ID!) { reviseAnalysis(id: $id) { ...A } }` + analysisFragment
	policiesDoc       = `mutation($id: ID!, $ids: [ID!]!) { setAnalysisPolicies(id: $id, policyIds: $ids) { id policies { id } } }`
)

// readAnalysis returns the analysis as the caller sees it, or nil.
func (e *analysisEnv) readAnalysis(t *testing.T, token, id string) *analysisJSON {
	t.Helper()
	var got struct{ Analysis *analysisJSON }
	e.must(t, token, readAnalysisDoc, map[string]any{"id": id}, &got)
	return got.Analysis
}

// readAnalysisRaw returns the analysis's JSON as the server sends it.
func (e *analysisEnv) readAnalysisRaw(t *testing.T, token, id string) string {
	t.Helper()
	r := e.do(t, token, readAnalysisDoc, map[string]any{"id": id})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	return string(r.Data)
}

// create makes an analysis by the scene's organization and returns it.
func (e *analysisEnv) create(t *testing.T, in map[string]any) *analysisJSON {
	t.Helper()
	in = maps.Clone(in)
	if _, ok := in["targetId"]; !ok {
		in["targetId"] = e.s.Target
	}
	if _, ok := in["title"]; !ok {
		in["title"] = "Shutter analysis"
	}
	var got struct{ CreateAnalysis analysisJSON }
	e.must(t, e.analyst, createAnalysisDoc, map[string]any{"in": in}, &got)
	return &got.CreateAnalysis
}

type assessResult struct {
	ID       string
	Category int
	Axis1    struct{ Rank int }
	Axis2    struct{ Rank int }
	Incident idJSON
	Analysis idJSON
}

// assess assesses an incident and returns the result.
func (e *analysisEnv) assess(t *testing.T, token string, in map[string]any) assessResult {
	t.Helper()
	var got struct{ AssessIncident assessResult }
	e.must(t, token, assessDoc, map[string]any{"in": in}, &got)
	return got.AssessIncident
}

// simpleAssessment is an input that assesses the incident with one
// existing threat, asset and measure.
func (e *analysisEnv) simpleAssessment(analysis, incident string) map[string]any {
	return map[string]any{
		"analysisId": analysis, "incidentId": incident, "axis1": 2, "axis2": 3,
		"threats": []any{map[string]any{"id": e.s.Threats[0]}}, "assetIds": []any{e.s.Assets[0]},
		"treatments": []any{map[string]any{"measureId": e.s.Measures[0], "status": "PLANNED"}},
	}
}

func TestCreateAnalysisRoundTrip(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	id := e.p + "an"
	before := time.Now().Add(-time.Minute)
	a := e.create(t, map[string]any{
		"id": id, "title": hostile, "visibility": "SHARED",
		"sharedWithOrganizationIds": []any{e.s.ThirdOrg, e.s.OtherOrg, e.s.ThirdOrg}, "sharedWithSectors": []any{e.s.OtherSector},
	})
	got := e.readAnalysis(t, e.analyst, id)
	if got == nil {
		t.Fatal("analysis(id) is null after createAnalysis")
	}
	if a.ID != id || got.ID != id || got.Title != hostile || got.Status != "DRAFT" || got.Version != 1 || got.Visibility != "SHARED" {
		t.Errorf("read back %+v", got)
	}
	if got.Organization.ID != e.s.Org || got.Target.ID != e.s.Target {
		t.Errorf("organization %s, target %s; want %s, %s", got.Organization.ID, got.Target.ID, e.s.Org, e.s.Target)
	}
	// Shared organizations keep the input's order, without the repeat.
	if want := []idJSON{{e.s.ThirdOrg}, {e.s.OtherOrg}}; !slices.Equal(got.SharedWithOrganizations, want) {
		t.Errorf("sharedWithOrganizations = %v, want %v", got.SharedWithOrganizations, want)
	}
	if !slices.Equal(got.SharedWithSectors, []string{e.s.OtherSector}) {
		t.Errorf("sharedWithSectors = %v", got.SharedWithSectors)
	}
	if got.CreatedAt.Before(before) || !got.UpdatedAt.Equal(got.CreatedAt) || got.SubmittedAt != nil || got.Supersedes != nil || len(got.Assessments) != 0 || len(got.Policies) != 0 {
		t.Errorf("createdAt %v updatedAt %v submittedAt %v supersedes %v assessments %d policies %d",
			got.CreatedAt, got.UpdatedAt, got.SubmittedAt, got.Supersedes, len(got.Assessments), len(got.Policies))
	}

	// Storage shape: the read side and other tools rely on it.
	rows := neo4jtest.AnalysisExec(t, `
MATCH (o:Organization {id: $org})-[:AUTHORED]->(a:Analysis:Entity {id: $id})-[:ANALYZES]->(t:Target {id: $target})
RETURN a.organizationId AS org, a.targetId AS target, a.status AS status, a.version AS version,
  a.sharedWithOrganizationIds AS shared, [(a)-[:SHARED_WITH]->(x:Organization) | x.id] AS sharedWith`,
		map[string]any{"org": e.s.Org, "id": id, "target": e.s.Target})
	if len(rows) != 1 {
		t.Fatalf("stored analysis not found in its storage shape: %v", rows)
	}
	r := rows[0]
	if r["org"] != e.s.Org || r["target"] != e.s.Target || r["status"] != "DRAFT" || r["version"] != int64(1) {
		t.Errorf("stored %v", r)
	}
	sharedWith := fmt.Sprint(r["sharedWith"])
	if !strings.Contains(sharedWith, e.s.OtherOrg) || !strings.Contains(sharedWith, e.s.ThirdOrg) || len(r["sharedWith"].([]any)) != 2 {
		t.Errorf("SHARED_WITH edges to %v", r["sharedWith"])
	}

	// The new analysis is found through every read path.
	var lists struct {
		Analyses struct {
			Nodes      []idJSON
			TotalCount int
		}
		Target struct{ Analyses []idJSON }
		Node   *idJSON
	}
	e.must(t, e.analyst, `query($t: ID!, $id: ID!) { analyses(targetId: $t) { nodes { id } totalCount } target(id: $t) { analyses { id } } node(id: $id) { id } }`,
		map[string]any{"t": e.s.Target, "id": id}, &lists)
	if len(lists.Analyses.Nodes) != 1 || lists.Analyses.Nodes[0].ID != id || lists.Analyses.TotalCount != 1 ||
		len(lists.Target.Analyses) != 1 || lists.Node == nil || lists.Node.ID != id {
		t.Errorf("read paths: %+v", lists)
	}

	t.Run("GeneratedIDAndDefaultVisibility", func(t *testing.T) {
		var got struct{ CreateAnalysis analysisJSON }
		e.must(t, e.orgAdmin, createAnalysisDoc, map[string]any{"in": map[string]any{"targetId": e.s.Target, "title": "No id"}}, &got)
		a := got.CreateAnalysis
		if !strings.HasPrefix(a.ID, "analysis-") || a.Visibility != "PRIVATE" || a.Organization.ID != e.s.Org {
			t.Errorf("created %+v", a)
		}
		t.Cleanup(func() {
			neo4jtest.AnalysisExec(t, `MATCH (a:Analysis {id: $id}) DETACH DELETE a`, map[string]any{"id": a.ID})
		})
		if e.readAnalysis(t, e.orgAdmin, a.ID) == nil {
			t.Error("generated analysis not readable")
		}
	})
	t.Run("AdminWritesForTheirOrganization", func(t *testing.T) {
		var got struct{ CreateAnalysis analysisJSON }
		e.must(t, e.admin, createAnalysisDoc, map[string]any{"in": map[string]any{"id": e.p + "an-admin", "targetId": e.s.Target, "title": "By admin", "visibility": "PUBLIC"}}, &got)
		if got.CreateAnalysis.Organization.ID != e.s.Org || got.CreateAnalysis.Visibility != "PUBLIC" {
			t.Errorf("created %+v", got.CreateAnalysis)
		}
	})
}

func TestCreateAnalysisRejectsBadInput(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	e.create(t, map[string]any{"id": e.p + "taken"})
	snap := neo4jtest.Snapshot(t, e.p)
	long := strings.Repeat("x", 501)
	for _, tt := range []struct {
		name        string
		in          map[string]any
		code, field string
	}{
		{"EmptyTitle", map[string]any{"title": ""}, "BAD_USER_INPUT", "input.title"},
		{"LongTitle", map[string]any{"title": long}, "BAD_USER_INPUT", "input.title"},
		{"BadID", map[string]any{"id": "bad id!"}, "BAD_USER_INPUT", "input.id"},
		{"TakenID", map[string]any{"id": e.p + "taken"}, "CONFLICT", ""},
		{"IDOfAnotherKind", map[string]any{"id": e.s.Target}, "CONFLICT", ""},
		{"UnknownTarget", map[string]any{"targetId": e.p + "nope"}, "NOT_FOUND", "input.targetId"},
		{"MalformedTarget", map[string]any{"targetId": hostile}, "BAD_USER_INPUT", "input.targetId"},
		{"SharedWithNobody", map[string]any{"visibility": "SHARED"}, "BAD_USER_INPUT", "input.visibility"},
		{"SharedWithEmptyLists", map[string]any{"visibility": "SHARED", "sharedWithOrganizationIds": []any{}, "sharedWithSectors": []any{}}, "BAD_USER_INPUT", "input.visibility"},
		{"PrivateNamesOrg", map[string]any{"visibility": "PRIVATE", "sharedWithOrganizationIds": []any{e.s.OtherOrg}}, "BAD_USER_INPUT", "input.sharedWithOrganizationIds"},
		{"DefaultPrivateNamesSector", map[string]any{"sharedWithSectors": []any{"medical"}}, "BAD_USER_INPUT", "input.sharedWithSectors"},
		{"PublicNamesSector", map[string]any{"visibility": "PUBLIC", "sharedWithSectors": []any{"medical"}}, "BAD_USER_INPUT", "input.sharedWithSectors"},
		{"UnknownSharedOrg", map[string]any{"visibility": "SHARED", "sharedWithOrganizationIds": []any{e.s.OtherOrg, e.p + "ghost"}}, "NOT_FOUND", "input.sharedWithOrganizationIds.1"},
		{"MalformedSharedOrg", map[string]any{"visibility": "SHARED", "sharedWithOrganizationIds": []any{""}}, "BAD_USER_INPUT", "input.sharedWithOrganizationIds.0"},
		{"EmptySector", map[string]any{"visibility": "SHARED", "sharedWithSectors": []any{"ok", ""}}, "BAD_USER_INPUT", "input.sharedWithSectors.1"},
		{"LongSector", map[string]any{"visibility": "SHARED", "sharedWithSectors": []any{strings.Repeat("s", 101)}}, "BAD_USER_INPUT", "input.sharedWithSectors.0"},
		{"BadVisibilityEnum", map[string]any{"visibility": "SECRET"}, "GRAPHQL_VALIDATION_FAILED", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := map[string]any{"id": e.p + "new", "targetId": e.s.Target, "title": "T"}
			maps.Copy(in, tt.in)
			r := e.do(t, e.analyst, createAnalysisDoc, map[string]any{"in": in})
			wantError(t, r, tt.code, tt.field)
			if got := neo4jtest.Snapshot(t, e.p); got != snap {
				t.Error("the failed createAnalysis changed the graph")
			}
		})
	}
}

func TestCreateAnalysisAuthorization(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	snap := neo4jtest.Snapshot(t, e.p)
	in := map[string]any{"in": map[string]any{"id": e.p + "an", "targetId": e.s.Target, "title": "T"}}
	for _, tt := range []struct{ name, token, code string }{
		{"Anonymous", "", "UNAUTHENTICATED"},
		{"Viewer", e.viewer, "FORBIDDEN"},
		{"Curator", e.curator, "FORBIDDEN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.do(t, tt.token, createAnalysisDoc, in), tt.code, "")
			if neo4jtest.Snapshot(t, e.p) != snap {
				t.Error("the refused createAnalysis changed the graph")
			}
		})
	}
}

func TestUpdateAnalysis(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	id := e.p + "an"
	created := e.create(t, map[string]any{"id": id, "visibility": "SHARED", "sharedWithOrganizationIds": []any{e.s.OtherOrg}})

	t.Run("RoundTrip", func(t *testing.T) {
		var got struct{ UpdateAnalysis analysisJSON }
		e.must(t, e.analyst, updateAnalysisDoc, map[string]any{"id": id, "in": map[string]any{"title": "Renamed " + hostile, "sharedWithSectors": []any{e.s.ThirdSector}}}, &got)
		a := e.readAnalysis(t, e.analyst, id)
		if a.Title != "Renamed "+hostile || a.Visibility != "SHARED" || !slices.Equal(a.SharedWithSectors, []string{e.s.ThirdSector}) ||
			!slices.Equal(a.SharedWithOrganizations, []idJSON{{e.s.OtherOrg}}) {
			t.Errorf("after update: %+v", a)
		}
		if !a.UpdatedAt.After(created.UpdatedAt) || !a.CreatedAt.Equal(created.CreatedAt) || got.UpdateAnalysis.Title != a.Title {
			t.Errorf("updatedAt %v (was %v), createdAt %v (was %v), returned %q", a.UpdatedAt, created.UpdatedAt, a.CreatedAt, created.CreatedAt, got.UpdateAnalysis.Title)
		}
		// Replacing the organizations replaces the SHARED_WITH edges.
		e.must(t, e.analyst, updateAnalysisDoc, map[string]any{"id": id, "in": map[string]any{"sharedWithOrganizationIds": []any{e.s.ThirdOrg}}}, &got)
		rows := neo4jtest.AnalysisExec(t, `MATCH (a:Analysis {id: $id}) RETURN [(a)-[:SHARED_WITH]->(o) | o.id] AS orgs, a.sharedWithOrganizationIds AS ids`, map[string]any{"id": id})
		if fmt.Sprint(rows[0]["orgs"]) != "["+e.s.ThirdOrg+"]" || fmt.Sprint(rows[0]["ids"]) != "["+e.s.ThirdOrg+"]" {
			t.Errorf("stored sharing %v", rows[0])
		}
		// Going PUBLIC without naming lists clears them.
		e.must(t, e.analyst, updateAnalysisDoc, map[string]any{"id": id, "in": map[string]any{"visibility": "PUBLIC"}}, &got)
		a = e.readAnalysis(t, "", id)
		if a == nil || a.Visibility != "PUBLIC" || len(a.SharedWithOrganizations) != 0 || len(a.SharedWithSectors) != 0 {
			t.Errorf("after going public: %+v", a)
		}
		rows = neo4jtest.AnalysisExec(t, `MATCH (a:Analysis {id: $id}) RETURN COUNT { (a)-[:SHARED_WITH]->() } AS n`, map[string]any{"id": id})
		if rows[0]["n"] != int64(0) {
			t.Errorf("%v SHARED_WITH edges left on a public analysis", rows[0]["n"])
		}
	})

	t.Run("BadInputChangesNothing", func(t *testing.T) {
		snap := neo4jtest.Snapshot(t, e.p)
		for _, tt := range []struct {
			name        string
			id          string
			in          map[string]any
			code, field string
		}{
			{"EmptyTitle", id, map[string]any{"title": ""}, "BAD_USER_INPUT", "input.title"},
			{"LongTitle", id, map[string]any{"title": strings.Repeat("é", 501)}, "BAD_USER_INPUT", "input.title"},
			{"SharedWithNobody", id, map[string]any{"visibility": "SHARED"}, "BAD_USER_INPUT", "input.visibility"},
			{"PublicNamesOrg", id, map[string]any{"sharedWithOrganizationIds": []any{e.s.OtherOrg}}, "BAD_USER_INPUT", "input.sharedWithOrganizationIds"},
			{"UnknownSharedOrg", id, map[string]any{"visibility": "SHARED", "sharedWithOrganizationIds": []any{e.p + "ghost"}}, "NOT_FOUND", "input.sharedWithOrganizationIds.0"},
			{"BadEnum", id, map[string]any{"visibility": "NOBODY"}, "GRAPHQL_VALIDATION_FAILED", ""},
			{"UnknownAnalysis", e.p + "nope", map[string]any{"title": "x"}, "NOT_FOUND", "id"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantError(t, e.do(t, e.analyst, updateAnalysisDoc, map[string]any{"id": tt.id, "in": tt.in}), tt.code, tt.field)
				if neo4jtest.Snapshot(t, e.p) != snap {
					t.Error("the failed updateAnalysis changed the graph")
				}
			})
		}
	})

	t.Run("Authorization", func(t *testing.T) {
		private := e.p + "an-private"
		e.create(t, map[string]any{"id": private})
		snap := neo4jtest.Snapshot(t, e.p)
		for _, tt := range []struct{ name, token, id, code string }{
			{"Anonymous", "", id, "UNAUTHENTICATED"},
			{"ViewerOfTheOrganization", e.viewer, id, "FORBIDDEN"},
			{"CuratorOfTheOrganization", e.curator, id, "FORBIDDEN"},
			{"OtherOrganizationOnPublic", e.other, id, "FORBIDDEN"},
			{"OtherOrganizationOnPrivate", e.other, private, "NOT_FOUND"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantError(t, e.do(t, tt.token, updateAnalysisDoc, map[string]any{"id": tt.id, "in": map[string]any{"title": "stolen"}}), tt.code, "")
				if neo4jtest.Snapshot(t, e.p) != snap {
					t.Error("the refused updateAnalysis changed the graph")
				}
			})
		}
		// An org-admin of the organization and an admin may.
		for _, tok := range []string{e.orgAdmin, e.admin} {
			var got struct{ UpdateAnalysis analysisJSON }
			e.must(t, tok, updateAnalysisDoc, map[string]any{"id": private, "in": map[string]any{"title": "ok"}}, &got)
			if got.UpdateAnalysis.Title != "ok" {
				t.Errorf("title %q", got.UpdateAnalysis.Title)
			}
		}
	})
}

func TestAssessIncidentRoundTrip(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	id := e.p + "an"
	e.create(t, map[string]any{"id": id})
	loss := 12345678.5
	in := map[string]any{
		"analysisId":  id,
		"newIncident": map[string]any{"id": e.p + "inc-new", "name": "Window closes on a hand", "consequence": "life-body", "description": hostile},
		"axis1":       3, "axis2": 2, "estimatedLossJPY": loss, "rationale": hostile, "ownerDepartmentId": e.s.Dept,
		"threats": []any{
			map[string]any{"id": e.s.Threats[1]},
			map[string]any{"new": map[string]any{"id": e.p + "threat-new", "name": "Spoofed command", "kind": "cyber-attack", "externalId": "T0856", "source": "mitre-attack-ics"}},
		},
		"assetIds": []any{e.s.Assets[1], e.s.Assets[0]},
		"treatments": []any{
			map[string]any{"measureId": e.s.Measures[0], "status": "IMPLEMENTED"},
			map[string]any{"newMeasure": map[string]any{"id": e.p + "measure-new", "name": "Tell residents to secure the router", "perspective": "P3", "kind": "human"}, "status": "PLANNED", "perspective": "P4"},
		},
	}
	res := e.assess(t, e.analyst, in)
	if res.Incident.ID != e.p+"inc-new" || res.Analysis.ID != id || res.Axis1.Rank != 3 || res.Axis2.Rank != 2 {
		t.Errorf("assessIncident returned %+v", res)
	}
	if !strings.HasPrefix(res.ID, id+":") {
		t.Errorf("assessment id %q does not start with the analysis id", res.ID)
	}

	a := e.readAnalysis(t, e.analyst, id)
	if len(a.Assessments) != 1 {
		t.Fatalf("%d assessments, want 1", len(a.Assessments))
	}
	s := a.Assessments[0]
	if s.ID != res.ID || s.Analysis.ID != id || s.Incident.ID != e.p+"inc-new" || s.Incident.Name != "Window closes on a hand" || s.Incident.Target.ID != e.s.Target {
		t.Errorf("assessment %+v", s)
	}
	if s.Axis1.Rank != 3 || s.Axis1.LabelEn == "" || s.Axis2.Rank != 2 || s.Category < 1 || s.Rationale != hostile ||
		s.EstimatedLossJPY == nil || *s.EstimatedLossJPY != loss || s.OwnerDepartment == nil || s.OwnerDepartment.ID != e.s.Dept {
		t.Errorf("ratings %+v", s)
	}
	wantThreats := []string{e.s.Threats[1], e.p + "threat-new"}
	slices.Sort(wantThreats)
	var gotThreats []string
	for _, th := range s.Threats {
		gotThreats = append(gotThreats, th.ID)
	}
	if !slices.Equal(gotThreats, wantThreats) {
		t.Errorf("threats %v, want %v (ordered by id)", gotThreats, wantThreats)
	}
	if !slices.Equal(s.Assets, []idJSON{{e.s.Assets[0]}, {e.s.Assets[1]}}) {
		t.Errorf("assets %v", s.Assets)
	}
	if len(s.Treatments) != 2 {
		t.Fatalf("treatments %+v", s.Treatments)
	}
	byMeasure := map[string]treatmentJSON{}
	for _, tr := range s.Treatments {
		byMeasure[tr.Measure.ID] = tr
	}
	if tr := byMeasure[e.s.Measures[0]]; tr.Status != "IMPLEMENTED" || tr.Perspective.Code != "P1" || tr.Measure.Perspective.Code != "P1" {
		t.Errorf("treatment with an existing measure: %+v (its perspective defaults to the measure's)", tr)
	}
	if tr := byMeasure[e.p+"measure-new"]; tr.Status != "PLANNED" || tr.Perspective.Code != "P4" || tr.Measure.Perspective.Code != "P3" || tr.Measure.Name != "Tell residents to secure the router" {
		t.Errorf("treatment with a new measure: %+v", tr)
	}

	// The new catalog nodes are ordinary nodes of the catalog, readable by
	// whoever may read the analysis (the analysis is private: see
	// TestInlineNodesOfPrivateAnalysisArePrivate).
	var cat struct {
		Threat  *struct{ ExternalID, Source, Kind string } `json:"t"`
		Measure *struct{ Kind string }                     `json:"m"`
		Target  struct{ Incidents []idJSON }
	}
	e.must(t, e.viewer, `query($th: ID!, $m: ID!, $tg: ID!) { t: node(id: $th) { ... on Threat { externalId source kind } } m: node(id: $m) { ... on Measure { kind } } target(id: $tg) { incidents { id } } }`,
		map[string]any{"th": e.p + "threat-new", "m": e.p + "measure-new", "tg": e.s.Target}, &cat)
	if cat.Threat == nil || cat.Threat.ExternalID != "T0856" || cat.Threat.Source != "mitre-attack-ics" || cat.Measure == nil || cat.Measure.Kind != "human" {
		t.Errorf("new catalog nodes: %+v %+v", cat.Threat, cat.Measure)
	}
	if !slices.Contains(cat.Target.Incidents, idJSON{e.p + "inc-new"}) {
		t.Errorf("target incidents %v lack the new incident", cat.Target.Incidents)
	}

	// Storage shape.
	rows := neo4jtest.AnalysisExec(t, `
MATCH (a:Analysis {id: $a})-[:HAS_ASSESSMENT]->(s:Assessment:Entity {id: $s})-[:OF]->(i:Incident)<-[:HAS_INCIDENT]-(t:Target {id: $t})
RETURN properties(s) AS s, i.targetId AS incidentTarget,
  [(s)-[:OWNED_BY]->(d:Department) | d.id] AS owner,
  [(s)-[:TREATED_BY]->(tr)-[:APPLIES]->(m:Measure) | {labels: labels(tr), props: properties(tr), measure: m.id}] AS treatments`,
		map[string]any{"a": id, "s": res.ID, "t": e.s.Target})
	if len(rows) != 1 {
		t.Fatalf("assessment not stored in its shape: %v", rows)
	}
	sp := rows[0]["s"].(map[string]any)
	if sp["analysisId"] != id || sp["incidentId"] != e.p+"inc-new" || sp["axis1"] != int64(3) || sp["axis2"] != int64(2) ||
		sp["category"] != int64(s.Category) || sp["ownerDepartmentId"] != e.s.Dept || sp["estimatedLossJPY"] != loss || sp["rationale"] != hostile {
		t.Errorf("stored assessment %v", sp)
	}
	if rows[0]["incidentTarget"] != e.s.Target || fmt.Sprint(rows[0]["owner"]) != "["+e.s.Dept+"]" {
		t.Errorf("incident target %v, owner %v", rows[0]["incidentTarget"], rows[0]["owner"])
	}
	for _, tr := range rows[0]["treatments"].([]any) {
		tr := tr.(map[string]any)
		p := tr["props"].(map[string]any)
		if fmt.Sprint(tr["labels"]) != "[Treatment Entity]" && fmt.Sprint(tr["labels"]) != "[Entity Treatment]" {
			t.Errorf("treatment labels %v", tr["labels"])
		}
		if p["assessmentId"] != res.ID || p["measureId"] != tr["measure"] || !strings.HasPrefix(p["id"].(string), res.ID+":") {
			t.Errorf("treatment %v", tr)
		}
	}

	t.Run("AssessingAgainReplaces", func(t *testing.T) {
		again := e.assess(t, e.analyst, map[string]any{
			"analysisId": id, "incidentId": e.p + "inc-new", "axis1": 1, "axis2": 1,
			"threats":    []any{map[string]any{"id": e.s.Threats[0]}},
			"treatments": []any{map[string]any{"measureId": e.s.Measures[1], "status": "VERIFIED"}},
		})
		if again.ID != res.ID {
			t.Errorf("re-assessment has id %q, want the same %q", again.ID, res.ID)
		}
		a := e.readAnalysis(t, e.analyst, id)
		if len(a.Assessments) != 1 {
			t.Fatalf("%d assessments after re-assessing, want 1", len(a.Assessments))
		}
		s := a.Assessments[0]
		if s.Axis1.Rank != 1 || s.Axis2.Rank != 1 || s.EstimatedLossJPY != nil || s.Rationale != "" || s.OwnerDepartment != nil ||
			len(s.Threats) != 1 || s.Threats[0].ID != e.s.Threats[0] || len(s.Assets) != 0 ||
			len(s.Treatments) != 1 || s.Treatments[0].Measure.ID != e.s.Measures[1] || s.Treatments[0].Status != "VERIFIED" || s.Treatments[0].Perspective.Code != "P3" {
			t.Errorf("replaced assessment %+v", s)
		}
		rows := neo4jtest.AnalysisExec(t, `
MATCH (s:Assessment {id: $s})
RETURN COUNT { (:Treatment {assessmentId: $s}) } AS treatments, COUNT { (s)-[:OF]->() } AS of, COUNT { (s)-[:OWNED_BY]->() } AS owner,
  s.ownerDepartmentId AS dept, s.estimatedLossJPY AS loss`, map[string]any{"s": res.ID})
		if r := rows[0]; r["treatments"] != int64(1) || r["of"] != int64(1) || r["owner"] != int64(0) || r["dept"] != nil || r["loss"] != nil {
			t.Errorf("after replacing: %v", r)
		}
	})

	t.Run("SecondIncident", func(t *testing.T) {
		e.assess(t, e.orgAdmin, e.simpleAssessment(id, e.s.Incidents[0]))
		a := e.readAnalysis(t, e.analyst, id)
		if len(a.Assessments) != 2 || a.Assessments[0].Incident.ID != e.s.Incidents[0] {
			t.Errorf("assessments %+v, want two ordered by incident id", a.Assessments)
		}
	})
}

func TestAssessIncidentRejectsBadInput(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	id := e.p + "an"
	e.create(t, map[string]any{"id": id})
	e.assess(t, e.analyst, e.simpleAssessment(id, e.s.Incidents[1]))
	snap := neo4jtest.Snapshot(t, e.p)

	th := func(refs ...any) []any { return refs }
	for _, tt := range []struct {
		name        string
		in          map[string]any
		code, field string
	}{
		{"UnknownAnalysis", map[string]any{"analysisId": e.p + "nope"}, "NOT_FOUND", "input.analysisId"},
		{"BothIncidentForms", map[string]any{"newIncident": map[string]any{"id": e.p + "x", "name": "n", "consequence": "c"}}, "BAD_USER_INPUT", "input.incidentId"},
		{"NoIncident", map[string]any{"incidentId": nil}, "BAD_USER_INPUT", "input.incidentId"},
		{"UnknownIncident", map[string]any{"incidentId": e.p + "inc-nope"}, "NOT_FOUND", "input.incidentId"},
		{"IncidentOfAnotherTarget", map[string]any{"incidentId": e.s.OtherIncident}, "BAD_USER_INPUT", "input.incidentId"},
		{"NewIncidentWithoutName", map[string]any{"incidentId": nil, "newIncident": map[string]any{"id": e.p + "x", "name": "", "consequence": "c"}}, "BAD_USER_INPUT", "input.newIncident.name"},
		{"NewIncidentLongConsequence", map[string]any{"incidentId": nil, "newIncident": map[string]any{"name": "n", "consequence": strings.Repeat("c", 101)}}, "BAD_USER_INPUT", "input.newIncident.consequence"},
		{"NewIncidentIDTaken", map[string]any{"incidentId": nil, "newIncident": map[string]any{"id": e.s.Threats[0], "name": "n", "consequence": "c"}}, "CONFLICT", "input.newIncident.id"},
		{"NewIncidentBadID", map[string]any{"incidentId": nil, "newIncident": map[string]any{"id": hostile, "name": "n", "consequence": "c"}}, "BAD_USER_INPUT", "input.newIncident.id"},
		{"Axis1NotOnScale", map[string]any{"axis1": 9}, "BAD_USER_INPUT", "input.axis1"},
		{"Axis1Zero", map[string]any{"axis1": 0}, "BAD_USER_INPUT", "input.axis1"},
		{"Axis2NotOnScale", map[string]any{"axis2": -1}, "BAD_USER_INPUT", "input.axis2"},
		{"NegativeLoss", map[string]any{"estimatedLossJPY": -1}, "BAD_USER_INPUT", "input.estimatedLossJPY"},
		{"LongRationale", map[string]any{"rationale": strings.Repeat("r", 20001)}, "BAD_USER_INPUT", "input.rationale"},
		{"UnknownDepartment", map[string]any{"ownerDepartmentId": e.p + "dept-nope"}, "NOT_FOUND", "input.ownerDepartmentId"},
		{"DepartmentOfAnotherOrganization", map[string]any{"ownerDepartmentId": e.s.OtherDept}, "BAD_USER_INPUT", "input.ownerDepartmentId"},
		{"ThreatWithBothForms", map[string]any{"threats": th(map[string]any{"id": e.s.Threats[0], "new": map[string]any{"name": "n", "kind": "k"}})}, "BAD_USER_INPUT", "input.threats.0"},
		{"ThreatWithNeither", map[string]any{"threats": th(map[string]any{"id": e.s.Threats[0]}, map[string]any{})}, "BAD_USER_INPUT", "input.threats.1"},
		{"UnknownThreat", map[string]any{"threats": th(map[string]any{"id": e.s.Threats[0]}, map[string]any{"id": e.p + "threat-nope"})}, "NOT_FOUND", "input.threats.1.id"},
		{"NewThreatWithoutKind", map[string]any{"threats": th(map[string]any{"new": map[string]any{"name": "n", "kind": ""}})}, "BAD_USER_INPUT", "input.threats.0.new.kind"},
		{"NewThreatIDTaken", map[string]any{"threats": th(map[string]any{"new": map[string]any{"id": e.s.Measures[0], "name": "n", "kind": "k"}})}, "CONFLICT", "input.threats.0.new.id"},
		{"TwoNewNodesOneID", map[string]any{"threats": th(map[string]any{"new": map[string]any{"id": e.p + "dup", "name": "n", "kind": "k"}}),
			"treatments": th(map[string]any{"newMeasure": map[string]any{"id": e.p + "dup", "name": "n", "perspective": "P1", "kind": "k"}, "status": "PLANNED"})},
			"BAD_USER_INPUT", "input.treatments.0.newMeasure.id"},
		{"UnknownAsset", map[string]any{"assetIds": th(e.p + "asset-nope")}, "NOT_FOUND", "input.assetIds.0"},
		{"AssetOfAnotherTarget", map[string]any{"assetIds": th(e.s.Assets[0], e.s.OtherAsset)}, "BAD_USER_INPUT", "input.assetIds.1"},
		{"MalformedAsset", map[string]any{"assetIds": th("")}, "BAD_USER_INPUT", "input.assetIds.0"},
		{"TreatmentWithNeither", map[string]any{"treatments": th(map[string]any{"status": "PLANNED"})}, "BAD_USER_INPUT", "input.treatments.0"},
		{"UnknownMeasure", map[string]any{"treatments": th(map[string]any{"measureId": e.p + "measure-nope", "status": "PLANNED"})}, "NOT_FOUND", "input.treatments.0.measureId"},
		{"MeasureTwice", map[string]any{"treatments": th(map[string]any{"measureId": e.s.Measures[0], "status": "PLANNED"}, map[string]any{"measureId": e.s.Measures[0], "status": "VERIFIED"})}, "BAD_USER_INPUT", "input.treatments.1.measureId"},
		{"NewMeasureUnknownPerspective", map[string]any{"treatments": th(map[string]any{"newMeasure": map[string]any{"name": "n", "perspective": "P9", "kind": "k"}, "status": "PLANNED"})}, "BAD_USER_INPUT", "input.treatments.0.newMeasure.perspective"},
		{"TreatmentUnknownPerspective", map[string]any{"treatments": th(map[string]any{"measureId": e.s.Measures[0], "status": "PLANNED", "perspective": "P0"})}, "BAD_USER_INPUT", "input.treatments.0.perspective"},
		{"BadStatusEnum", map[string]any{"treatments": th(map[string]any{"measureId": e.s.Measures[0], "status": "DONE"})}, "GRAPHQL_VALIDATION_FAILED", ""},
		// Valid new nodes before an invalid reference: nothing is created.
		{"NewNodesThenBadAsset", map[string]any{"incidentId": nil, "newIncident": map[string]any{"id": e.p + "inc-x", "name": "n", "consequence": "c"},
			"threats":    th(map[string]any{"new": map[string]any{"id": e.p + "threat-x", "name": "n", "kind": "k"}}),
			"treatments": th(map[string]any{"newMeasure": map[string]any{"id": e.p + "measure-x", "name": "n", "perspective": "P2", "kind": "k"}, "status": "PLANNED"}),
			"assetIds":   th(e.s.OtherAsset)}, "BAD_USER_INPUT", "input.assetIds.0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := e.simpleAssessment(id, e.s.Incidents[0])
			maps.Copy(in, tt.in)
			if in["incidentId"] == nil {
				delete(in, "incidentId")
			}
			wantError(t, e.do(t, e.analyst, assessDoc, map[string]any{"in": in}), tt.code, tt.field)
			if neo4jtest.Snapshot(t, e.p) != snap {
				t.Error("the failed assessIncident changed the graph")
			}
		})
	}

	t.Run("CategoryCannotBeTypedIn", func(t *testing.T) {
		r := e.do(t, e.analyst, fmt.Sprintf(`mutation { assessIncident(input: {analysisId: %q, incidentId: %q, axis1: 1, axis2: 1, category: 4}) { id } }`, id, e.s.Incidents[0]), nil)
		wantError(t, r, "GRAPHQL_VALIDATION_FAILED", "")
		if neo4jtest.Snapshot(t, e.p) != snap {
			t.Error("changed the graph")
		}
	})

	t.Run("Authorization", func(t *testing.T) {
		public := e.p + "an-public"
		e.create(t, map[string]any{"id": public, "visibility": "PUBLIC"})
		snap := neo4jtest.Snapshot(t, e.p)
		for _, tt := range []struct{ name, token, analysis, code string }{
			{"Anonymous", "", public, "UNAUTHENTICATED"},
			{"Viewer", e.viewer, public, "FORBIDDEN"},
			{"OtherOrganizationOnPublic", e.other, public, "FORBIDDEN"},
			{"OtherOrganizationOnPrivate", e.other, id, "NOT_FOUND"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantError(t, e.do(t, tt.token, assessDoc, map[string]any{"in": e.simpleAssessment(tt.analysis, e.s.Incidents[0])}), tt.code, "")
				if neo4jtest.Snapshot(t, e.p) != snap {
					t.Error("the refused assessIncident changed the graph")
				}
			})
		}
	})
}

func TestAssessIncidentDerivesCategoryFromRules(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	id := e.p + "an"
	e.create(t, map[string]any{"id": id})
	type rule struct{ Axis1Rank, Axis2Rank, Category int }
	rules := func() map[[2]int]int {
		var got struct{ CategoryRules []rule }
		e.must(t, "", `{ categoryRules { axis1Rank axis2Rank category } }`, nil, &got)
		m := map[[2]int]int{}
		for _, r := range got.CategoryRules {
			m[[2]int{r.Axis1Rank, r.Axis2Rank}] = r.Category
		}
		return m
	}
	before := rules()
	if len(before) < 4 {
		t.Fatalf("only %d category rules", len(before))
	}
	distinct := map[int]bool{}
	for pair := range before {
		res := e.assess(t, e.analyst, map[string]any{"analysisId": id, "incidentId": e.s.Incidents[0], "axis1": pair[0], "axis2": pair[1]})
		// Another test may change a rule meanwhile: the category is the
		// rule's before or after the assessment.
		if res.Category != before[pair] && res.Category != rules()[pair] {
			t.Errorf("axis1 %d, axis2 %d: category %d, the rule says %d", pair[0], pair[1], res.Category, before[pair])
		}
		a := e.readAnalysis(t, e.analyst, id)
		if len(a.Assessments) != 1 || a.Assessments[0].Category != res.Category || a.Assessments[0].ID != res.ID {
			t.Errorf("read back %+v, want one assessment of category %d", a.Assessments, res.Category)
		}
		distinct[res.Category] = true
	}
	if len(distinct) < 2 {
		t.Errorf("the rules gave only categories %v; the test cannot tell derivation from a constant", distinct)
	}
}

func TestDeleteAnalysis(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	id := e.p + "an"
	e.create(t, map[string]any{"id": id})
	s1 := e.assess(t, e.analyst, e.simpleAssessment(id, e.s.Incidents[0]))
	in := e.simpleAssessment(id, e.s.Incidents[1])
	in["treatments"] = []any{map[string]any{"measureId": e.s.Measures[0], "status": "PLANNED"}, map[string]any{"measureId": e.s.Measures[1], "status": "PLANNED"}}
	e.assess(t, e.analyst, in)
	keep := e.p + "an-keep"
	e.create(t, map[string]any{"id": keep})
	e.assess(t, e.analyst, e.simpleAssessment(keep, e.s.Incidents[0]))

	t.Run("Authorization", func(t *testing.T) {
		snap := neo4jtest.Snapshot(t, e.p)
		for _, tt := range []struct{ name, token, code string }{
			{"Anonymous", "", "UNAUTHENTICATED"},
			{"Viewer", e.viewer, "FORBIDDEN"},
			{"OtherOrganization", e.other, "NOT_FOUND"},
		} {
			wantError(t, e.do(t, tt.token, deleteAnalysisDoc, map[string]any{"id": id}), tt.code, "")
		}
		wantError(t, e.do(t, e.analyst, deleteAnalysisDoc, map[string]any{"id": e.p + "nope"}), "NOT_FOUND", "id")
		if neo4jtest.Snapshot(t, e.p) != snap {
			t.Error("a refused deleteAnalysis changed the graph")
		}
	})

	var got struct{ DeleteAnalysis string }
	e.must(t, e.analyst, deleteAnalysisDoc, map[string]any{"id": id}, &got)
	if got.DeleteAnalysis != id {
		t.Errorf("deleteAnalysis returned %q", got.DeleteAnalysis)
	}
	if a := e.readAnalysis(t, e.analyst, id); a != nil {
		t.Errorf("analysis still readable: %+v", a)
	}
	var node struct{ Node *idJSON }
	e.must(t, e.analyst, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": s1.ID}, &node)
	if node.Node != nil {
		t.Errorf("assessment %s still found", s1.ID)
	}
	rows := neo4jtest.AnalysisExec(t, `
RETURN COUNT { MATCH (n) WHERE n.id STARTS WITH $a } AS gone,
  COUNT { MATCH (:Analysis {id: $id}) } AS analysis,
  COUNT { MATCH (x:Entity) WHERE x.id IN $kept } AS kept,
  COUNT { MATCH (s:Assessment {analysisId: $keep}) } AS other`,
		map[string]any{"a": id + ":", "id": id, "kept": []string{e.s.Incidents[0], e.s.Threats[0], e.s.Measures[0], e.s.Measures[1], e.s.Assets[0]}, "keep": keep})
	if r := rows[0]; r["gone"] != int64(0) || r["analysis"] != int64(0) || r["kept"] != int64(5) || r["other"] != int64(1) {
		t.Errorf("after delete: %v (assessments and treatments of the analysis must go; catalog, target nodes and the other analysis stay)", r)
	}
}

func TestRemoveAssessment(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	id := e.p + "an"
	e.create(t, map[string]any{"id": id})
	s1 := e.assess(t, e.analyst, e.simpleAssessment(id, e.s.Incidents[0]))
	s2 := e.assess(t, e.analyst, e.simpleAssessment(id, e.s.Incidents[1]))

	snap := neo4jtest.Snapshot(t, e.p)
	for _, tt := range []struct{ name, token, id, code, field string }{
		{"Anonymous", "", s1.ID, "UNAUTHENTICATED", ""},
		{"Viewer", e.viewer, s1.ID, "FORBIDDEN", ""},
		{"OtherOrganization", e.other, s1.ID, "NOT_FOUND", "id"},
		{"Unknown", e.analyst, e.p + "nope", "NOT_FOUND", "id"},
		{"NotAnAssessment", e.analyst, id, "NOT_FOUND", "id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.do(t, tt.token, removeDoc, map[string]any{"id": tt.id}), tt.code, tt.field)
			if neo4jtest.Snapshot(t, e.p) != snap {
				t.Error("a refused removeAssessment changed the graph")
			}
		})
	}

	var got struct{ RemoveAssessment string }
	e.must(t, e.analyst, removeDoc, map[string]any{"id": s1.ID}, &got)
	if got.RemoveAssessment != s1.ID {
		t.Errorf("removeAssessment returned %q", got.RemoveAssessment)
	}
	a := e.readAnalysis(t, e.analyst, id)
	if len(a.Assessments) != 1 || a.Assessments[0].ID != s2.ID {
		t.Errorf("assessments after removing %s: %+v", s1.ID, a.Assessments)
	}
	rows := neo4jtest.AnalysisExec(t, `RETURN COUNT { MATCH (n) WHERE n.id STARTS WITH $s } AS n, COUNT { MATCH (:Incident {id: $i}) } AS incident`,
		map[string]any{"s": s1.ID, "i": e.s.Incidents[0]})
	if rows[0]["n"] != int64(0) || rows[0]["incident"] != int64(1) {
		t.Errorf("after remove: %v (the assessment and its treatments go, the incident stays)", rows[0])
	}
}

func TestSetAnalysisPolicies(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	id := e.p + "an"
	e.create(t, map[string]any{"id": id})
	type result struct {
		SetAnalysisPolicies struct {
			ID       string
			Policies []idJSON
		}
	}
	var got result
	e.must(t, e.analyst, policiesDoc, map[string]any{"id": id, "ids": []any{e.s.Policies[1], e.s.Policies[0], e.s.Policies[1]}}, &got)
	if want := []idJSON{{e.s.Policies[0]}, {e.s.Policies[1]}}; !slices.Equal(got.SetAnalysisPolicies.Policies, want) {
		t.Errorf("policies %v, want %v", got.SetAnalysisPolicies.Policies, want)
	}
	if a := e.readAnalysis(t, e.analyst, id); len(a.Policies) != 2 {
		t.Errorf("read back policies %v", a.Policies)
	}
	e.must(t, e.analyst, policiesDoc, map[string]any{"id": id, "ids": []any{e.s.Policies[1]}}, &got)
	if a := e.readAnalysis(t, e.analyst, id); !slices.Equal(a.Policies, []idJSON{{e.s.Policies[1]}}) {
		t.Errorf("after replacing: %v", a.Policies)
	}
	rows := neo4jtest.AnalysisExec(t, `MATCH (a:Analysis {id: $id}) RETURN [(a)-[:RELIES_ON]->(p:InsurancePolicy) | p.id] AS ps`, map[string]any{"id": id})
	if fmt.Sprint(rows[0]["ps"]) != "["+e.s.Policies[1]+"]" {
		t.Errorf("stored RELIES_ON %v", rows[0]["ps"])
	}

	// A policy held by another organization: the analysis may not rely on
	// it, answered as for one that does not exist.
	foreign := e.p + "policy-foreign"
	neo4jtest.AnalysisExec(t, `MATCH (o:Organization {id: $org})
CREATE (o)-[:HOLDS]->(:InsurancePolicy:Entity {id: $id, insurer: 'Insurer', holderId: $org, product: 'Cyber',
  periodStart: '2025-01-01', periodEnd: '2025-12-31', aggregateLimitJPY: 1.0e8})`, map[string]any{"org": e.s.ThirdOrg, "id": foreign})

	snap := neo4jtest.Snapshot(t, e.p)
	for _, tt := range []struct {
		name, token, id string
		ids             []any
		code, field     string
	}{
		{"UnknownPolicy", e.analyst, id, []any{e.s.Policies[0], e.p + "policy-nope"}, "NOT_FOUND", "policyIds.1"},
		{"AnotherOrganizationsPolicy", e.analyst, id, []any{e.s.Policies[0], foreign}, "NOT_FOUND", "policyIds.1"},
		{"NotAPolicy", e.analyst, id, []any{e.s.Target}, "NOT_FOUND", "policyIds.0"},
		{"MalformedPolicy", e.analyst, id, []any{hostile}, "BAD_USER_INPUT", "policyIds.0"},
		{"UnknownAnalysis", e.analyst, e.p + "nope", []any{}, "NOT_FOUND", "id"},
		{"Anonymous", "", id, []any{}, "UNAUTHENTICATED", ""},
		{"Viewer", e.viewer, id, []any{}, "FORBIDDEN", ""},
		{"OtherOrganization", e.other, id, []any{}, "NOT_FOUND", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.do(t, tt.token, policiesDoc, map[string]any{"id": tt.id, "ids": tt.ids}), tt.code, tt.field)
			if neo4jtest.Snapshot(t, e.p) != snap {
				t.Error("a failed setAnalysisPolicies changed the graph")
			}
		})
	}

	// The refusal names the policy as a missing one does.
	missing := e.do(t, e.analyst, policiesDoc, map[string]any{"id": id, "ids": []any{e.p + "policy-nope"}})
	other := e.do(t, e.analyst, policiesDoc, map[string]any{"id": id, "ids": []any{foreign}})
	if len(missing.Errors) == 0 || len(other.Errors) == 0 ||
		strings.ReplaceAll(other.Errors[0].Message, foreign, "X") != strings.ReplaceAll(missing.Errors[0].Message, e.p+"policy-nope", "X") {
		t.Errorf("another organization's policy answers %+v, a missing one %+v", other.Errors, missing.Errors)
	}

	e.must(t, e.analyst, policiesDoc, map[string]any{"id": id, "ids": []any{}}, &got)
	if len(got.SetAnalysisPolicies.Policies) != 0 {
		t.Errorf("after clearing: %v", got.SetAnalysisPolicies.Policies)
	}
}

func TestAnalysisSubmitEditConflictReviseEdit(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	v1 := e.p + "an"
	e.create(t, map[string]any{"id": v1, "title": "Shutter", "visibility": "SHARED", "sharedWithSectors": []any{e.s.OtherSector}, "sharedWithOrganizationIds": []any{e.s.ThirdOrg}})

	// An analysis without assessments cannot be submitted.
	wantError(t, e.do(t, e.analyst, submitDoc, map[string]any{"id": v1}), "BAD_USER_INPUT", "id")

	full := e.simpleAssessment(v1, e.s.Incidents[0])
	full["ownerDepartmentId"], full["estimatedLossJPY"], full["rationale"] = e.s.Dept, 5e6, "because"
	full["threats"] = []any{map[string]any{"id": e.s.Threats[0]}, map[string]any{"id": e.s.Threats[1]}}
	full["treatments"] = []any{map[string]any{"measureId": e.s.Measures[0], "status": "IMPLEMENTED"}, map[string]any{"measureId": e.s.Measures[1], "status": "PLANNED", "perspective": "P4"}}
	e.assess(t, e.analyst, full)
	e.assess(t, e.analyst, e.simpleAssessment(v1, e.s.Incidents[1]))
	e.must(t, e.analyst, policiesDoc, map[string]any{"id": v1, "ids": []any{e.s.Policies[0]}}, &struct{}{})

	// Authorization of submit and revise.
	for _, doc := range []string{submitDoc, reviseDoc} {
		wantError(t, e.do(t, "", doc, map[string]any{"id": v1}), "UNAUTHENTICATED", "")
		wantError(t, e.do(t, e.viewer, doc, map[string]any{"id": v1}), "FORBIDDEN", "")
		wantError(t, e.do(t, e.other, doc, map[string]any{"id": v1}), "FORBIDDEN", "") // shared with its sector: readable, not writable
		wantError(t, e.do(t, e.analyst, doc, map[string]any{"id": e.p + "nope"}), "NOT_FOUND", "id")
	}
	// A draft cannot be revised.
	wantError(t, e.do(t, e.analyst, reviseDoc, map[string]any{"id": v1}), "CONFLICT", "id")

	var submitted struct{ SubmitAnalysis analysisJSON }
	e.must(t, e.analyst, submitDoc, map[string]any{"id": v1}, &submitted)
	if s := submitted.SubmitAnalysis; s.Status != "SUBMITTED" || s.SubmittedAt == nil || s.Version != 1 {
		t.Fatalf("submitted: %+v", s)
	}
	before := e.readAnalysisRaw(t, e.analyst, v1)
	v1Read := e.readAnalysis(t, e.analyst, v1)
	if v1Read.Status != "SUBMITTED" || v1Read.SubmittedAt == nil || len(v1Read.Assessments) != 2 {
		t.Fatalf("v1 read back %+v", v1Read)
	}

	t.Run("EveryWriteToTheSubmittedVersionConflicts", func(t *testing.T) {
		snap := neo4jtest.Snapshot(t, e.p)
		for _, tt := range []struct {
			name, doc string
			vars      map[string]any
		}{
			{"Update", updateAnalysisDoc, map[string]any{"id": v1, "in": map[string]any{"title": "changed"}}},
			{"Delete", deleteAnalysisDoc, map[string]any{"id": v1}},
			{"Assess", assessDoc, map[string]any{"in": e.simpleAssessment(v1, e.s.Incidents[2])}},
			{"Reassess", assessDoc, map[string]any{"in": e.simpleAssessment(v1, e.s.Incidents[0])}},
			{"Remove", removeDoc, map[string]any{"id": v1Read.Assessments[0].ID}},
			{"SetPolicies", policiesDoc, map[string]any{"id": v1, "ids": []any{}}},
			{"MarkNotApplicable", markNADoc, map[string]any{"id": v1, "marks": naMarks(e.s.Clause, "not here")}},
			{"ClearNotApplicable", clearNADoc, map[string]any{"id": v1, "ids": []any{e.s.Clause}}},
			{"SubmitAgain", submitDoc, map[string]any{"id": v1}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do(t, e.analyst, tt.doc, tt.vars)
				wantError(t, r, "CONFLICT", "")
				if !strings.Contains(r.Errors[0].Message, "reviseAnalysis") {
					t.Errorf("message %q does not say to call reviseAnalysis", r.Errors[0].Message)
				}
				if neo4jtest.Snapshot(t, e.p) != snap {
					t.Error("a write to a submitted analysis changed the graph")
				}
			})
		}
	})

	var revised struct{ ReviseAnalysis analysisJSON }
	e.must(t, e.analyst, reviseDoc, map[string]any{"id": v1}, &revised)
	v2 := revised.ReviseAnalysis
	if v2.ID == v1 || v2.Status != "DRAFT" || v2.Version != 2 || v2.Supersedes == nil || v2.Supersedes.ID != v1 || v2.SubmittedAt != nil {
		t.Fatalf("revision %+v", v2)
	}
	if v2.Title != v1Read.Title || v2.Visibility != v1Read.Visibility || !slices.Equal(v2.SharedWithSectors, v1Read.SharedWithSectors) ||
		!slices.Equal(v2.SharedWithOrganizations, v1Read.SharedWithOrganizations) || v2.Organization != v1Read.Organization ||
		v2.Target != v1Read.Target || !slices.Equal(v2.Policies, v1Read.Policies) {
		t.Errorf("revision %+v does not carry v1's %+v", v2, v1Read)
	}
	if len(v2.Assessments) != len(v1Read.Assessments) {
		t.Fatalf("revision has %d assessments, v1 %d", len(v2.Assessments), len(v1Read.Assessments))
	}
	for i, s := range v2.Assessments {
		old := v1Read.Assessments[i]
		if s.ID == old.ID || s.Analysis.ID != v2.ID {
			t.Errorf("copied assessment %s (analysis %s): want a new id and the new analysis", s.ID, s.Analysis.ID)
		}
		s.ID, s.Analysis, old.ID, old.Analysis = "", idJSON{}, "", idJSON{}
		if a, b := mustJSON(t, s), mustJSON(t, old); a != b {
			t.Errorf("copied assessment differs:\n got %s\nwant %s", a, b)
		}
	}
	rows := neo4jtest.AnalysisExec(t, `
MATCH (n:Analysis {id: $v2})-[:SUPERSEDES]->(o:Analysis {id: $v1}), (org:Organization)-[:AUTHORED]->(n)-[:ANALYZES]->(t:Target)
RETURN n.supersedesId AS supersedes, org.id AS org, t.id AS target, [(n)-[:SHARED_WITH]->(x) | x.id] AS shared,
  [(n)-[:HAS_ASSESSMENT]->(s)-[:TREATED_BY]->(tr:Treatment:Entity) WHERE tr.assessmentId = s.id | tr.id] AS treatments`,
		map[string]any{"v1": v1, "v2": v2.ID})
	if len(rows) != 1 || rows[0]["supersedes"] != v1 || rows[0]["org"] != e.s.Org || rows[0]["target"] != e.s.Target ||
		fmt.Sprint(rows[0]["shared"]) != "["+e.s.ThirdOrg+"]" || len(rows[0]["treatments"].([]any)) != 3 {
		t.Errorf("stored revision %v", rows)
	}

	// v1 may not be revised twice; v2 is a draft and may not be revised.
	wantError(t, e.do(t, e.analyst, reviseDoc, map[string]any{"id": v1}), "CONFLICT", "id")
	wantError(t, e.do(t, e.analyst, reviseDoc, map[string]any{"id": v2.ID}), "CONFLICT", "id")

	// The new draft takes edits.
	var upd struct{ UpdateAnalysis analysisJSON }
	e.must(t, e.analyst, updateAnalysisDoc, map[string]any{"id": v2.ID, "in": map[string]any{"title": "Shutter, revised"}}, &upd)
	e.assess(t, e.analyst, e.simpleAssessment(v2.ID, e.s.Incidents[2]))
	re := e.simpleAssessment(v2.ID, e.s.Incidents[0])
	re["axis1"], re["axis2"] = 4, 4
	e.assess(t, e.analyst, re)
	e.must(t, e.analyst, removeDoc, map[string]any{"id": v2.Assessments[1].ID}, &struct{}{})
	e.must(t, e.analyst, policiesDoc, map[string]any{"id": v2.ID, "ids": []any{e.s.Policies[1]}}, &struct{}{})
	got := e.readAnalysis(t, e.analyst, v2.ID)
	if got.Title != "Shutter, revised" || len(got.Assessments) != 2 || got.Assessments[0].Axis1.Rank != 4 || got.Assessments[1].Incident.ID != e.s.Incidents[2] {
		t.Errorf("edited revision %+v", got)
	}

	// Version 1 is still readable and unchanged.
	if after := e.readAnalysisRaw(t, e.analyst, v1); after != before {
		t.Errorf("version 1 changed:\nbefore %s\n after %s", before, after)
	}
	// And readable by whom it is shared with.
	if e.readAnalysis(t, e.other, v1) == nil {
		t.Error("v1 is not readable by the sector it is shared with")
	}

	// Submitting v2 and revising again makes v3 with a fresh id.
	e.must(t, e.analyst, submitDoc, map[string]any{"id": v2.ID}, &submitted)
	e.must(t, e.analyst, reviseDoc, map[string]any{"id": v2.ID}, &revised)
	if v3 := revised.ReviseAnalysis; v3.Version != 3 || v3.Supersedes.ID != v2.ID || v3.ID == v2.ID || v3.ID == v1 || len(v3.Assessments) != 2 {
		t.Errorf("v3 %+v", v3)
	}
	// A draft revision can be deleted; its version stays revisable.
	e.must(t, e.analyst, deleteAnalysisDoc, map[string]any{"id": revised.ReviseAnalysis.ID}, &struct{}{})
	e.must(t, e.analyst, reviseDoc, map[string]any{"id": v2.ID}, &revised)
	if revised.ReviseAnalysis.Version != 3 {
		t.Errorf("revising again after deleting the draft: %+v", revised.ReviseAnalysis)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAnalysisVisibility(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	private, bySector, byOrg, public := e.p+"an-private", e.p+"an-sector", e.p+"an-org", e.p+"an-public"
	e.create(t, map[string]any{"id": private, "visibility": "PRIVATE"})
	e.create(t, map[string]any{"id": bySector, "visibility": "SHARED", "sharedWithSectors": []any{e.s.OtherSector}})
	e.create(t, map[string]any{"id": byOrg, "visibility": "SHARED", "sharedWithOrganizationIds": []any{e.s.ThirdOrg}})
	e.create(t, map[string]any{"id": public, "visibility": "PUBLIC"})
	privAssessment := e.assess(t, e.analyst, e.simpleAssessment(private, e.s.Incidents[0]))

	const doc = `query($id: ID!, $t: ID!) {
  analysis(id: $id) { id }
  node(id: $id) { id }
  analyses(targetId: $t) { nodes { id } totalCount }
  target(id: $t) { analyses { id } }
}`
	type reads struct {
		Analysis *idJSON
		Node     *idJSON
		Analyses struct {
			Nodes      []idJSON
			TotalCount int
		}
		Target struct{ Analyses []idJSON }
	}
	for _, tt := range []struct {
		name, token string
		sees        map[string]bool
	}{
		{"Author", e.analyst, map[string]bool{private: true, bySector: true, byOrg: true, public: true}},
		{"ViewerOfTheAuthor", e.viewer, map[string]bool{private: true, bySector: true, byOrg: true, public: true}},
		{"OrganizationOfTheSharedSector", e.other, map[string]bool{bySector: true, public: true}},
		{"SharedOrganization", e.third, map[string]bool{byOrg: true, public: true}},
		{"Anonymous", "", map[string]bool{public: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var want []idJSON
			for _, id := range []string{byOrg, private, public, bySector} {
				if tt.sees[id] {
					want = append(want, idJSON{id})
				}
			}
			for _, id := range []string{private, bySector, byOrg, public} {
				var got reads
				e.must(t, tt.token, doc, map[string]any{"id": id, "t": e.s.Target}, &got)
				sees := tt.sees[id]
				if (got.Analysis != nil) != sees || (got.Node != nil) != sees {
					t.Errorf("%s: analysis(id) %v, node(id) %v; want visible=%v", id, got.Analysis, got.Node, sees)
				}
				if !slices.Equal(got.Analyses.Nodes, want) || got.Analyses.TotalCount != len(want) {
					t.Errorf("analyses(targetId) = %v (total %d), want %v", got.Analyses.Nodes, got.Analyses.TotalCount, want)
				}
				if !slices.Equal(got.Target.Analyses, want) {
					t.Errorf("target.analyses = %v, want %v", got.Target.Analyses, want)
				}
			}
			var n struct{ Node *idJSON }
			e.must(t, tt.token, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": privAssessment.ID}, &n)
			if (n.Node != nil) != tt.sees[private] {
				t.Errorf("node(assessment of the private analysis) = %v, want visible=%v", n.Node, tt.sees[private])
			}
		})
	}
}

func TestAnalysisConcurrentWrites(t *testing.T) {
	t.Parallel()
	e := newAnalysisEnv(t)
	id := e.p + "an"
	e.create(t, map[string]any{"id": id})
	const n = 6
	var wg sync.WaitGroup
	codes := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := e.simpleAssessment(id, e.s.Incidents[0])
			in["axis1"] = 1 + i%4
			codes[i] = e.do(t, e.analyst, assessDoc, map[string]any{"in": in}).code()
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != "" {
			t.Errorf("assessIncident %d failed with %s", i, c)
		}
	}
	rows := neo4jtest.AnalysisExec(t, `MATCH (:Analysis {id: $id})-[:HAS_ASSESSMENT]->(s:Assessment {incidentId: $i})
RETURN count(s) AS n, COUNT { MATCH (tr:Treatment) WHERE tr.id STARTS WITH $id } AS treatments`, map[string]any{"id": id, "i": e.s.Incidents[0]})
	if rows[0]["n"] != int64(1) || rows[0]["treatments"] != int64(1) {
		t.Errorf("after %d concurrent assessments of one incident: %v, want one assessment with one treatment", n, rows[0])
	}

	e.must(t, e.analyst, submitDoc, map[string]any{"id": id}, &struct{}{})
	revised := make([]gqlResponse, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			revised[i] = e.do(t, e.analyst, reviseDoc, map[string]any{"id": id})
		}()
	}
	wg.Wait()
	ok := 0
	for _, r := range revised {
		switch r.code() {
		case "":
			ok++
		case "CONFLICT":
		default:
			t.Errorf("reviseAnalysis: %+v", r.Errors)
		}
	}
	rows = neo4jtest.AnalysisExec(t, `MATCH (n:Analysis)-[:SUPERSEDES]->(:Analysis {id: $id}) RETURN count(n) AS n`, map[string]any{"id": id})
	if ok != 1 || rows[0]["n"] != int64(1) {
		t.Errorf("%d concurrent revisions succeeded and %v versions supersede v1; want exactly one", ok, rows[0]["n"])
	}
}
