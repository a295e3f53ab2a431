package resolvers_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// The rights table test: README.md's "Who may do what" table is the
// expectation, and TestRightsTable runs every cell of it (every root query,
// mutation and subscription, importDocument once per format) over real HTTP
// and websockets. Adding an operation to the schema fails the test until
// the table has a row for it and rightsOps a call document.

// rightsHeading introduces the table in README.md.
const rightsHeading = "### Who may do what"

// rightsColumn is a column of the table: a caller by role and organization
// ("own": the organization that owns what the call is about; "other":
// another one; "committee" and "ops" are the curator's and the admin's own
// organizations, which own nothing the calls are about).
type rightsColumn struct {
	name string
	org  string
	role model.Role
}

// rightsColumns are the table's columns after the operation, in order.
var rightsColumns = []rightsColumn{
	{"anonymous", "", ""},
	{"viewer (own)", "own", model.RoleViewer},
	{"analyst (own)", "own", model.RoleAnalyst},
	{"org-admin (own)", "own", model.RoleOrgAdmin},
	{"analyst (other)", "other", model.RoleAnalyst},
	{"org-admin (other)", "other", model.RoleOrgAdmin},
	{"curator", "committee", model.RoleCurator},
	{"admin", "ops", model.RoleAdmin},
}

// The cells' words: allowed (and, when the row is about a private object,
// showing it); refused with a denying code and no data; answered without
// the private object.
const (
	rightsYes    = "yes"
	rightsNo     = "no"
	rightsHidden = "hidden"
)

// rightsDenied are the codes of a refusal.
var rightsDenied = []string{
	resolvers.ExtCode(model.EUNAUTHENTICATED), resolvers.ExtCode(model.EFORBIDDEN), resolvers.ExtCode(model.ENOTFOUND),
}

// rightsOp is how the test calls one row's operation.
type rightsOp struct {
	// doc is the GraphQL document; it must name the row's field once.
	doc string
	// vars returns the document's variables (nil for none). It runs before
	// every cell's call, creating what a destructive call needs afresh
	// under the cell's prefix (c.id), and may set c.about (the private
	// object a query's answer must show for "yes"), c.token (the caller,
	// for a call about a fresh organization) and c.watch.
	vars func(c *rightsCell) map[string]any
	// subscribed runs once a subscription has been sent (feedbackAdded:
	// to submit the feedback it should or should not see).
	subscribed func(c *rightsCell)
}

// rightsWorld is what the rows share: the owning and the other
// organization, a token per column, a target with an incident, two
// guidelines with a mapped clause each, the owning organization's private
// draft analysis (with an assessment) and a second draft, its insurance
// policy and feedback about the draft routed to it.
type rightsWorld struct {
	*testEnv
	p                        string // the world's id prefix (testEnv.p and more)
	own, other, sector       string
	tokens                   []string // by column
	target, incident         string
	guideline, guideline2    string
	clause, clause2          string
	draft, draft2            string
	policy, feedback, marker string // marker: a word only the draft's title holds
}

// rightsCell is one call: a row's operation as one column's caller.
type rightsCell struct {
	*rightsWorld
	t     *testing.T
	col   rightsColumn
	n     string // the cell's id prefix
	token string
	about string
	// public is, for feedbackAdded, feedback every caller may read: an
	// event with it before one with about means the caller does not see
	// about. Events with neither (other rows' feedback) are skipped.
	public string
	watch  []string // ids outside the test's prefix a refused call must leave alone
}

// id returns a fresh id under the cell's prefix.
func (c *rightsCell) id(name string) string { return c.n + name }

// tok returns the token of the column named name.
func (w *rightsWorld) tok(name string) string {
	for i, c := range rightsColumns {
		if c.name == name {
			return w.tokens[i]
		}
	}
	panic("no column " + name)
}

// as runs a request that must succeed as the caller of column name and
// returns its data.
func (c *rightsCell) as(name, doc string, vars map[string]any) map[string]any {
	c.t.Helper()
	var data map[string]any
	c.must(c.t, c.tok(name), doc, vars, &data)
	return data
}

