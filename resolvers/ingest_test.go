package resolvers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

const importQ = `mutation($f: ImportFormat, $c: String!, $n: String, $d: Boolean) {
  importDocument(format: $f, content: $c, name: $n, dryRun: $d) {
    source format dryRun tookMs
    nodes { kind created updated unchanged }
    relationships { kind created updated unchanged }
    warnings { location message }
  }
}`

// importReport is the ImportReport a test reads back.
type importReport struct {
	Source, Format string
	DryRun         bool
	TookMs         float64
	Nodes          []importCount
	Relationships  []importCount
	Warnings       []struct{ Location, Message string }
}

type importCount struct {
	Kind                        string
	Created, Updated, Unchanged int
}

// count returns the counts of kind in cs (zero when absent).
func count(cs []importCount, kind string) importCount {
	for _, c := range cs {
		if c.Kind == kind {
			return c
		}
	}
	return importCount{Kind: kind}
}

// importEnv is a testEnv with two organizations, a token for each role of
// the first and an analyst of the second.
type importEnv struct {
	*testEnv
	org, org2 string
	tokens    map[model.Role]string
	other     string // an analyst of org2
}

func newImportEnv(t *testing.T) *importEnv {
	t.Helper()
	env := newEnv(t, resolvers.Options{})
	e := &importEnv{testEnv: env, org: env.org(t, "org", "factory"), org2: env.org(t, "org2", "factory")}
	e.tokens = env.tokensOf(t, e.org)
	e.other = env.token(t, e.org2, model.RoleAnalyst)
	t.Cleanup(func() {
		neo4jtest.AnalysisExec(t, `MATCH (n) WHERE n.id STARTS WITH $p DETACH DELETE n`, map[string]any{"p": "stix:" + e.p})
	})
	return e
}

// importAs sends importDocument with token ("" for none).
func (e *importEnv) importAs(t *testing.T, token, format, content, name string, dryRun bool) gqlResponse {
	t.Helper()
	vars := map[string]any{"c": content, "d": dryRun}
	if format != "" {
		vars["f"] = format
	}
	if name != "" {
		vars["n"] = name
	}
	return e.do(t, token, importQ, vars)
}

// mustImport imports and returns the report, failing on any error.
func (e *importEnv) mustImport(t *testing.T, token, format, content, name string, dryRun bool) importReport {
	t.Helper()
	var out struct{ ImportDocument importReport }
	e.importAs(t, token, format, content, name, dryRun).decode(t, &out)
	return out.ImportDocument
}

// bundle is a small STIX bundle whose ATT&CK ids start with the prefix
// (node ids "stix:" + prefix + "T0001" …, removed by the env's cleanup).
func (e *importEnv) bundle() string {
	obj := func(typ, n, ext string) string {
		return fmt.Sprintf(`{"type": %q, "spec_version": "2.1", "id": "%s--00000000-0000-4000-8000-0000000000%s", "name": "%s %s",
			"external_references": [{"source_name": "mitre-attack", "external_id": "%s%s"}]}`, typ, typ, n, typ, n, e.p, ext)
	}
	return `{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": [` +
		obj("attack-pattern", "01", "T0001") + ",\n" + obj("attack-pattern", "02", "T0002") + ",\n" + obj("course-of-action", "03", "M0001") + `,
		{"type": "relationship", "spec_version": "2.1", "id": "relationship--00000000-0000-4000-8000-000000000004", "relationship_type": "mitigates",
		 "source_ref": "course-of-action--00000000-0000-4000-8000-000000000003", "target_ref": "attack-pattern--00000000-0000-4000-8000-000000000001",
		 "description": "Stops it."},
		{"type": "x-mitre-tactic", "spec_version": "2.1", "id": "x-mitre-tactic--00000000-0000-4000-8000-000000000005", "name": "Collection"}
	]}`
}

// native is a small native analysis document of organization org, with
// ids under the prefix; rationale varies the one assessment.
func (e *importEnv) native(org, status, rationale string) string {
	p := e.p
	return `apiVersion: ssfgraph/v1
kind: AnalysisDocument
organization:
  id: ` + org + `
  name: ` + org + `
  sector: factory
target:
  id: ` + p + `target
  name: Boiler monitoring
  sector: factory
  incidents:
    - id: ` + p + `inc
      name: Overpressure
      consequence: life-body
analysis:
  id: ` + p + `analysis
  title: A view of boiler monitoring
  status: ` + status + `
  version: 1
  visibility: PRIVATE
  assessments:
    - incident: ` + p + `inc
      axis1: 3
      axis2: 2
      rationale: ` + rationale + `
`
}

