package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
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
		"CONNECTS_TO": 3, "SATISFIES": 3, "MAPS_TO": 2, "MITIGATED_BY": 4, "HOLDS": 1, "HAS_LINE": 2, "COVERS": 3, "REQUIRES": 1,
		"RELIES_ON": 1, "ABOUT": 2, "ROUTED_TO": 2,
	} {
		if loaded[k] != want {
			t.Errorf("the demo has %d %s, want %d", loaded[k], k, want)
		}
	}
	// The analyses came through the ingest path, which derives the ids of
	// the assessments and treatments that a native document leaves out.
	if rows := in.Exec(t, `MATCH (:Assessment {id: 'demo-analysis-maker:as:demo-inc-crush'})-[:TREATED_BY]->(tr:Treatment)
		RETURN tr.id AS id ORDER BY id`, nil); fmt.Sprint(rows) != "[map[id:demo-analysis-maker:as:demo-inc-crush:tr:demo-m-cmd-auth] map[id:demo-analysis-maker:as:demo-inc-crush:tr:demo-m-interlock]]" {
		t.Errorf("treatments of the maker's crush assessment: %v", rows)
	}
	// Its documents are what the graph holds: checking them again against
	// it would change nothing.
	var out bytes.Buffer
	if code := run(t.Context(), append([]string{"ingest", "--dry-run", "--neo4j-uri", in.URI}, demoDocuments...), &out, &stderr); code != exitOK ||
		!strings.Contains(out.String(), "2 files, 0 failed: nodes 0 created, 0 updated, 66 unchanged; relationships 0 created, 0 updated, 99 unchanged;") {
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
		target(id: "demo-shutter") { name assets { id } incidents { id } } }`
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

	// --reset deletes the demo (and so the tokens of the two seeds above,
	// and the feedback, whose ids are generated) and loads it afresh: then
	// everything is there once, as after the first seed.
	stderr.Reset()
	if code := run(t.Context(), []string{"seed", "--demo", "--reset", "--neo4j-uri", in.URI}, io.Discard, &stderr); code != exitOK || !strings.Contains(stderr.String(), "loaded the illustrative") {
		t.Fatalf("seed --demo --reset: exit %d, stderr %q", code, stderr.String())
	}
	if again := seedCounts(t, in); fmt.Sprint(again) != fmt.Sprint(loaded) {
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