// dig returns the string at path in decoded JSON.
func dig(v any, path ...string) string {
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// Fresh objects, created through the API by a caller who may.

// The target, its assets and its incidents are created by an analyst of
// the owning organization, so that they are "own" wherever targets get
// an owner.

func (c *rightsCell) freshTarget() string {
	return dig(c.as("analyst (own)", `mutation($in: TargetInput!) { createTarget(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"id": c.id("target"), "name": "Target", "sector": c.sector}}), "createTarget", "id")
}

func (c *rightsCell) freshAsset(name string) string {
	return dig(c.as("analyst (own)", `mutation($in: AssetInput!) { createAsset(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"id": c.id(name), "targetId": c.target, "name": name, "kind": "component"}}), "createAsset", "id")
}

func (c *rightsCell) freshIncident() string {
	return dig(c.as("analyst (own)", `mutation($in: IncidentInput!) { createIncident(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"id": c.id("incident"), "targetId": c.target, "name": "Fire", "consequence": "property"}}), "createIncident", "id")
}

// freshThreat, freshMeasure, freshGuideline and freshClause add catalog
// entries as the owning organization's analyst, which owns them.
func (c *rightsCell) freshThreat() string {
	return dig(c.as("analyst (own)", `mutation($in: ThreatInput!) { createThreat(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"id": c.id("threat"), "name": "Threat", "kind": "failure"}}), "createThreat", "id")
}

func (c *rightsCell) freshMeasure() string {
	return dig(c.as("analyst (own)", `mutation($in: MeasureInput!) { createMeasure(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"id": c.id("measure"), "name": "Measure", "perspective": "P1", "kind": "technical"}}), "createMeasure", "id")
}

func (c *rightsCell) freshGuideline() string {
	return dig(c.as("analyst (own)", `mutation($in: GuidelineInput!) { createGuideline(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"id": c.id("guideline"), "title": "Guideline " + c.n, "publisher": "Tester", "version": "1"}}), "createGuideline", "id")
}

func (c *rightsCell) freshClause(guideline string) string {
	return dig(c.as("analyst (own)", `mutation($in: ClauseInput!) { createClause(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"id": c.id("clause"), "guidelineId": guideline, "ref": c.n, "title": "Clause"}}), "createClause", "id")
}

// freshDraft creates a private draft of the owning organization, with an
// assessment of the world's incident when assessed, and returns its id and
// the assessment's.
func (c *rightsCell) freshDraft(assessed bool) (string, string) {
	id := dig(c.as("analyst (own)", `mutation($in: AnalysisInput!) { createAnalysis(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"id": c.id("analysis"), "targetId": c.target, "title": "Fresh"}}), "createAnalysis", "id")
	if !assessed {
		return id, ""
	}
	s := dig(c.as("analyst (own)", `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"analysisId": id, "incidentId": c.incident, "axis1": 2, "axis2": 2}}), "assessIncident", "id")
	return id, s
}

func (w *rightsWorld) policyInput(id string) map[string]any {
	return map[string]any{"id": id, "insurer": "Insurer", "holderId": w.own, "product": "Cyber", "periodStart": "2026-04-01",
		"periodEnd": "2027-03-31", "aggregateLimitJPY": 1e8, "lines": []any{map[string]any{"id": id + "-bi", "type": "business-interruption", "limitJPY": 5e7}}}
}

func (c *rightsCell) freshPolicy() string {
	return dig(c.as("analyst (own)", `mutation($in: InsurancePolicyInput!) { createInsurancePolicy(input: $in) { id } }`,
		map[string]any{"in": c.policyInput(c.id("policy"))}), "createInsurancePolicy", "id")
}

// submitFeedback submits feedback about about as the caller of column name
// and returns its id.
func (c *rightsCell) submitFeedback(name, about string) string {
	return dig(c.as(name, `mutation($in: FeedbackInput!) { submitFeedback(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"kind": "NEW_RISK", "text": "A risk " + c.n, "aboutId": about}}), "submitFeedback", "id")
}

// importVars are importDocument's variables for a document read from
// ingest/testdata, as a dry run: catalogs and crosswalks have ids of their
// own, outside any test prefix, so these rows only check who may start
// the import (which is checked before the dry-run flag is).
func importVars(format, file string) func(c *rightsCell) map[string]any {
	return func(c *rightsCell) map[string]any {
		b, err := os.ReadFile(filepath.Join("..", "ingest", "testdata", file))
		if err != nil {
			c.t.Fatal(err)
		}
		return map[string]any{"f": format, "c": string(b), "d": true}
	}
}

const rightsImport = `mutation($f: ImportFormat, $c: String!, $d: Boolean) { importDocument(format: $f, content: $c, dryRun: $d) { format } }`

// rightsOps are the call documents by row of the README table.
var rightsOps = map[string]rightsOp{
	// Root queries: read-only, on the shared world.
	"serverInfo": {doc: `{ serverInfo { version } }`},
	"viewer":     {doc: `{ viewer { role } }`},
	"node": {doc: `query($id: ID!) { node(id: $id) { id } }`, vars: func(c *rightsCell) map[string]any {
		c.about = c.draft
		return map[string]any{"id": c.draft}
	}},
	"nodes": {doc: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: func(c *rightsCell) map[string]any {
		c.about = c.draft
		return map[string]any{"ids": []string{c.target, c.draft}}
	}},
	"tokens": {doc: `query($o: ID) { tokens(organizationId: $o) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"o": c.own}
	}},
	"organizations": {doc: `{ organizations(first: 1) { totalCount } }`},
	"sectors":       {doc: `{ sectors { name } }`},
	"targets":       {doc: `{ targets(first: 1) { totalCount } }`},
	"target": {doc: `query($id: ID!) { target(id: $id) { id } }`, vars: func(c *rightsCell) map[string]any {
		c.about = c.target
		return map[string]any{"id": c.target}
	}},
	"threats":    {doc: `{ threats(first: 1) { totalCount } }`},
	"measures":   {doc: `{ measures(first: 1) { totalCount } }`},
	"guidelines": {doc: `{ guidelines(first: 1) { totalCount } }`},
	"guideline": {doc: `query($id: ID!) { guideline(id: $id) { id } }`, vars: func(c *rightsCell) map[string]any {
		c.about = c.guideline
		return map[string]any{"id": c.guideline}
	}},
	"analyses": {doc: `query($t: ID) { analyses(targetId: $t) { nodes { id } } }`, vars: func(c *rightsCell) map[string]any {
		c.about = c.draft
		return map[string]any{"t": c.target}
	}},
	"analysis": {doc: `query($id: ID!) { analysis(id: $id) { id } }`, vars: func(c *rightsCell) map[string]any {
		c.about = c.draft
		return map[string]any{"id": c.draft}
	}},
	"insurancePolicies": {doc: `query($h: ID) { insurancePolicies(holderId: $h) { nodes { id } } }`, vars: func(c *rightsCell) map[string]any {
		c.about = c.policy
		return map[string]any{"h": c.own}
	}},
	"feedback": {doc: `query($r: ID) { feedback(routedToId: $r) { nodes { id } } }`, vars: func(c *rightsCell) map[string]any {
		c.about = c.feedback
		return map[string]any{"r": c.own}
	}},
	"search": {doc: `query($q: String!) { search(text: $q) { node { id } } }`, vars: func(c *rightsCell) map[string]any {
		c.about = c.draft
		return map[string]any{"q": c.marker}
	}},
	"axisScales":    {doc: `{ axisScales { id } }`},
	"perspectives":  {doc: `{ perspectives { code } }`},
	"categoryRules": {doc: `{ categoryRules { category } }`},
	"compareAnalyses": {doc: `query($t: ID!) { compareAnalyses(targetId: $t, includeDrafts: true) { analyses { analysis { id } } } }`,
		vars: func(c *rightsCell) map[string]any {
			c.about = c.draft
			return map[string]any{"t": c.target}
		}},
	"diffAnalyses": {doc: `query($a: ID!, $b: ID!) { diffAnalyses(a: $a, b: $b) { __typename } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"a": c.draft, "b": c.draft2}
	}},
	"auditLog": {doc: `query($o: ID) { auditLog(organizationId: $o, first: 1) { __typename } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"o": c.own}
	}},
	"guidelineCoverage": {doc: `query($a: ID!, $g: ID!) { guidelineCoverage(analysisId: $a, guidelineId: $g) { __typename } }`,
		vars: func(c *rightsCell) map[string]any { return map[string]any{"a": c.draft, "g": c.guideline} }},
	"crosswalk": {doc: `query($f: ID!, $to: ID!) { crosswalk(fromGuidelineId: $f, toGuidelineId: $to) { __typename } }`,
		vars: func(c *rightsCell) map[string]any { return map[string]any{"f": c.guideline, "to": c.guideline2} }},
	"dueCareReport": {doc: `query($a: ID!, $g: [ID!]!) { dueCareReport(analysisId: $a, guidelineIds: $g) { __typename } }`,
		vars: func(c *rightsCell) map[string]any { return map[string]any{"a": c.draft, "g": []string{c.guideline}} }},
	"insuranceGaps": {doc: `query($a: ID!) { insuranceGaps(analysisId: $a) { __typename } }`,
		vars: func(c *rightsCell) map[string]any { return map[string]any{"a": c.draft} }},
	"feedbackSummary": {doc: `query($t: ID) { feedbackSummary(targetId: $t) { __typename } }`,
		vars: func(c *rightsCell) map[string]any { return map[string]any{"t": c.target} }},

	// People.
	"createOrganization": {doc: `mutation($in: OrganizationInput!) { createOrganization(input: $in) { id } }`,
		vars: func(c *rightsCell) map[string]any {
			return map[string]any{"in": map[string]any{"id": c.id("org"), "name": "New", "sector": c.sector}}
		}},
	"updateOrganization": {doc: `mutation($id: ID!, $in: OrganizationInput!) { updateOrganization(id: $id, input: $in) { id } }`,
		vars: func(c *rightsCell) map[string]any {
			// The stored values: the native import row needs them as they are.
			return map[string]any{"id": c.own, "in": map[string]any{"name": c.own, "sector": c.sector}}
		}},
	"deleteOrganization": {doc: `mutation($id: ID!) { deleteOrganization(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		org := neo4jtest.Org(c.t, c.id("org"), c.sector)
		if c.col.org == "own" { // the caller belongs to the organization it deletes
			c.token = c.testEnv.token(c.t, org, c.col.role)
		}
		return map[string]any{"id": org}
	}},
	"createDepartment": {doc: `mutation($in: DepartmentInput!) { createDepartment(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"id": c.id("dept"), "organizationId": c.own, "name": "Service"}}
	}},
	"updateDepartment": {doc: `mutation($id: ID!) { updateDepartment(id: $id, name: "Renamed") { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": neo4jtest.NewFeedbackFixtures(c.t).Department(c.id("dept"), c.own)}
	}},
	"deleteDepartment": {doc: `mutation($id: ID!) { deleteDepartment(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": neo4jtest.NewFeedbackFixtures(c.t).Department(c.id("dept"), c.own)}
	}},
	"revokeToken": {doc: `mutation($id: ID!) { revokeToken(id: $id) { id } }`, vars: func(c *rightsCell) map[string]any {
		sum := sha256.Sum256([]byte(c.testEnv.token(c.t, c.own, model.RoleViewer)))
		id := hex.EncodeToString(sum[:])[:16]
		c.watch = append(c.watch, id)
		return map[string]any{"id": id}
	}},

	// Targets and their assets and incidents.
	"createTarget": {doc: `mutation($in: TargetInput!) { createTarget(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"id": c.id("target"), "name": "Target", "sector": c.sector}}
	}},
	"updateTarget": {doc: `mutation($id: ID!, $in: TargetInput!) { updateTarget(id: $id, input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshTarget(), "in": map[string]any{"name": "Renamed", "sector": c.sector}}
	}},
	"deleteTarget": {doc: `mutation($id: ID!) { deleteTarget(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshTarget()}
	}},
	"createAsset": {doc: `mutation($in: AssetInput!) { createAsset(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"id": c.id("asset"), "targetId": c.target, "name": "Gateway", "kind": "component"}}
	}},
	"updateAsset": {doc: `mutation($id: ID!, $in: AssetInput!) { updateAsset(id: $id, input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshAsset("asset"), "in": map[string]any{"targetId": c.target, "name": "Renamed", "kind": "component"}}
	}},
	"deleteAsset": {doc: `mutation($id: ID!) { deleteAsset(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshAsset("asset")}
	}},
	"connectAssets": {doc: `mutation($a: ID!, $b: ID!) { connectAssets(fromId: $a, toId: $b) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"a": c.freshAsset("from"), "b": c.freshAsset("to")}
	}},
	"disconnectAssets": {doc: `mutation($a: ID!, $b: ID!) { disconnectAssets(fromId: $a, toId: $b) { id } }`, vars: func(c *rightsCell) map[string]any {
		v := map[string]any{"a": c.freshAsset("from"), "b": c.freshAsset("to")}
		c.as("analyst (own)", `mutation($a: ID!, $b: ID!) { connectAssets(fromId: $a, toId: $b) { id } }`, v)
		return v
	}},
	"createIncident": {doc: `mutation($in: IncidentInput!) { createIncident(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"id": c.id("incident"), "targetId": c.target, "name": "Fire", "consequence": "property"}}
	}},
	"updateIncident": {doc: `mutation($id: ID!, $in: IncidentInput!) { updateIncident(id: $id, input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshIncident(), "in": map[string]any{"targetId": c.target, "name": "Renamed", "consequence": "property"}}
	}},
	"deleteIncident": {doc: `mutation($id: ID!) { deleteIncident(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshIncident()}
	}},

	// Catalogs.
	"createThreat": {doc: `mutation($in: ThreatInput!) { createThreat(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"id": c.id("threat"), "name": "Jamming", "kind": "failure"}}
	}},
	"updateThreat": {doc: `mutation($id: ID!, $in: ThreatInput!) { updateThreat(id: $id, input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshThreat(), "in": map[string]any{"name": "Renamed", "kind": "failure"}}
	}},
	"deleteThreat": {doc: `mutation($id: ID!) { deleteThreat(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": neo4jtest.NewFeedbackFixtures(c.t).Threat(c.id("threat"))}
	}},
	"createMeasure": {doc: `mutation($in: MeasureInput!) { createMeasure(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"id": c.id("measure"), "name": "Sensor", "perspective": "P1", "kind": "technical"}}
	}},
	"updateMeasure": {doc: `mutation($id: ID!, $in: MeasureInput!) { updateMeasure(id: $id, input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshMeasure(), "in": map[string]any{"name": "Renamed", "perspective": "P1", "kind": "technical"}}
	}},
	"deleteMeasure": {doc: `mutation($id: ID!) { deleteMeasure(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshMeasure()}
	}},
	"linkThreatToMeasure": {doc: `mutation($t: ID!, $m: ID!) { linkThreatToMeasure(threatId: $t, measureId: $m) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"t": neo4jtest.NewFeedbackFixtures(c.t).Threat(c.id("threat")), "m": c.freshMeasure()}
	}},
	"createGuideline": {doc: `mutation($in: GuidelineInput!) { createGuideline(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"id": c.id("guideline"), "title": "G " + c.n, "publisher": "Tester", "version": "1"}}
	}},
	"updateGuideline": {doc: `mutation($id: ID!, $in: GuidelineInput!) { updateGuideline(id: $id, input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshGuideline(), "in": map[string]any{"title": "Renamed " + c.n, "publisher": "Tester", "version": "2"}}
	}},
	"deleteGuideline": {doc: `mutation($id: ID!) { deleteGuideline(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshGuideline()}
	}},
	"createClause": {doc: `mutation($in: ClauseInput!) { createClause(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"id": c.id("clause"), "guidelineId": c.guideline, "ref": c.n, "title": "Clause"}}
	}},
	"updateClause": {doc: `mutation($id: ID!, $in: ClauseInput!) { updateClause(id: $id, input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshClause(c.guideline), "in": map[string]any{"guidelineId": c.guideline, "ref": c.n, "title": "Renamed"}}
	}},
	"deleteClause": {doc: `mutation($id: ID!) { deleteClause(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"id": c.freshClause(c.guideline)}
	}},
	"mapClauses": {doc: `mutation($in: ClauseMappingInput!) { mapClauses(input: $in) { __typename } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"sourceId": c.clause, "targetId": c.freshClause(c.guideline2), "relationship": "EQUIVALENT_TO"}}
	}},
	"unmapClauses": {doc: `mutation($s: ID!, $t: ID!) { unmapClauses(sourceId: $s, targetId: $t) }`, vars: func(c *rightsCell) map[string]any {
		to := c.freshClause(c.guideline2)
		c.as("admin", `mutation($in: ClauseMappingInput!) { mapClauses(input: $in) { __typename } }`,
			map[string]any{"in": map[string]any{"sourceId": c.clause, "targetId": to, "relationship": "EQUIVALENT_TO"}})
		return map[string]any{"s": c.clause, "t": to}
	}},
	"linkMeasureToClause": {doc: `mutation($in: MeasureClauseInput!) { linkMeasureToClause(input: $in) { __typename } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"measureId": c.freshMeasure(), "clauseId": c.clause}}
	}},
	"unlinkMeasureFromClause": {doc: `mutation($m: ID!, $c: ID!) { unlinkMeasureFromClause(measureId: $m, clauseId: $c) }`, vars: func(c *rightsCell) map[string]any {
		m := c.freshMeasure()
		c.as("admin", `mutation($in: MeasureClauseInput!) { linkMeasureToClause(input: $in) { __typename } }`,
			map[string]any{"in": map[string]any{"measureId": m, "clauseId": c.clause}})
		return map[string]any{"m": m, "c": c.clause}
	}},

	// Analyses: each call on a fresh draft of the owning organization.
	"createAnalysis": {doc: `mutation($in: AnalysisInput!) { createAnalysis(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"id": c.id("analysis"), "targetId": c.target, "title": "New"}}
	}},
	"updateAnalysis": {doc: `mutation($id: ID!) { updateAnalysis(id: $id, input: {title: "Renamed"}) { id } }`, vars: func(c *rightsCell) map[string]any {
		id, _ := c.freshDraft(false)
		return map[string]any{"id": id}
	}},
	"deleteAnalysis": {doc: `mutation($id: ID!) { deleteAnalysis(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		id, _ := c.freshDraft(false)
		return map[string]any{"id": id}
	}},
	"assessIncident": {doc: `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		id, _ := c.freshDraft(false)
		return map[string]any{"in": map[string]any{"analysisId": id, "incidentId": c.incident, "axis1": 3, "axis2": 1}}
	}},
	"removeAssessment": {doc: `mutation($id: ID!) { removeAssessment(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		_, s := c.freshDraft(true)
		return map[string]any{"id": s}
	}},
	"submitAnalysis": {doc: `mutation($id: ID!) { submitAnalysis(id: $id) { id } }`, vars: func(c *rightsCell) map[string]any {
		id, _ := c.freshDraft(true)
		return map[string]any{"id": id}
	}},
	"reviseAnalysis": {doc: `mutation($id: ID!) { reviseAnalysis(id: $id) { id } }`, vars: func(c *rightsCell) map[string]any {
		id, _ := c.freshDraft(true)
		c.as("analyst (own)", `mutation($id: ID!) { submitAnalysis(id: $id) { id } }`, map[string]any{"id": id})
		return map[string]any{"id": id}
	}},
	"setAnalysisPolicies": {doc: `mutation($id: ID!, $p: [ID!]!) { setAnalysisPolicies(id: $id, policyIds: $p) { id } }`, vars: func(c *rightsCell) map[string]any {
		id, _ := c.freshDraft(false)
		return map[string]any{"id": id, "p": []string{c.policy}}
	}},
	"markClausesNotApplicable": {doc: `mutation($id: ID!, $m: [NotApplicableInput!]!) { markClausesNotApplicable(analysisId: $id, marks: $m) { id } }`,
		vars: func(c *rightsCell) map[string]any {
			id, _ := c.freshDraft(false)
			return map[string]any{"id": id, "m": []any{map[string]any{"clauseId": c.clause, "reason": "No radio."}}}
		}},
	"clearClausesNotApplicable": {doc: `mutation($id: ID!, $c: [ID!]!) { clearClausesNotApplicable(analysisId: $id, clauseIds: $c) { id } }`,
		vars: func(c *rightsCell) map[string]any {
			id, _ := c.freshDraft(false)
			c.as("analyst (own)", `mutation($id: ID!, $m: [NotApplicableInput!]!) { markClausesNotApplicable(analysisId: $id, marks: $m) { id } }`,
				map[string]any{"id": id, "m": []any{map[string]any{"clauseId": c.clause, "reason": "No radio."}}})
			return map[string]any{"id": id, "c": []string{c.clause}}
		}},

	// Insurance policies of the owning organization.
	"createInsurancePolicy": {doc: `mutation($in: InsurancePolicyInput!) { createInsurancePolicy(input: $in) { id } }`,
		vars: func(c *rightsCell) map[string]any { return map[string]any{"in": c.policyInput(c.id("policy"))} }},
	"updateInsurancePolicy": {doc: `mutation($id: ID!, $in: InsurancePolicyInput!) { updateInsurancePolicy(id: $id, input: $in) { id } }`,
		vars: func(c *rightsCell) map[string]any {
			id := c.freshPolicy()
			in := c.policyInput(id)
			in["insurer"] = "Another insurer"
			return map[string]any{"id": id, "in": in}
		}},
	"deleteInsurancePolicy": {doc: `mutation($id: ID!) { deleteInsurancePolicy(id: $id) }`,
		vars: func(c *rightsCell) map[string]any { return map[string]any{"id": c.freshPolicy()} }},

	// Feedback and opinions about the owning organization's private draft.
	"submitFeedback": {doc: `mutation($in: FeedbackInput!) { submitFeedback(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"kind": "NEW_RISK", "text": "Pets", "aboutId": c.draft}}
	}},
	"respondToFeedback": {doc: `mutation($in: FeedbackResponseInput!) { respondToFeedback(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"id": c.submitFeedback("viewer (own)", c.draft), "status": "ACKNOWLEDGED", "answer": "Noted."}}
	}},
	"expressOpinion": {doc: `mutation($in: OpinionInput!) { expressOpinion(input: $in) { id } }`, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"in": map[string]any{"aboutId": c.draft, "stance": "AGREE", "rationale": "Sound."}}
	}},
	"withdrawOpinion": {doc: `mutation($id: ID!) { withdrawOpinion(id: $id) }`, vars: func(c *rightsCell) map[string]any {
		id := dig(c.as("analyst (own)", `mutation($in: OpinionInput!) { expressOpinion(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"aboutId": c.draft, "stance": "DISAGREE", "rationale": "Too low."}}), "expressOpinion", "id")
		return map[string]any{"id": id}
	}},

	// importDocument, once per format.
	"importDocument (NATIVE)": {doc: rightsImport, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"f": "NATIVE", "c": `apiVersion: ssfgraph/v1
kind: AnalysisDocument
organization: {id: ` + c.own + `, name: ` + c.own + `, sector: ` + c.sector + `}
target:
  id: ` + c.id("target") + `
  name: Boiler monitoring
  sector: ` + c.sector + `
  incidents: [{id: ` + c.id("inc") + `, name: Overpressure, consequence: life-body}]
analysis:
  id: ` + c.id("analysis") + `
  title: A view of boiler monitoring
  assessments: [{incident: ` + c.id("inc") + `, axis1: 3, axis2: 2}]
`}
	}},
	"importDocument (STIX)": {doc: rightsImport, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"f": "STIX", "c": `{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": [
  {"type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--00000000-0000-4000-8000-000000000001", "name": "Spoofing",
   "external_references": [{"source_name": "mitre-attack", "external_id": "` + c.id("T0001") + `"}]}]}`}
	}},
	"importDocument (OSCAL_CATALOG)": {doc: rightsImport, vars: importVars("OSCAL_CATALOG", "oscal_catalog_tiny.json")},
	"importDocument (OSCAL_PROFILE)": {doc: rightsImport, vars: importVars("OSCAL_PROFILE", "oscal_profile_tiny.json")},
	"importDocument (OSCAL_MAPPING)": {doc: rightsImport, vars: importVars("OSCAL_MAPPING", "oscal_mapping_tiny.json")},
	"importDocument (CSV_CROSSWALK)": {doc: rightsImport, vars: importVars("CSV_CROSSWALK", "csv_crosswalk_tiny.csv")},
	"importDocument (CISO_LIBRARY)": {doc: rightsImport, vars: func(c *rightsCell) map[string]any {
		return map[string]any{"f": "CISO_LIBRARY", "d": true, "c": `urn: urn:test:risk:library:small
ref_id: Small
name: Small library
provider: Tester
version: 1
objects:
  reference_controls:
  - urn: urn:test:risk:function:small:pol.1
    ref_id: POL.1
    name: A policy
    category: policy
`}
	}},

	// Scales: shared by everyone, so an allowed call writes back what is
	// there, and a refused one must leave the node alone (watch).
	"updateAxisLevel": {doc: `mutation($id: ID!, $in: AxisLevelInput!) { updateAxisLevel(id: $id, input: $in) { id } }`,
		vars: func(c *rightsCell) map[string]any {
			const id = "axis1-v1-3"
			c.watch = append(c.watch, id)
			var got struct {
				AxisScales []struct {
					Levels []map[string]any
				}
			}
			c.must(c.t, "", `{ axisScales { levels { id labelEn labelJa description minJPY maxJPY } } }`, nil, &got)
			for _, s := range got.AxisScales {
				for _, l := range s.Levels {
					if l["id"] == id {
						delete(l, "id")
						return map[string]any{"id": id, "in": l}
					}
				}
			}
			c.t.Fatalf("no axis level %s", id)
			return nil
		}},
	"setCategoryRule": {doc: `mutation($in: CategoryRuleInput!) { setCategoryRule(input: $in) { category } }`,
		vars: func(c *rightsCell) map[string]any {
			c.watch = append(c.watch, "category-v1-1-1")
			var got struct {
				CategoryRules []struct{ Axis1Rank, Axis2Rank, Category int }
			}
			c.must(c.t, "", `{ categoryRules { axis1Rank axis2Rank category } }`, nil, &got)
			for _, r := range got.CategoryRules {
				if r.Axis1Rank == 1 && r.Axis2Rank == 1 {
					return map[string]any{"in": map[string]any{"axis1Rank": 1, "axis2Rank": 1, "category": r.Category}}
				}
			}
			c.t.Fatal("no category rule 1×1")
			return nil
		}},

	// Subscriptions, over a websocket.
	"ticks": {doc: `subscription { ticks(every: 10, count: 1) { n } }`},
	"comparisonUpdated": {doc: `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) { analyses { analysis { id } } } }`,
		vars: func(c *rightsCell) map[string]any {
			c.about = c.draft
			return map[string]any{"t": c.target}
		}},
	"feedbackAdded": {doc: `subscription { feedbackAdded { id } }`, subscribed: func(c *rightsCell) {
		// Once the subscription is registered: feedback about the private
		// draft (which "yes" shows first), then about the public target
		// (which "hidden" shows first).
		deadline := time.Now().Add(10 * time.Second)
		for c.fbBus.Subscribers(resolvers.FeedbackTopic) < 1 {
			if time.Now().After(deadline) {
				return // refused: the answer says so
			}
			time.Sleep(5 * time.Millisecond)
		}
		c.about = c.submitFeedback("admin", c.draft)
		c.public = c.submitFeedback("admin", c.target)
	}},
}

// TestRightsTable runs every cell of README.md's "Who may do what" table
// and checks that the call is allowed or refused as the cell says, that a
// refused write changed nothing in the test's part of the graph (nodes,
// properties, relationships, audit events), and that the table and
// rightsOps cover exactly the schema's root fields.
func TestRightsTable(t *testing.T) {
	table, order := readRightsTable(t)
	checkRightsCoverage(t, table)

	// Rows run on rightsWorkers worlds at once; each world runs one cell
	// at a time, so that a refused call's fingerprint (of its world) sees
	// only what that call did.
	env := newEnv(t, resolvers.Options{})
	neo4jtest.CleanupFeedback(t, env.p)
	t.Cleanup(func() { // the STIX row's threats, which Prefix's clean-up does not match
		neo4jtest.AnalysisExec(t, `MATCH (n:`+model.LabelEntity+`) WHERE n.id STARTS WITH $p DETACH DELETE n`, map[string]any{"p": "stix:" + env.p})
	})
	rows := make(chan string, len(order))
	for _, name := range order {
		if _, ok := rightsOps[name]; ok { // else checkRightsCoverage said so
			rows <- name
		}
	}
	close(rows)
	var (
		mu       sync.Mutex
		observed = map[string][]string{}
		wg       sync.WaitGroup
	)
	for i := range rightsWorkers {
		w := newRightsWorld(t, env, fmt.Sprintf("%sw%d-", env.p, i))
		wg.Go(func() {
			for name := range rows {
				got := w.runRow(t, name, slices.Index(order, name), table[name])
				mu.Lock()
				observed[name] = got
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		var b strings.Builder
		for _, name := range order {
			if observed[name] == nil {
				continue // not run (-run)
			}
			fmt.Fprintf(&b, "| %s | %s |\n", rightsOpCell(name), strings.Join(observed[name], " | "))
		}
		t.Logf("the rows as the server answers them:\n%s", b.String())
	}
}

// rightsWorkers is how many rows run at once, each on its own world.
const rightsWorkers = 4

// runRow runs one row's cells, one after another, as subtests "op/column",
// and returns what the server answered in each.
func (w *rightsWorld) runRow(t *testing.T, name string, row int, want []string) []string {
	op := rightsOps[name]
	field, _, _ := strings.Cut(name, " ")
	kind := rootFields()[field]
	got := make([]string, len(rightsColumns))
	for i, col := range rightsColumns {
		c := &rightsCell{rightsWorld: w, col: col, n: fmt.Sprintf("%sr%d.%d-", w.p, row, i), token: w.tokens[i]}
		t.Run(name+"/"+col.name, func(t *testing.T) {
			c.t = t
			var vars map[string]any
			if op.vars != nil {
				vars = op.vars(c)
			}
			refused := kind == "Mutation" && want[i] == rightsNo
			var before []string
			if refused {
				before = rightsFingerprint(t, w.p, c.watch)
			}
			var detail string
			if kind == "Subscription" {
				got[i], detail = c.subscribe(op, vars, field)
			} else {
				got[i], detail = rightsOutcome(c.do(t, c.token, op.doc, vars), field, c.about)
			}
			if got[i] != want[i] {
				t.Errorf("README says %q, the server answered %q: %s", want[i], got[i], detail)
			}
			if refused && got[i] == rightsNo {
				if after := rightsFingerprint(t, w.p, c.watch); !slices.Equal(after, before) {
					var diff []string
					for _, l := range before {
						if !slices.Contains(after, l) {
							diff = append(diff, "- "+l)
						}
					}
					for _, l := range after {
						if !slices.Contains(before, l) {
							diff = append(diff, "+ "+l)
						}
					}
					t.Errorf("refused, but the graph changed:\n%s", strings.Join(diff, "\n"))
				}
			}
		})
	}
	return got
}

// rightsOpCell writes an operation's name as the table's first cell.
func rightsOpCell(name string) string {
	field, rest, _ := strings.Cut(name, " ")
	return strings.TrimSpace("`" + field + "` " + rest)
}

// readRightsTable returns the README table's cells by operation (the
// first cell without its backticks, such as "importDocument (STIX)") and
// the operations in the table's order. It fails the test unless the header
// names rightsColumns and every cell is one of the words.
func readRightsTable(t *testing.T) (map[string][]string, []string) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	split := func(line string) []string {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(strings.ReplaceAll(cells[i], "`", ""))
		}
		return cells
	}
	table := map[string][]string{}
	var order []string
	sc := bufio.NewScanner(f)
	state := 0 // 0 before the heading, 1 before the table, 2 header, 3 separator, 4 rows
	for sc.Scan() {
		line := sc.Text()
		switch {
		case state == 0:
			if strings.TrimSpace(line) == rightsHeading {
				state = 1
			}
			continue
		case state == 1 && !strings.HasPrefix(line, "|"):
			continue
		case state >= 2 && !strings.HasPrefix(line, "|"):
			return table, order
		}
		cells := split(line)
		switch state {
		case 1:
			want := []string{"operation"}
			for _, c := range rightsColumns {
				want = append(want, c.name)
			}
			if !slices.Equal(cells, want) {
				t.Fatalf("README %q table header is %q, want %q", rightsHeading, cells, want)
			}
			state = 3
			continue
		case 3:
			state = 4
			continue
		}
		if len(cells) != len(rightsColumns)+1 {
			t.Fatalf("README rights row %q has %d cells, want %d", line, len(cells), len(rightsColumns)+1)
		}
		for _, c := range cells[1:] {
			if c != rightsYes && c != rightsNo && c != rightsHidden {
				t.Fatalf("README rights row %q: cell %q is not %s, %s or %s", line, c, rightsYes, rightsNo, rightsHidden)
			}
		}
		if _, dup := table[cells[0]]; dup {
			t.Fatalf("README rights table has %q twice", cells[0])
		}
		table[cells[0]] = cells[1:]
		order = append(order, cells[0])
	}
	if state < 4 {
		t.Fatalf("README.md has no table under %q", rightsHeading)
	}
	return table, order
}

