package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	drv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// The -update flag rewrites golden files; another test file may define it
// too, so it is looked up rather than declared twice.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files")
	}
}

// exUpdate reports whether the run was asked to rewrite golden files.
func exUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// exGuideline is the CISO Assistant library that the example document's
// measures and policy cite.
const exGuideline = "iec-62443-3-3-2013.yaml"

// exData reads a file of the shared CISO Assistant libraries; a missing data
// folder fails the test.
func exData(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(neo4jtest.DataDir(t), "ciso-assistant-libraries", file))
	if err != nil {
		t.Fatalf("the shared data sets are missing (set SSFGRAPH_DATA to the data folder, default ../shared/data beside the repository): %v", err)
	}
	return data
}

// exFreshDB empties the private instance, applies the migrations (which
// seed the scales) and loads the guideline the documents cite: an empty
// database as far as analyses go.
func exFreshDB(t *testing.T, uri string) *neo4j.DB {
	t.Helper()
	ctx := t.Context()
	d, err := drv.NewDriverWithContext(uri, drv.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(context.Background())
	if _, err := drv.ExecuteQuery(ctx, d, "MATCH (n) DETACH DELETE n", nil, drv.EagerResultTransformer, drv.ExecuteQueryWithDatabase("neo4j")); err != nil {
		t.Fatalf("emptying the private database: %v", err)
	}
	db := neo4j.NewDB(uri)
	if err := db.Open(ctx); err != nil {
		t.Fatalf("opening the private database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	b, err := ingest.ParseCISOLibrary(exGuideline, exData(t, exGuideline))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadBatch(ctx, b, false); err != nil {
		t.Fatalf("loading %s: %v", exGuideline, err)
	}
	return db
}

// exIngest loads a native document and returns the load's report.
func exIngest(t *testing.T, db *neo4j.DB, name string, data []byte) *ingest.Report {
	t.Helper()
	scales, err := db.Scales(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b, err := ingest.ParseNative(name, data, scales)
	if err != nil {
		t.Fatalf("ParseNative %s: %v", name, err)
	}
	rep, err := db.LoadBatch(t.Context(), b, false)
	if err != nil {
		t.Fatalf("LoadBatch %s: %v", name, err)
	}
	return rep
}

// exExport runs `ssfgraph export analysis id` with extra flags and returns
// what it wrote to standard output.
func exExport(t *testing.T, uri, id string, flags ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"export", "analysis", id, "--neo4j-uri", uri, "--log-level", "warn"}, flags...)
	if code := run(t.Context(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("ssfgraph %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.Bytes()
}

// exUnchanged fails unless the report says that nothing was created or
// updated.
func exUnchanged(t *testing.T, what string, rep *ingest.Report) {
	t.Helper()
	for kind, counts := range map[string]map[string]ingest.Counts{"node": rep.Nodes, "relationship": rep.Rels} {
		for k, c := range counts {
			if c.Created != 0 || c.Updated != 0 {
				t.Errorf("%s: %s %s: %d created, %d updated; want none", what, kind, k, c.Created, c.Updated)
			}
		}
	}
}

// exLoadTimes finds the analysis's createdAt and updatedAt lines of an
// export, their key as ${1}.
var exLoadTimes = regexp.MustCompile(`(?m)^(  (?:createdAt|updatedAt): ).*$`)

// TestExportRoundTrip is the golden round trip of the native format, on a
// private Neo4j: the handmade example and an analysis made through the
// GraphQL mutations each export, load into an empty database and export
// again to the same bytes, and loading an export where it came from
// changes nothing.
func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	in := neo4jtest.SharedInstance(t)
	golden := filepath.Join(neo4jtest.RepoRoot(t), "ingest", "testdata", "native", "example.golden.yaml")
	example, err := os.ReadFile(filepath.Join(neo4jtest.RepoRoot(t), "ingest", "testdata", "native", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Example", func(t *testing.T) {
		db := exFreshDB(t, in.URI)
		rep := exIngest(t, db, "example.yaml", example)
		for label, want := range map[string]int{"Organization": 1, "Department": 2, "Target": 1, "Asset": 4, "Incident": 2,
			"Analysis": 1, "Assessment": 2, "Treatment": 4, "Threat": 2, "Measure": 4, "InsurancePolicy": 1, "CoverageLine": 1} {
			if got := rep.Nodes[label].Created; got != want {
				t.Errorf("example: %d %s nodes created, want %d", got, label, want)
			}
		}
		if got := rep.Rels[model.RelNotApplicable].Created; got != 2 {
			t.Errorf("example: %d NOT_APPLICABLE relationships created, want 2", got)
		}
		bytes1 := exExport(t, in.URI, "example-analysis-heatworks")
		// The example states no times, so the load gave the analysis its
		// own: the golden file shows where they go, not their values.
		stamped := exLoadTimes.ReplaceAll(bytes1, []byte(`${1}"<load time>"`))
		if bytes.Equal(stamped, bytes1) {
			t.Errorf("the export of a loaded analysis has no createdAt and updatedAt:\n%s", bytes1)
		}
		if exUpdate() {
			if err := os.WriteFile(golden, stamped, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./cmd/ssfgraph -run TestExportRoundTrip -update to write it)", err)
		}
		if !bytes.Equal(stamped, want) {
			t.Errorf("the export differs from %s (review, then rerun with -update):\n%s", golden, exDiff(string(want), string(stamped)))
		}
		exUnchanged(t, "loading the export where it came from", exIngest(t, db, "export.yaml", bytes1))

		db2 := exFreshDB(t, in.URI)
		exIngest(t, db2, "export.yaml", bytes1)
		if bytes2 := exExport(t, in.URI, "example-analysis-heatworks"); !bytes.Equal(bytes1, bytes2) {
			t.Errorf("export → ingest into an empty database → export differs:\n%s", exDiff(string(bytes1), string(bytes2)))
		}

		j := exExport(t, in.URI, "example-analysis-heatworks", "--format", "json")
		db3 := exFreshDB(t, in.URI)
		exIngest(t, db3, "export.json", j)
		if bytes3 := exExport(t, in.URI, "example-analysis-heatworks"); !bytes.Equal(bytes1, bytes3) {
			t.Errorf("the JSON export loads back differently:\n%s", exDiff(string(bytes1), string(bytes3)))
		}
	})

	t.Run("MadeThroughGraphQL", func(t *testing.T) {
		db := exFreshDB(t, in.URI)
		ctx := t.Context()
		if _, err := db.EnsureOrganization(ctx, "gq-org", "GraphQL Org", "home"); err != nil {
			t.Fatal(err)
		}
		tok, err := db.CreateToken(ctx, "gq-admin", "gq-org", model.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		m := startMain(t, in.URI)
		gql := func(query string) {
			t.Helper()
			body, _ := json.Marshal(map[string]any{"query": query})
			req, _ := http.NewRequest(http.MethodPost, m.URL()+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var r struct{ Errors []map[string]any }
			if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
				t.Fatalf("%s\n→ %v %v", query, err, r.Errors)
			}
		}
		const clause = "ciso:intuitem:risk:req_node:iec-62443-3-3-2013:sr-1.1"
		for _, q := range []string{
			`mutation { createDepartment(input: {id: "gq-dept", organizationId: "gq-org", name: "Operations"}) { id } }`,
			`mutation { createTarget(input: {id: "gq-target", name: "Smart lock service", sector: "home", description: "Door locks opened from a phone.\nTwo lines."}) { id } }`,
			`mutation { createAsset(input: {id: "gq-lock", targetId: "gq-target", name: "Lock", kind: "component"}) { id } }`,
			`mutation { createAsset(input: {id: "gq-app", targetId: "gq-target", name: "App: \"mobile\"", kind: "system", description: "yes"}) { id } }`,
			`mutation { connectAssets(fromId: "gq-app", toId: "gq-lock") { id } }`,
			`mutation { createIncident(input: {id: "gq-inc-open", targetId: "gq-target", name: "Door opens for a burglar", consequence: "property"}) { id } }`,
			`mutation { createThreat(input: {id: "gq-threat", name: "Replayed unlock command", kind: "cyber-attack", externalId: "T0843", source: "mitre-attack-ics"}) { id } }`,
			`mutation { createMeasure(input: {id: "gq-measure", name: "Rolling codes", perspective: "P1", kind: "technical", description: "# not a comment"}) { id } }`,
			`mutation { linkMeasureToClause(input: {measureId: "gq-measure", clauseId: "` + clause + `", relationship: SUBSET_OF, coverage: 0.25, rationale: "Partly"}) { coverage } }`,
			`mutation { createAnalysis(input: {id: "gq-analysis", targetId: "gq-target", title: "Lock analysis", visibility: SHARED, sharedWithSectors: ["home", "insurance"]}) { id } }`,
			`mutation { assessIncident(input: {analysisId: "gq-analysis", incidentId: "gq-inc-open", axis1: 2, axis2: 3, estimatedLossJPY: 1234567.5,
				rationale: "Burglary; 2 lines\nsecond", ownerDepartmentId: "gq-dept", threats: [{id: "gq-threat"}, {new: {name: "Lost phone", kind: "human-error"}}],
				assetIds: ["gq-lock", "gq-app"], treatments: [{measureId: "gq-measure", status: IMPLEMENTED},
				{newMeasure: {name: "Tell users to set a PIN", perspective: "P3", kind: "human"}, status: PLANNED, perspective: "P2"}]}) { id } }`,
			`mutation { assessIncident(input: {analysisId: "gq-analysis", newIncident: {id: "gq-inc-locked", name: "Residents locked out in winter", consequence: "life-body"},
				axis1: 3, axis2: 1, threats: [{id: "gq-threat"}]}) { id } }`,
			`mutation { createInsurancePolicy(input: {id: "gq-policy", insurer: "Example Mutual", holderId: "gq-org", product: "Home cyber", periodStart: "2026-01-01",
				periodEnd: "2026-12-31", aggregateLimitJPY: 10000000, lines: [{id: "gq-line", type: "property", limitJPY: 5000000, exclusions: ["War", "true"],
				coversIncidentIds: ["gq-inc-open"], coversThreatIds: ["gq-threat"], requiresMeasureIds: ["gq-measure"], requiresClauseIds: ["` + clause + `"]}]}) { id } }`,
			`mutation { setAnalysisPolicies(id: "gq-analysis", policyIds: ["gq-policy"]) { id } }`,
			`mutation { markClausesNotApplicable(analysisId: "gq-analysis", marks: [
				{clauseId: "ciso:intuitem:risk:req_node:iec-62443-3-3-2013:sr-2.2", reason: "The lock pairs over a wire.\nNo radio: see the data sheet."},
				{clauseId: "ciso:intuitem:risk:req_node:iec-62443-3-3-2013:sr-1.12", reason: "yes"}]) { id } }`,
			`mutation { submitAnalysis(id: "gq-analysis") { id } }`,
		} {
			gql(q)
		}
		exported := exExport(t, in.URI, "gq-analysis")
		for _, want := range []string{"status: SUBMITTED", "submittedAt: ", "createdAt: ", "estimatedLossJPY: 1234567.5", "coverage: 0.25",
			"name: Lost phone", "perspective: P2", "Tell users to set a PIN", `- "true"`, "ownerDepartment: gq-dept",
			"  notApplicable:\n    - clause: ciso:intuitem:risk:req_node:iec-62443-3-3-2013:sr-1.12\n      reason: \"yes\"\n" +
				"    - clause: ciso:intuitem:risk:req_node:iec-62443-3-3-2013:sr-2.2\n      reason: |-\n        The lock pairs over a wire.\n"} {
			if !strings.Contains(string(exported), want) {
				t.Errorf("the export lacks %q:\n%s", want, exported)
			}
		}
		// The native batch has the mutations' storage shape: loading the
		// export where it came from finds every property as it is.
		exUnchanged(t, "loading the export where it came from", exIngest(t, db, "gq.yaml", exported))

		db2 := exFreshDB(t, in.URI)
		exIngest(t, db2, "gq.yaml", exported)
		if again := exExport(t, in.URI, "gq-analysis"); !bytes.Equal(exported, again) {
			t.Errorf("export → ingest into an empty database → export differs:\n%s", exDiff(string(exported), string(again)))
		}
	})

	t.Run("Errors", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		for _, tt := range []struct {
			name string
			args []string
			code int
			want string
		}{
			{"NoKind", []string{"export"}, exitUsage, "nothing to export"},
			{"OtherKind", []string{"export", "target", "x"}, exitUsage, `cannot export "target"`},
			{"NoID", []string{"export", "analysis"}, exitUsage, "needs the analysis's ID"},
			{"BadFormat", []string{"export", "analysis", "x", "--format", "xml"}, exitUsage, "--format must be yaml or json"},
			{"Unknown", []string{"export", "analysis", "nope", "--neo4j-uri", in.URI}, exitError, `no analysis "nope"`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				stdout.Reset()
				stderr.Reset()
				if code := run(t.Context(), tt.args, &stdout, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.want) {
					t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tt.code, tt.want)
				}
			})
		}
		out := filepath.Join(t.TempDir(), "a.json")
		exIngest(t, exFreshDB(t, in.URI), "example.yaml", example)
		stderr.Reset()
		if code := run(t.Context(), []string{"export", "--format=json", "analysis", "example-analysis-heatworks", "--out", out, "--neo4j-uri", in.URI}, &stdout, &stderr); code != exitOK {
			t.Fatalf("export --out: exit %d: %s", code, stderr.String())
		}
		data, err := os.ReadFile(out)
		if err != nil || !json.Valid(data) || !strings.Contains(stderr.String(), "exported analysis example-analysis-heatworks") {
			t.Errorf("export --out wrote %d bytes (valid JSON: %v, err %v), stderr %q", len(data), json.Valid(data), err, stderr.String())
		}
	})
}

// exDiff shows the first lines where two texts differ.
func exDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + a + "\n  got  " + b
		}
	}
	return "(equal)"
}