func TestImportDocumentAuthorization(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	for _, tt := range []struct {
		name    string
		token   string
		content string
		code    string // "" for success
	}{
		{"AnonymousCatalog", "", e.bundle(), "UNAUTHENTICATED"},
		{"ViewerCatalog", e.tokens[model.RoleViewer], e.bundle(), "FORBIDDEN"},
		{"AnalystCatalog", e.tokens[model.RoleAnalyst], e.bundle(), "FORBIDDEN"},
		{"OrgAdminCatalog", e.tokens[model.RoleOrgAdmin], e.bundle(), "FORBIDDEN"},
		{"CuratorCatalog", e.tokens[model.RoleCurator], e.bundle(), ""},
		{"AdminCatalog", e.tokens[model.RoleAdmin], e.bundle(), ""},
		{"AnonymousNative", "", e.native(e.org, "DRAFT", "r"), "UNAUTHENTICATED"},
		{"ViewerNative", e.tokens[model.RoleViewer], e.native(e.org, "DRAFT", "r"), "FORBIDDEN"},
		{"AnalystNative", e.tokens[model.RoleAnalyst], e.native(e.org, "DRAFT", "r"), ""},
		{"OrgAdminNative", e.tokens[model.RoleOrgAdmin], e.native(e.org, "DRAFT", "r"), ""},
		{"CuratorNative", e.tokens[model.RoleCurator], e.native(e.org, "DRAFT", "r"), "FORBIDDEN"},
		{"AdminNative", e.tokens[model.RoleAdmin], e.native(e.org, "DRAFT", "r"), ""},
		{"OtherOrgsAnalystNative", e.other, e.native(e.org, "DRAFT", "r"), "FORBIDDEN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := neo4jtest.Snapshot(t, e.p)
			r := e.importAs(t, tt.token, "", tt.content, "doc", false)
			if tt.code != "" {
				wantError(t, r, tt.code, "")
				if after := neo4jtest.Snapshot(t, e.p); after != before {
					t.Errorf("a refused import wrote: %s", after)
				}
				return
			}
			var out struct{ ImportDocument importReport }
			r.decode(t, &out)
			if len(out.ImportDocument.Nodes) == 0 {
				t.Errorf("report without nodes: %+v", out.ImportDocument)
			}
		})
	}

	// The analysis is stored now, owned by org and private: another
	// organization's analyst cannot take it over by naming their own
	// organization, and is told only that the id is in use, as
	// createAnalysis tells it (README, "Errors for ids you may not see").
	before := neo4jtest.Snapshot(t, e.p)
	wantError(t, e.importAs(t, e.other, "NATIVE", e.native(e.org2, "DRAFT", "mine now"), "doc", false), "CONFLICT", "")
	if after := neo4jtest.Snapshot(t, e.p); after != before {
		t.Errorf("a refused takeover wrote: %s", after)
	}
}