// rootFields lists the schema's fields of Query, Mutation and
// Subscription by field name, each with its type's name.
func rootFields() map[string]string {
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	out := map[string]string{}
	for _, typ := range []string{"Query", "Mutation", "Subscription"} {
		for _, f := range s.Types[typ].Fields {
			if !strings.HasPrefix(f.Name, "__") {
				out[f.Name] = typ
			}
		}
	}
	return out
}

// checkRightsCoverage fails the test unless the README rows, rightsOps
// and the schema's root fields name the same operations.
func checkRightsCoverage(t *testing.T, table map[string][]string) {
	t.Helper()
	fields := rootFields()
	rowsOf := map[string]int{}
	for name := range table {
		field, _, _ := strings.Cut(name, " ")
		if _, ok := fields[field]; !ok {
			t.Errorf("README rights table has a row %q, but the schema has no root field %s", name, field)
		}
		if _, ok := rightsOps[name]; !ok {
			t.Errorf("README rights table has a row %q, but rightsOps has no call for it", name)
		}
		rowsOf[field]++
	}
	for field, typ := range fields {
		if rowsOf[field] == 0 {
			t.Errorf("%s.%s has no row in README's rights table", typ, field)
		}
	}
	for name := range rightsOps {
		if _, ok := table[name]; !ok {
			t.Errorf("rightsOps has %q, but README's rights table has no row for it", name)
		}
	}
}

