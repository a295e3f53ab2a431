package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/browsertest"
)

// TestSeedDemo loads the demo into an empty private Neo4j (so that it never
// touches a developer's own demo data) and explores it as a newcomer would.
func TestSeedDemo(t *testing.T) {
	t.Parallel()
	in := neo4jtest.SharedInstance(t)
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"seed", "--demo", "--neo4j-uri", in.URI}, &stdout, &stderr); code != exitOK {
		t.Fatalf("seed --demo: exit %d: %s", code, stderr.String())
	}
	loaded := seedCounts(t, in)
	for k, want := range map[string]int{
		"Organization": 4, "Department": 4, "Target": 1, "Asset": 6, "Incident": 5, "Threat": 5, "Measure": 8,
		"Guideline": 2, "Clause": 6, "InsurancePolicy": 1, "CoverageLine": 2, "Analysis": 2, "Assessment": 8, "Treatment": 13,
		"Feedback": 2, "User": 4, "ApiToken": 4,
		"AUTHORED": 2, "HAS_ASSESSMENT": 8, "OF": 8, "OWNED_BY": 8, "CAUSED_BY": 12, "TREATED_BY": 13, "APPLIES": 13,
		"CONNECTS_TO": 3, "SATISFIES": 4, "MAPS_TO": 2, "MITIGATED_BY": 4, "HOLDS": 1, "HAS_LINE": 2, "COVERS": 3, "REQUIRES": 2,
		"RELIES_ON": 1, "ABOUT": 2, "ROUTED_TO": 2,
	} {
		if loaded[k] != want {
			t.Errorf("the demo has %d %s, want %d", loaded[k], k, want)
		}
	}
	// The analyses came through the ingest path, which derives the ids of
	// the assessments and treatments that a native document leaves out.
	if rows := in.Exec(t, `MATCH (:Assessment {idKey: 'demo-analysis-maker:as:demo-inc-crush'})-[:TREATED_BY]->(tr:Treatment)
		RETURN tr.idKey AS id ORDER BY id`, nil); fmt.Sprint(rows) != "[map[id:demo-analysis-maker:as:demo-inc-crush:tr:demo-m-cmd-auth] map[id:demo-analysis-maker:as:demo-inc-crush:tr:demo-m-interlock]]" {
		t.Errorf("treatments of the maker's crush assessment: %v", rows)
	}
	// Its documents are what the graph holds: checking them again against
	// it would change nothing.
	var out bytes.Buffer
	if code := run(t.Context(), append([]string{"ingest", "--dry-run", "--neo4j-uri", in.URI}, demoDocuments...), &out, &stderr); code != exitOK ||
		!strings.Contains(out.String(), "2 files, 0 failed: nodes 0 created, 0 updated, 66 unchanged; relationships 0 created, 0 updated, 101 unchanged;") {
		t.Errorf("ingest --dry-run of the demo's documents: exit %d, %s%s", code, out.String(), stderr.String())
	}
	tokens := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		f := strings.Fields(line)
		if len(f) == 5 && f[2] == "Authorization:" {
			tokens[f[0]] = f[4]
		}
	}
	if len(tokens) != 4 {
		t.Fatalf("seed printed %d tokens, want 4:\n%s", len(tokens), stdout.String())
	}

	stdout.Reset()
	stderr.Reset()
	if code := run(t.Context(), []string{"seed", "--demo", "--neo4j-uri", in.URI}, &stdout, &stderr); code != exitOK || !strings.Contains(stderr.String(), "already") {
		t.Fatalf("second seed: exit %d, stderr %q; want 0 and 'already'", code, stderr.String())
	}
	if code := run(t.Context(), []string{"seed", "--neo4j-uri", in.URI}, io.Discard, &stderr); code != exitUsage {
		t.Errorf("seed without --demo: exit %d, want %d", code, exitUsage)
	}

	m := startMain(t, in.URI)
	query := `{ compareAnalyses(targetId: "demo-shutter") { analyses { analysis { id organization { id } } }
		hotspots { incident { name } score } partial { incident { id } } }
		feedback { totalCount nodes { kind routedTo { id } } }
		target(id: "demo-shutter") { name assets { id } incidents { id } }
		ja: targets(text: "電動窓シャッター") { nodes { id name } } crush: search(text: "人やペット") { node { id } } }`
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, m.URL()+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tokens["demo-maker"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			CompareAnalyses struct {
				Analyses []struct{ Analysis struct{ ID string } }
				Hotspots []struct{ Score float64 }
				Partial  []struct{ Incident struct{ ID string } }
			}
			Feedback struct {
				TotalCount int
				Nodes      []struct{ Kind string }
			}
			Target struct {
				Name      string
				Assets    []struct{ ID string }
				Incidents []struct{ ID string }
			}
			Ja    struct{ Nodes []struct{ ID, Name string } }
			Crush []struct{ Node struct{ ID string } }
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
		t.Fatalf("explore the demo: %v %v", err, r.Errors)
	}
	c := r.Data.CompareAnalyses
	if len(c.Analyses) != 2 || len(c.Hotspots) == 0 || len(c.Partial) != 2 {
		t.Errorf("demo comparison: %d analyses, %d hotspots, %d partial incidents; want 2, some, 2", len(c.Analyses), len(c.Hotspots), len(c.Partial))
	}
	if r.Data.Feedback.TotalCount != 2 {
		t.Errorf("the maker sees %d feedback, want the 2 routed to it", r.Data.Feedback.TotalCount)
	}
	if !strings.Contains(r.Data.Target.Name, "illustrative") || len(r.Data.Target.Assets) != 6 || len(r.Data.Target.Incidents) != 5 {
		t.Errorf("demo target = %+v", r.Data.Target)
	}

	// Names are English and Japanese side by side, as entered, and the
	// full-text index finds the Japanese.
	if ja := r.Data.Ja.Nodes; len(ja) != 1 || ja[0].ID != "demo-shutter" ||
		ja[0].Name != "Smart-home window-shutter service (illustrative demo) / スマートホーム電動窓シャッターサービス（例示用デモ）" {
		t.Errorf("targets(text: 電動窓シャッター) = %+v, want demo-shutter with its name as entered", ja)
	}
	if len(r.Data.Crush) != 1 || r.Data.Crush[0].Node.ID != "demo-inc-crush" {
		t.Errorf("search(text: 人やペット) = %+v, want demo-inc-crush alone", r.Data.Crush)
	}

	demoDueCare(t, m.URL(), tokens, in.URI)
	demoComparisonPage(t, m.URL(), tokens["demo-maker"])

	// --reset deletes the demo (and so the tokens of the two seeds above,
	// and the feedback, whose ids are generated) and loads it afresh: then
	// everything is there once, as after the first seed.
	stderr.Reset()
	if code := run(t.Context(), []string{"seed", "--demo", "--reset", "--neo4j-uri", in.URI}, io.Discard, &stderr); code != exitOK || !strings.Contains(stderr.String(), "loaded the illustrative") {
		t.Fatalf("seed --demo --reset: exit %d, stderr %q", code, stderr.String())
	}
	// The audit trail is no part of the demo: --reset keeps it, and it grows
	// with every write (the seeds, the tour's mutations, the reset).
	again := seedCounts(t, in)
	if again[model.LabelAuditEvent] <= loaded[model.LabelAuditEvent] {
		t.Errorf("the audit trail has %d events after a seed, a tour and a reset; %d after the first seed", again[model.LabelAuditEvent], loaded[model.LabelAuditEvent])
	}
	if rows := in.Exec(t, `MATCH (e:AuditEvent {userId: 'cli', op: 'neo4j.LoadBatch'}) WHERE any(id IN e.ids WHERE id STARTS WITH 'demo-')
		RETURN count(e) AS n`, nil); rows[0]["n"].(int64) == 0 {
		t.Error("no audit event of the seed's loads is attributed to the CLI")
	}
	delete(again, model.LabelAuditEvent)
	delete(loaded, model.LabelAuditEvent)
	if fmt.Sprint(again) != fmt.Sprint(loaded) {
		t.Errorf("after --reset the database has\n%v\nafter the first seed it had\n%v", again, loaded)
	}
}