func TestImportDocumentLoadsSTIXOnceThenChangesNothing(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	curator := e.tokens[model.RoleCurator]
	before := neo4jtest.Snapshot(t, "stix:"+e.p)

	dry := e.mustImport(t, curator, "", e.bundle(), "", true)
	if !dry.DryRun || dry.Source != "request" || dry.Format != "stix" || count(dry.Nodes, "Threat").Created != 2 {
		t.Errorf("dry run report: %+v", dry)
	}
	if after := neo4jtest.Snapshot(t, "stix:"+e.p); after != before {
		t.Errorf("dryRun wrote: %s", after)
	}

	rep := e.mustImport(t, curator, "STIX", e.bundle(), "small-bundle.json", false)
	if rep.DryRun || rep.Source != "small-bundle.json" || rep.TookMs <= 0 {
		t.Errorf("report header: %+v", rep)
	}
	if c := count(rep.Nodes, "Threat"); c.Created != 2 {
		t.Errorf("Threat %+v, want 2 created", c)
	}
	if c := count(rep.Nodes, "Measure"); c.Created != 1 {
		t.Errorf("Measure %+v, want 1 created", c)
	}
	if c := count(rep.Relationships, "MITIGATED_BY"); c.Created != 1 {
		t.Errorf("MITIGATED_BY %+v, want 1 created", c)
	}
	if len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0].Location, "objects[") {
		t.Errorf("warnings %+v, want one locating the skipped tactic", rep.Warnings)
	}
	var threat struct {
		Threat struct {
			Name        string
			MitigatedBy []struct{ ID string }
		}
	}
	_, r := postAs(t, e.srv, curator, `query($id: ID!) { threat: node(id: $id) { ... on Threat { name mitigatedBy { id } } } }`, map[string]any{"id": "stix:" + e.p + "T0001"})
	r.decode(t, &threat)
	if threat.Threat.Name != "attack-pattern 01" || len(threat.Threat.MitigatedBy) != 1 || threat.Threat.MitigatedBy[0].ID != "stix:"+e.p+"M0001" {
		t.Errorf("the imported threat reads back as %+v", threat.Threat)
	}

	again := e.mustImport(t, curator, "STIX", e.bundle(), "small-bundle.json", false)
	for _, c := range append(again.Nodes, again.Relationships...) {
		if c.Created != 0 || c.Updated != 0 || c.Unchanged == 0 {
			t.Errorf("second import: %+v, want only unchanged", c)
		}
	}
}

func TestImportDocumentBrokenWritesNothing(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	curator := e.tokens[model.RoleCurator]
	bundle := e.bundle()
	for _, tt := range []struct {
		name, format, content string
		message               []string
	}{
		{"Truncated", "", bundle[:len(bundle)*2/3], []string{"broken.json:"}},
		{"Corrupted", "STIX", strings.Replace(bundle, `"name": "attack-pattern 02"`, `"name": ["a list"]`, 1), []string{"broken.json:", "objects[1].name"}},
		{"UnknownFormat", "", "just words", []string{"broken.json: cannot tell the format"}},
		{"WrongFormat", "OSCAL_CATALOG", bundle, []string{"broken.json"}},
		{"NotAProfile", "OSCAL_PROFILE", bundle, []string{"broken.json", `not an OSCAL profile: no "profile" object`}},
		{"Empty", "STIX", "  ", []string{"broken.json: the document is empty"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := neo4jtest.Snapshot(t, "stix:"+e.p)
			for _, dry := range []bool{false, true} {
				r := e.importAs(t, curator, tt.format, tt.content, "broken.json", dry)
				wantError(t, r, "BAD_USER_INPUT", "content")
				if len(r.Errors) > 0 {
					for _, m := range tt.message {
						if !strings.Contains(r.Errors[0].Message, m) {
							t.Errorf("message %q does not contain %q", r.Errors[0].Message, m)
						}
					}
				}
			}
			if after := neo4jtest.Snapshot(t, "stix:"+e.p); after != before {
				t.Errorf("a broken document wrote: %s", after)
			}
		})
	}
}

// TestImportDocumentDanglingReferenceWritesNothing imports a native
// document whose assessment cites a threat nobody loaded: the whole
// document is refused, naming where the reference is.
func TestImportDocumentDanglingReferenceWritesNothing(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	doc := strings.Replace(e.native(e.org, "DRAFT", "r"), "      axis2: 2\n", "      axis2: 2\n      threats: ["+e.p+"missing-threat]\n", 1)
	before := neo4jtest.Snapshot(t, e.p)
	for _, dry := range []bool{true, false} {
		r := e.importAs(t, e.tokens[model.RoleAnalyst], "", doc, "analysis.yaml", dry)
		wantError(t, r, "BAD_USER_INPUT", "content")
		if len(r.Errors) > 0 && !strings.Contains(r.Errors[0].Message, "analysis.yaml: analysis.assessments[0].threats[0]: threat "+e.p+"missing-threat is not loaded") {
			t.Errorf("message %q does not name the file, the place and the missing threat", r.Errors[0].Message)
		}
	}
	if after := neo4jtest.Snapshot(t, e.p); after != before {
		t.Errorf("a document with a dangling reference wrote: %s", after)
	}
}