// rightsOutcome classifies an answer: rightsNo for a refusal (a denying
// code, no data for the field), rightsHidden when it answers without
// about, rightsYes when it answers (with about, if given); anything else
// is described.
func rightsOutcome(r gqlResponse, field, about string) (string, string) {
	var data map[string]json.RawMessage
	_ = json.Unmarshal(r.Data, &data)
	noData := data == nil || data[field] == nil || string(data[field]) == "null"
	if len(r.Errors) > 0 {
		if slices.Contains(rightsDenied, r.code()) && noData {
			return rightsNo, r.Errors[0].Message
		}
		return "error " + r.code(), fmt.Sprintf("%+v", r.Errors)
	}
	if about != "" && !strings.Contains(string(data[field]), about) {
		return rightsHidden, string(r.Data)
	}
	return rightsYes, string(r.Data)
}

// subscribe runs a subscription cell over a websocket: the first event (or
// error) decides.
func (c *rightsCell) subscribe(op rightsOp, vars map[string]any, field string) (string, string) {
	ctx, cancel := context.WithTimeout(c.t.Context(), 20*time.Second)
	defer cancel()
	var payload map[string]any
	if c.token != "" {
		payload = map[string]any{"Authorization": "Bearer " + c.token}
	}
	cl, err := wsclient.Dial(ctx, c.srv.URL+"/graphql", wsclient.TransportWS, payload)
	if err != nil {
		return "error dial", err.Error()
	}
	defer func() {
		_ = cl.Close()
		if op.subscribed != nil { // the next cell counts subscribers
			deadline := time.Now().Add(10 * time.Second)
			for c.fbBus.Subscribers(resolvers.FeedbackTopic) > 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
		}
	}()
	if err := cl.Subscribe("s", op.doc, vars); err != nil {
		return "error subscribe", err.Error()
	}
	if op.subscribed != nil {
		op.subscribed(c)
	}
	for {
		m, err := cl.Next(ctx)
		if err != nil {
			return "error read", err.Error()
		}
		switch m.Type {
		case "next":
			var r gqlResponse
			if err := json.Unmarshal(m.Payload, &r); err != nil {
				return "error payload", string(m.Payload)
			}
			if c.public != "" && len(r.Errors) == 0 && !strings.Contains(string(r.Data), c.about) && !strings.Contains(string(r.Data), c.public) {
				continue // another row's feedback
			}
			return rightsOutcome(r, field, c.about)
		case "error":
			var r gqlResponse
			if err := json.Unmarshal(m.Payload, &r.Errors); err != nil {
				return "error payload", string(m.Payload)
			}
			return rightsOutcome(r, field, c.about)
		case "complete":
			return "error complete", "the subscription completed without an event"
		}
	}
}

