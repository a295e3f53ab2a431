package main

import (
	"bytes"
	"encoding/json"
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
}