func TestImportDocumentKeepsSubmittedAnalyses(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	analyst := e.tokens[model.RoleAnalyst]
	// An admin restores it; an analyst may load it again unchanged.
	rep := e.mustImport(t, e.tokens[model.RoleAdmin], "NATIVE", e.native(e.org, "SUBMITTED", "first view"), "analysis.yaml", false)
	if c := count(rep.Nodes, "Analysis"); c.Created != 1 {
		t.Fatalf("Analysis %+v, want 1 created", c)
	}
	rep = e.mustImport(t, analyst, "NATIVE", e.native(e.org, "SUBMITTED", "first view"), "analysis.yaml", false)
	if c := count(rep.Nodes, "Assessment"); c.Unchanged != 1 {
		t.Errorf("re-importing a submitted analysis unchanged: Assessment %+v, want 1 unchanged", c)
	}
	before := neo4jtest.Snapshot(t, e.p)
	r := e.importAs(t, analyst, "NATIVE", e.native(e.org, "SUBMITTED", "second thoughts"), "analysis.yaml", false)
	wantError(t, r, "CONFLICT", "")
	if after := neo4jtest.Snapshot(t, e.p); after != before {
		t.Errorf("a refused change to a submitted analysis wrote: %s", after)
	}
	// A dry run checks what the load would: it meets the same refusal.
	wantError(t, e.importAs(t, analyst, "NATIVE", e.native(e.org, "SUBMITTED", "second thoughts"), "analysis.yaml", true), "CONFLICT", "")
}

// TestImportDocumentFollowsMutationRules checks that a native document does
// only what its caller could do with mutations: an analyst's document that
// would rename its organization, change its sector, add a department, or
// load an analysis as SUBMITTED or with a version or times of its own is
// refused with FORBIDDEN naming the path, and writes nothing (a dry run
// alike); an org-admin renames its organization and adds a department, and
// an admin restores a submitted analysis with its version and times.
func TestImportDocumentFollowsMutationRules(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	analyst, orgAdmin, admin := e.tokens[model.RoleAnalyst], e.tokens[model.RoleOrgAdmin], e.tokens[model.RoleAdmin]
	draft := e.native(e.org, "DRAFT", "r")
	orgName := "  name: " + e.org + "\n"
	renamed := strings.Replace(draft, orgName, "  name: Renamed Inc.\n", 1)
	withDept := strings.Replace(draft, "  sector: factory\ntarget:", "  sector: factory\n  departments:\n    - id: "+e.p+"dept\n      name: OT\ntarget:", 1)
	restore := strings.Replace(e.native(e.org, "SUBMITTED", "r"), "  version: 1\n",
		"  version: 2\n  createdAt: 2020-01-02T03:04:05Z\n  updatedAt: 2020-01-03T03:04:05Z\n  submittedAt: 2020-01-03T03:04:05Z\n", 1)

	refused := []struct{ name, token, doc, path string }{
		{"AnalystRenamesOrganization", analyst, renamed, "organization.name"},
		{"AnalystChangesSector", analyst, strings.Replace(draft, "  sector: factory\ntarget:", "  sector: insurance\ntarget:", 1), "organization.sector"},
		{"AnalystCreatesDepartment", analyst, withDept, "organization.departments[0]"},
		{"AnalystSubmits", analyst, e.native(e.org, "SUBMITTED", "r"), "analysis.status"},
		{"OrgAdminSubmits", orgAdmin, e.native(e.org, "SUBMITTED", "r"), "analysis.status"},
		{"AnalystSetsVersion", analyst, strings.Replace(draft, "  version: 1\n", "  version: 3\n", 1), "analysis.version"},
		{"AnalystBackdates", analyst, strings.Replace(draft, "  version: 1\n", "  version: 1\n  createdAt: 2020-01-02T03:04:05Z\n", 1), "analysis.createdAt"},
		{"AnalystRestores", analyst, restore, "analysis.status"},
	}
	before := neo4jtest.Snapshot(t, e.p)
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			for _, dry := range []bool{true, false} {
				r := e.importAs(t, tt.token, "NATIVE", tt.doc, "analysis.yaml", dry)
				wantError(t, r, "FORBIDDEN", "")
				if len(r.Errors) > 0 && !strings.HasPrefix(r.Errors[0].Message, tt.path+": ") {
					t.Errorf("message %q does not start with the path %s", r.Errors[0].Message, tt.path)
				}
			}
			if after := neo4jtest.Snapshot(t, e.p); after != before {
				t.Errorf("a refused document wrote: %s", after)
			}
		})
	}

	// What the mutations allow, the import allows.
	var org struct{ Node struct{ Name string } }
	e.mustImport(t, analyst, "NATIVE", draft, "analysis.yaml", false) // repeats the stored organization
	e.mustImport(t, orgAdmin, "NATIVE", renamed, "analysis.yaml", false)
	e.must(t, analyst, `query($id: ID!) { node(id: $id) { ... on Organization { name } } }`, map[string]any{"id": e.org}, &org)
	if org.Node.Name != "Renamed Inc." {
		t.Errorf("after the org-admin's import the organization is named %q", org.Node.Name)
	}
	if c := count(e.mustImport(t, orgAdmin, "NATIVE", strings.Replace(withDept, orgName, "  name: Renamed Inc.\n", 1), "analysis.yaml", false).Nodes, "Department"); c.Created != 1 {
		t.Errorf("org-admin's department: %+v, want 1 created", c)
	}
	// The analyst's path to SUBMITTED is submitAnalysis.
	e.must(t, analyst, `mutation($id: ID!) { submitAnalysis(id: $id) { status } }`, map[string]any{"id": e.p + "analysis"}, nil)

	// An admin restores a submitted analysis with its own version and times.
	restored := strings.NewReplacer(e.p+"analysis", e.p+"restored", orgName, "  name: Renamed Inc.\n").Replace(restore)
	e.mustImport(t, admin, "NATIVE", restored, "analysis.yaml", false)
	var got struct {
		Analysis struct {
			Status                 string
			Version                int
			CreatedAt, SubmittedAt string
		}
	}
	e.must(t, admin, `query($id: ID!) { analysis(id: $id) { status version createdAt submittedAt } }`, map[string]any{"id": e.p + "restored"}, &got)
	if a := got.Analysis; a.Status != "SUBMITTED" || a.Version != 2 || !strings.HasPrefix(a.CreatedAt, "2020-01-02T03:04:05") || !strings.HasPrefix(a.SubmittedAt, "2020-01-03T03:04:05") {
		t.Errorf("restored analysis %+v", a)
	}
}