// rightsFingerprint returns a fingerprint of the test's part of the graph,
// a line per node: every node whose id starts with prefix (or with "stix:"
// and prefix, as STIX imports name theirs), feedback and opinions of its
// organizations, the nodes with the ids in watch, each with its labels,
// properties and outgoing relationships; and a last line with the number
// of audit events of its organizations.
func rightsFingerprint(t *testing.T, prefix string, watch []string) []string {
	t.Helper()
	rows := neo4jtest.AnalysisExec(t, `
CALL {
  MATCH (n:`+model.LabelEntity+`) WHERE n.id STARTS WITH $p RETURN n
  UNION
  MATCH (n:`+model.LabelEntity+`) WHERE n.id STARTS WITH $stix RETURN n
  UNION
  MATCH (n:`+model.LabelEntity+`) WHERE n.id IN $watch RETURN n
  UNION
  MATCH (n:`+model.LabelAPIToken+`) WHERE n.id IN $watch RETURN n
  UNION
  MATCH (n:`+model.LabelFeedback+`) WHERE n.organizationId STARTS WITH $p RETURN n
  UNION
  MATCH (n:`+model.LabelOpinion+`) WHERE n.organizationId STARTS WITH $p RETURN n
}
OPTIONAL MATCH (n)-[r]->(m)
WITH n, r, m ORDER BY n.id, type(r), m.id
WITH n, collect(CASE WHEN r IS NULL THEN null ELSE [type(r), m.id, properties(r)] END) AS rels
WITH n, rels ORDER BY n.id
WITH collect([labels(n), properties(n), rels]) AS nodes
OPTIONAL MATCH (e:`+model.LabelAuditEvent+`) WHERE e.organizationId STARTS WITH $p
RETURN nodes, count(e) AS events`, map[string]any{"p": prefix, "stix": "stix:" + prefix, "watch": append([]string{}, watch...)})
	if len(rows) != 1 {
		t.Fatalf("fingerprint: %d rows", len(rows))
	}
	nodes, _ := rows[0]["nodes"].([]any)
	out := make([]string, 0, len(nodes)+1)
	for _, n := range nodes {
		out = append(out, fmt.Sprint(n))
	}
	return append(out, fmt.Sprint("audit events: ", rows[0]["events"]))
}

