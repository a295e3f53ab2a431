package resolvers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// nestedReadDoc is the nested read whose round trips must not grow with
// the data: targets, their analyses with the clauses they mark not
// applicable, their assessments with levels, incidents, threats and
// treatments with their measures' clauses.
const nestedReadDoc = `query($text: String!, $first: Int!) {
  targets(text: $text, first: $first) { nodes { id analyses { id notApplicable { reason clause { ref } } assessments {
    id category axis1 { labelEn } incident { name } threats { name }
    treatments { status measure { name clauses { clause { ref } } } }
  } } } }
}`

// nestedRead is what nestedReadDoc returns.
type nestedRead struct {
	Targets struct {
		Nodes []struct {
			ID       string
			Analyses []struct {
				ID            string
				NotApplicable []struct {
					Reason string
					Clause struct{ Ref string }
				}
				Assessments []struct {
					ID       string
					Category int
					Axis1    struct{ LabelEn string }
					Incident struct{ Name string }
					Threats  []struct{ Name string }
					Treat    []struct {
						Status  string
						Measure struct {
							Name    string
							Clauses []struct{ Clause struct{ Ref string } }
						}
					} `json:"treatments"`
				}
			}
		}
	}
}

// countNested checks the shape of a nested read's answer against size and
// returns how many assessments, treatments and clause links it held.
func countNested(t testing.TB, raw json.RawMessage, size neo4jtest.AnalysisBulkSize) (assessments, treatments, clauses int) {
	t.Helper()
	var got nestedRead
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Targets.Nodes) != size.Targets {
		t.Fatalf("%d targets, want %d", len(got.Targets.Nodes), size.Targets)
	}
	for _, tg := range got.Targets.Nodes {
		if len(tg.Analyses) != size.AnalysesPerTarget {
			t.Fatalf("target %s: %d analyses, want %d", tg.ID, len(tg.Analyses), size.AnalysesPerTarget)
		}
		for _, a := range tg.Analyses {
			if len(a.NotApplicable) != 2 || a.NotApplicable[0].Reason == "" || a.NotApplicable[0].Clause.Ref == "" ||
				a.NotApplicable[0].Clause.Ref >= a.NotApplicable[1].Clause.Ref {
				t.Fatalf("analysis %s: not-applicable clauses %+v, want 2 with reasons, by clause", a.ID, a.NotApplicable)
			}
			for _, s := range a.Assessments {
				assessments++
				if s.Category < 1 || s.Axis1.LabelEn == "" || s.Incident.Name == "" || len(s.Threats) != 2 {
					t.Fatalf("assessment %+v is incomplete", s)
				}
				for _, tr := range s.Treat {
					treatments++
					clauses += len(tr.Measure.Clauses)
					if tr.Measure.Name == "" || len(tr.Measure.Clauses) == 0 || tr.Measure.Clauses[0].Clause.Ref == "" {
						t.Fatalf("treatment %+v is incomplete", tr)
					}
				}
			}
		}
	}
	return assessments, treatments, clauses
}

// postNested sends the nested read anonymously (every bulk analysis is
// PUBLIC, and no token means no round trip to check one).
func postNested(t testing.TB, srv *httptest.Server, word string, first int) json.RawMessage {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": nestedReadDoc, "variables": map[string]any{"text": word, "first": first}})
	resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("HTTP %d: %+v", resp.StatusCode, r.Errors)
	}
	return r.Data
}

// maxNestedTrips bounds the round trips of nestedReadDoc: one per level
// that fans out (targets, analyses, not-applicable marks, assessments,
// incidents, threats, treatments, measures, clause links, clauses) plus
// the scales.
const maxNestedTrips = 13

// TestNestedReadRoundTripsDoNotGrow is the "no N+1" check: the nested read
// makes the same small number of round trips to Neo4j whatever the number
// of targets, analyses and assessments.
func TestNestedReadRoundTripsDoNotGrow(t *testing.T) {
	t.Parallel()
	trips := map[string]int{}
	var sizes []neo4jtest.AnalysisBulkSize
	for _, size := range []neo4jtest.AnalysisBulkSize{
		{Targets: 2, AnalysesPerTarget: 2, AssessmentsPerAnalysis: 3},
		{Targets: 6, AnalysesPerTarget: 3, AssessmentsPerAnalysis: 10},
	} {
		sizes = append(sizes, size)
		name := fmt.Sprintf("%dx%dx%d", size.Targets, size.AnalysesPerTarget, size.AssessmentsPerAnalysis)
		t.Run(name, func(t *testing.T) {
			p := neo4jtest.Prefix(t)
			bulk := neo4jtest.AnalysisBulkCreate(t, p, size)
			counter := &neo4jtest.Counter{}
			db := neo4jtest.OpenObserved(t, counter)
			srv := newServer(t, resolvers.Options{Store: db})
			counter.Take() // nothing before the query counts

			raw := postNested(t, srv, bulk.Word, 500)
			n, by := counter.Take()
			assessments, treatments, clauses := countNested(t, raw, size)
			if assessments != bulk.Assessments || treatments != 2*bulk.Assessments || clauses != treatments {
				t.Errorf("read %d assessments, %d treatments, %d clause links; want %d, %d, %d",
					assessments, treatments, clauses, bulk.Assessments, 2*bulk.Assessments, 2*bulk.Assessments)
			}
			t.Logf("%s: %d round trips (%s)", name, n, by)
			if n > maxNestedTrips {
				t.Errorf("%d round trips (%s), want at most %d", n, by, maxNestedTrips)
			}
			trips[name] = n
		})
	}
	if t.Failed() {
		return
	}
	small := fmt.Sprintf("%dx%dx%d", sizes[0].Targets, sizes[0].AnalysesPerTarget, sizes[0].AssessmentsPerAnalysis)
	large := fmt.Sprintf("%dx%dx%d", sizes[1].Targets, sizes[1].AnalysesPerTarget, sizes[1].AssessmentsPerAnalysis)
	// A level's batch may be split in two when its siblings resolve at
	// different moments (a busy machine), so one trip of difference either way
	// is timing; an N+1 would add a trip per node (hundreds here).
	if d := trips[large] - trips[small]; d > 1 || d < -1 {
		t.Errorf("round trips grow with the data: %d for %s, %d for %s", trips[small], small, trips[large], large)
	}
}