// TestCrossTargetAttachmentRefused checks that an asset or incident stays
// with the target it belongs to on every path: a native document that
// lists another target's asset or incident under its own target is refused
// with BAD_USER_INPUT naming the path (for an admin too, and in a dry run)
// and writes nothing, and the mutations refuse the same (assessing another
// target's incident, moving an incident or asset).
func TestCrossTargetAttachmentRefused(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	analyst, admin := e.tokens[model.RoleAnalyst], e.tokens[model.RoleAdmin]
	p := e.p
	withAsset := strings.Replace(e.native(e.org, "DRAFT", "r"), "  incidents:\n",
		"  assets:\n    - id: "+p+"asset\n      name: Gateway\n      kind: component\n  incidents:\n", 1)
	e.mustImport(t, analyst, "NATIVE", withAsset, "analysis.yaml", false)

	other := strings.NewReplacer(p+"target", p+"target2", p+"analysis", p+"analysis2")
	before := neo4jtest.Snapshot(t, p)
	for _, tt := range []struct{ name, token, doc, want string }{
		{"Asset", analyst, other.Replace(withAsset), "target.assets[0]: asset " + p + "asset belongs to target " + p + "target; its target cannot change"},
		{"Incident", analyst, other.Replace(e.native(e.org, "DRAFT", "r")), "target.incidents[0]: incident " + p + "inc belongs to target " + p + "target; its target cannot change"},
		{"AdminToo", admin, other.Replace(withAsset), "target.assets[0]: asset " + p + "asset belongs to target " + p + "target"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, dry := range []bool{true, false} {
				r := e.importAs(t, tt.token, "NATIVE", tt.doc, "analysis.yaml", dry)
				wantError(t, r, "BAD_USER_INPUT", "content")
				if len(r.Errors) > 0 && !strings.Contains(r.Errors[0].Message, tt.want) {
					t.Errorf("message %q does not contain %q", r.Errors[0].Message, tt.want)
				}
			}
			if after := neo4jtest.Snapshot(t, p); after != before {
				t.Errorf("a refused document wrote: %s", after)
			}
		})
	}

	// The mutations hold the same rule.
	e.must(t, analyst, ppCreateTarget, map[string]any{"in": map[string]any{"id": p + "target2", "name": "Other", "sector": "factory"}}, nil)
	var a struct{ CreateAnalysis struct{ ID string } }
	e.must(t, analyst, `mutation($in: AnalysisInput!) { createAnalysis(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"id": p + "analysis2", "targetId": p + "target2", "title": "Other view"}}, &a)
	before = neo4jtest.Snapshot(t, p)
	wantError(t, e.do(t, analyst, assessDoc, map[string]any{"in": map[string]any{"analysisId": a.CreateAnalysis.ID, "incidentId": p + "inc", "axis1": 3, "axis2": 2}}),
		"BAD_USER_INPUT", "input.incidentId")
	wantError(t, e.do(t, analyst, `mutation($id: ID!, $in: IncidentInput!) { updateIncident(id: $id, input: $in) { id } }`,
		map[string]any{"id": p + "inc", "in": map[string]any{"targetId": p + "target2", "name": "Overpressure", "consequence": "life-body"}}), "BAD_USER_INPUT", "input.targetId")
	wantError(t, e.do(t, analyst, `mutation($id: ID!, $in: AssetInput!) { updateAsset(id: $id, input: $in) { id } }`,
		map[string]any{"id": p + "asset", "in": map[string]any{"targetId": p + "target2", "name": "Gateway", "kind": "component"}}), "BAD_USER_INPUT", "input.targetId")
	if after := neo4jtest.Snapshot(t, p); after != before {
		t.Errorf("a refused mutation wrote: %s", after)
	}
}

// TestImportDocumentRefusesAnotherOrganizationsPolicy imports an analysis
// that relies on a policy held by another organization: refused as for a
// policy that does not exist (the message naming the place and the
// policy), writing nothing; relying on its own policy loads.
func TestImportDocumentRefusesAnotherOrganizationsPolicy(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	foreign := e.p + "policy-foreign"
	neo4jtest.AnalysisExec(t, `MATCH (o:Organization {id: $org})
CREATE (o)-[:HOLDS]->(:InsurancePolicy:Entity {id: $id, insurer: 'Insurer', holderId: $org, product: 'Cyber',
  periodStart: '2025-01-01', periodEnd: '2025-12-31', aggregateLimitJPY: 1.0e8})`, map[string]any{"org": e.org2, "id": foreign})
	relying := func(policy string) string {
		return strings.Replace(e.native(e.org, "DRAFT", "r"), "  visibility: PRIVATE\n", "  visibility: PRIVATE\n  policies: ["+policy+"]\n", 1)
	}
	before := neo4jtest.Snapshot(t, e.p)
	var messages []string
	for _, policy := range []string{foreign, e.p + "policy-nope"} {
		for _, dry := range []bool{true, false} {
			r := e.importAs(t, e.tokens[model.RoleAnalyst], "", relying(policy), "analysis.yaml", dry)
			wantError(t, r, "BAD_USER_INPUT", "content")
			if len(r.Errors) > 0 {
				if want := "analysis.yaml: analysis.policies[0]: insurance policy " + policy + " is not loaded"; !strings.Contains(r.Errors[0].Message, want) {
					t.Errorf("message %q, want it to contain %q", r.Errors[0].Message, want)
				}
				messages = append(messages, strings.ReplaceAll(r.Errors[0].Message, policy, "X"))
			}
		}
	}
	if len(messages) != 4 || messages[0] != messages[2] {
		t.Errorf("another organization's policy and a missing one answer differently: %q", messages)
	}
	if after := neo4jtest.Snapshot(t, e.p); after != before {
		t.Errorf("a refused reliance wrote: %s", after)
	}
	// The admin may not make org's analysis rely on org2's policy either.
	wantError(t, e.importAs(t, e.tokens[model.RoleAdmin], "", relying(foreign), "analysis.yaml", false), "BAD_USER_INPUT", "content")
}