// seedCounts returns the number of nodes of each label (but Entity) and of
// relationships of each type in the private instance in.
func seedCounts(t *testing.T, in *neo4jtest.Instance) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, r := range in.Exec(t, `MATCH (n) RETURN [l IN labels(n) WHERE l <> 'Entity'][0] AS key, count(*) AS n
		UNION ALL MATCH ()-[r]->() RETURN type(r) AS key, count(*) AS n`, nil) {
		counts[r["key"].(string)] += int(r["n"].(int64))
	}
	return counts
}

// demoDueCare takes the due-care part of the README tour on the demo: the
// manufacturer's coverage of the IEC 62443-4-2 excerpt shows a COVERED, a
// PARTIAL and a GAP clause through the ETSI crosswalk, the operator's
// liability line is an insurance gap (it requires CR 3.1, which the
// operator does not meet), and the report renders in every format, from
// the API and from the CLI.
func demoDueCare(t *testing.T, url string, tokens map[string]string, uri string) {
	t.Helper()
	query := `{ maker: guidelineCoverage(analysisId: "demo-analysis-maker", guidelineId: "demo-iec-62443-4-2") {
		clauses { clause { id } status path { hops steps { kind to { id } } } } }
	  operator: guidelineCoverage(analysisId: "demo-analysis-operator", guidelineId: "demo-etsi-303645") { clauses { clause { id } status } }
	  insuranceGaps(analysisId: "demo-analysis-operator") { entries { incident { id } status unmetConditions { clause { id } } } }
	  dueCareReport(analysisId: "demo-analysis-maker", guidelineIds: ["demo-etsi-303645", "demo-iec-62443-4-2"]) { document(format: HTML) } }`
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tokens["demo-insurer"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	type clauseStatus struct {
		Clause struct{ ID string }
		Status string
		Path   *struct{ Hops int }
	}
	var r struct {
		Data struct {
			Maker, Operator struct{ Clauses []clauseStatus }
			InsuranceGaps   struct {
				Entries []struct {
					Incident        struct{ ID string }
					Status          string
					UnmetConditions []struct{ Clause *struct{ ID string } }
				}
			}
			DueCareReport struct{ Document string }
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
		t.Fatalf("the due-care tour: %v %v", err, r.Errors)
	}
	statuses := func(cs []clauseStatus) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Clause.ID+"="+c.Status)
		}
		return strings.Join(out, " ")
	}
	if got, want := statuses(r.Data.Maker.Clauses), "demo-iec-cr-1.1=GAP demo-iec-cr-3.1=COVERED demo-iec-cr-3.4=PARTIAL"; got != want {
		t.Errorf("the maker's IEC 62443-4-2 coverage: %s, want %s", got, want)
	}
	for _, c := range r.Data.Maker.Clauses {
		if c.Status != "GAP" && (c.Path == nil || c.Path.Hops != 1) {
			t.Errorf("%s is reached through the ETSI crosswalk: %+v", c.Clause.ID, c.Path)
		}
	}
	if got, want := statuses(r.Data.Operator.Clauses), "demo-etsi-5.1=PLANNED demo-etsi-5.3=PARTIAL demo-etsi-5.5=GAP"; got != want {
		t.Errorf("the operator's ETSI coverage: %s, want %s", got, want)
	}
	unmet := 0
	for _, e := range r.Data.InsuranceGaps.Entries {
		if e.Status == "CONDITION_UNMET" {
			if len(e.UnmetConditions) != 1 || e.UnmetConditions[0].Clause == nil || e.UnmetConditions[0].Clause.ID != "demo-iec-cr-3.1" {
				t.Errorf("%s: unmet %+v, want CR 3.1", e.Incident.ID, e.UnmetConditions)
			}
			unmet++
		}
	}
	if unmet != 2 {
		t.Errorf("insurance gaps %+v: want burglary and crush CONDITION_UNMET", r.Data.InsuranceGaps.Entries)
	}
	if !strings.Contains(r.Data.DueCareReport.Document, "<h2>Coverage: IEC 62443-4-2 (excerpt, illustrative)") {
		t.Error("the HTML report of the demo lacks its IEC coverage")
	}

	for _, f := range []string{"md", "json", "csv", "html"} {
		var stdout, stderr bytes.Buffer
		args := []string{"export", "report", "--analysis", "demo-analysis-operator", "--guideline", "demo-etsi-303645", "--guideline", "demo-iec-62443-4-2", "--format", f, "--neo4j-uri", uri}
		if code := run(t.Context(), args, &stdout, &stderr); code != exitOK || stdout.Len() < 1000 {
			t.Fatalf("export report --format %s: exit %d, %d bytes, %s", f, code, stdout.Len(), stderr.String())
		}
		if f == "md" && (!strings.Contains(stdout.String(), "| CONDITION_UNMET |") || !strings.Contains(stdout.String(), "demo-etsi-5.1")) {
			t.Errorf("the Markdown report of the operator's analysis lacks its insurance gap or its coverage:\n%s", stdout.String())
		}
	}
	var stderr bytes.Buffer
	if code := run(t.Context(), []string{"export", "report", "--analysis", "demo-analysis-operator", "--neo4j-uri", uri}, io.Discard, &stderr); code != exitUsage {
		t.Errorf("export report without --guideline: exit %d, want %d", code, exitUsage)
	}
}