// newRightsWorld builds a world of the rows, with ids under prefix p, on
// env's server, mostly through the API as callers who may (so that it has
// the stored shape).
func newRightsWorld(t *testing.T, env *testEnv, p string) *rightsWorld {
	t.Helper()
	w := &rightsWorld{testEnv: env, p: p, sector: p + "home"}
	orgs := map[string]string{"own": p + "own", "other": p + "other", "committee": p + "committee", "ops": p + "ops"}
	w.own, w.other = orgs["own"], orgs["other"]
	neo4jtest.AnalysisExec(t, `UNWIND $orgs AS o MERGE (n:`+model.LabelOrganization+`:`+model.LabelEntity+` {id: o[0]}) SET n.name = o[0], n.sector = o[1]`,
		map[string]any{"orgs": [][]string{{w.own, w.sector}, {w.other, p + "factory"}, {orgs["committee"], p + "committee"}, {orgs["ops"], p + "ops"}}})
	for _, c := range rightsColumns {
		tok := ""
		if c.role != "" {
			tok = env.token(t, orgs[c.org], c.role)
		}
		w.tokens = append(w.tokens, tok)
	}
	w.target, w.incident = p+"target", p+"incident"
	env.must(t, w.tok("analyst (own)"), `mutation($t: TargetInput!, $i: IncidentInput!) { t: createTarget(input: $t) { id } i: createIncident(input: $i) { id } }`,
		map[string]any{"t": map[string]any{"id": w.target, "name": "Target", "sector": w.sector},
			"i": map[string]any{"id": w.incident, "targetId": w.target, "name": "Overpressure", "consequence": "property"}}, nil)
	w.guideline, w.guideline2 = p+"g1", p+"g2"
	w.clause, w.clause2 = p+"g1-c1", p+"g2-c1"
	env.must(t, w.tok("analyst (own)"), `mutation($g1: GuidelineInput!, $g2: GuidelineInput!, $c1: ClauseInput!, $c2: ClauseInput!, $m: ClauseMappingInput!) {
  g1: createGuideline(input: $g1) { id } g2: createGuideline(input: $g2) { id }
  c1: createClause(input: $c1) { id } c2: createClause(input: $c2) { id } m: mapClauses(input: $m) { __typename } }`, map[string]any{
		"g1": map[string]any{"id": w.guideline, "title": "G1 " + p, "publisher": "Tester", "version": "1"},
		"g2": map[string]any{"id": w.guideline2, "title": "G2 " + p, "publisher": "Tester", "version": "1"},
		"c1": map[string]any{"id": w.clause, "guidelineId": w.guideline, "ref": "1", "title": "Clause one"},
		"c2": map[string]any{"id": w.clause2, "guidelineId": w.guideline2, "ref": "1", "title": "Clause one"},
		"m":  map[string]any{"sourceId": w.clause, "targetId": w.clause2, "relationship": "EQUIVALENT_TO"},
	}, nil)
	w.marker = "zq" + strings.ReplaceAll(p, "-", "")
	w.draft, w.draft2, w.policy = p+"draft", p+"draft2", p+"policy"
	env.must(t, w.tok("analyst (own)"), `mutation($a: AnalysisInput!, $s: AssessIncidentInput!, $b: AnalysisInput!, $p: InsurancePolicyInput!) {
  a: createAnalysis(input: $a) { id } s: assessIncident(input: $s) { id } b: createAnalysis(input: $b) { id }
  p: createInsurancePolicy(input: $p) { id } }`, map[string]any{
		"a": map[string]any{"id": w.draft, "targetId": w.target, "title": "Draft " + w.marker},
		"s": map[string]any{"analysisId": w.draft, "incidentId": w.incident, "axis1": 2, "axis2": 2},
		"b": map[string]any{"id": w.draft2, "targetId": w.target, "title": "Second draft"},
		"p": w.policyInput(w.policy),
	}, nil)
	c := &rightsCell{rightsWorld: w, t: t, n: p + "world-"}
	w.feedback = c.submitFeedback("viewer (own)", w.draft)
	return w
}