// demoComparisonPage opens the demo target's comparison page in a real
// browser, signed in as the maker: it shows as many cells as the API's
// comparison has analyses × incidents, the same revision and alpha, and
// the names as entered, Japanese included.
func demoComparisonPage(t *testing.T, url, token string) {
	t.Helper()
	var api struct {
		Data struct {
			CompareAnalyses struct {
				Revision  int
				Analyses  []any
				Incidents []any
				Agreement struct{ Axis1 struct{ Value *float64 } }
			}
		}
		Errors []any
	}
	body, _ := json.Marshal(map[string]any{"query": `{ compareAnalyses(targetId: "demo-shutter", includeDrafts: true) {
		revision analyses { incidents } incidents { divergent } agreement { axis1 { value } } } }`})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&api); err != nil || len(api.Errors) > 0 {
		t.Fatalf("the demo's comparison: %v %v", err, api.Errors)
	}
	want := api.Data.CompareAnalyses
	cells := len(want.Analyses) * len(want.Incidents)
	alpha := "—"
	if want.Agreement.Axis1.Value != nil {
		alpha = strconv.FormatFloat(*want.Agreement.Axis1.Value, 'f', 2, 64)
	}

	ctx, cancel := context.WithTimeout(browsertest.New(t), 60*time.Second)
	defer cancel()
	browsertest.SignIn(t, ctx, url+"/targets/demo-shutter/compare", token)
	got, err := chromedp.Run(ctx, chromedp.Poll[map[string]any](fmt.Sprintf(
		`document.querySelectorAll('td.cell').length === %d && {revision: document.getElementById('revision').textContent, alpha: document.getElementById('alpha-axis1').textContent, text: document.getElementById('matrix').innerText}`, cells),
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('status').textContent`))
		t.Fatalf("the demo's comparison page never showed %d cells (status %q): %v", cells, status, err)
	}
	if got["revision"] != strconv.Itoa(want.Revision) || got["alpha"] != alpha {
		t.Errorf("the demo's page shows revision %v, alpha %v; the API %d, %s", got["revision"], got["alpha"], want.Revision, alpha)
	}
	if text, _ := got["text"].(string); !strings.Contains(text, "シャッターが人やペットを挟む") {
		t.Errorf("the demo's matrix does not show the incidents' Japanese names as entered:\n%s", text)
	}
	browsertest.Screenshot(t, ctx, "demo-compare")
}
