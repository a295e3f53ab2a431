package neo4jtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Compared describes a target with several submitted, public analyses made
// by ComparisonFixture.
type Compared struct {
	TargetID    string
	AnalysisIDs []string
	IncidentIDs []string
}

// ComparisonFixture writes, directly in Neo4j and in the storage shape the
// read side expects, one target with `incidents` incidents, 5 threats, 10
// measures and `analyses` submitted PUBLIC analyses (one organization each)
// that assess every incident with ranks that differ between analyses in a
// fixed pattern. It uses UNWIND in batches, so 10 × 1,000 takes seconds.
// Every id starts with prefix.
func ComparisonFixture(t testing.TB, prefix string, analyses, incidents int) Compared {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := Compared{TargetID: prefix + "target"}
	for i := range incidents {
		c.IncidentIDs = append(c.IncidentIDs, fmt.Sprintf("%sinc-%05d", prefix, i))
	}
	for a := range analyses {
		c.AnalysisIDs = append(c.AnalysisIDs, fmt.Sprintf("%sanalysis-%02d", prefix, a))
	}
	must := func(cypher string, params map[string]any) {
		t.Helper()
		if err := run(ctx, cypher, params); err != nil {
			t.Fatalf("neo4jtest.ComparisonFixture: %v", err)
		}
	}
	must(`
MERGE (t:Target:Entity {id: $p + 'target'}) SET t.name = 'Fixture target ' + $p, t.sector = 'home', t.description = ''
WITH t
UNWIND range(0, 4) AS i
MERGE (x:Threat:Entity {id: $p + 'threat-' + i}) SET x.name = 'Threat ' + i, x.kind = 'cyber-attack', x.description = ''
WITH t
UNWIND range(0, 9) AS i
MERGE (m:Measure:Entity {id: $p + 'measure-' + i})
  SET m.name = 'Measure ' + i, m.kind = 'technical', m.description = '', m.perspective = 'P' + (1 + i % 4)`, map[string]any{"p": prefix})
	for start := 0; start < incidents; start += 2000 {
		must(`
MATCH (t:Target {id: $p + 'target'})
UNWIND $ids AS id
MERGE (i:Incident:Entity {id: id}) SET i.name = 'Incident ' + id, i.consequence = 'property', i.description = '', i.targetId = t.id
MERGE (t)-[:HAS_INCIDENT]->(i)`, map[string]any{"p": prefix, "ids": c.IncidentIDs[start:min(start+2000, incidents)]})
	}
	for a, aid := range c.AnalysisIDs {
		org := fmt.Sprintf("%sorg-%02d", prefix, a)
		must(`
MATCH (t:Target {id: $p + 'target'})
MERGE (o:Organization:Entity {id: $org}) SET o.name = $org, o.sector = 'home'
MERGE (a:Analysis:Entity {id: $aid})
  SET a.title = 'Fixture analysis ' + $aid, a.status = 'SUBMITTED', a.version = 1, a.visibility = 'PUBLIC',
      a.sharedWithOrganizationIds = [], a.sharedWithSectors = [], a.organizationId = $org, a.targetId = t.id,
      a.createdAt = datetime(), a.updatedAt = datetime(), a.submittedAt = datetime()
MERGE (o)-[:AUTHORED]->(a) MERGE (a)-[:ANALYZES]->(t)`, map[string]any{"p": prefix, "org": org, "aid": aid})
		for start := 0; start < incidents; start += 1000 {
			rows := make([]map[string]any, 0, 1000)
			for i := start; i < min(start+1000, incidents); i++ {
				a1 := 1 + (i+a*(i%3))%4
				a2 := 1 + (i*7+a*(i%2))%4
				rows = append(rows, map[string]any{
					"id": fmt.Sprintf("%s-s%05d", aid, i), "incident": c.IncidentIDs[i],
					"axis1": a1, "axis2": a2, "category": max(a1, a2),
					"threat":   fmt.Sprintf("%sthreat-%d", prefix, (i+a)%5),
					"measures": []string{fmt.Sprintf("%smeasure-%d", prefix, i%10), fmt.Sprintf("%smeasure-%d", prefix, (i+a)%10)},
				})
			}
			must(`
MATCH (a:Analysis {id: $aid})
UNWIND $rows AS row
MATCH (i:Incident {id: row.incident})
MATCH (x:Threat {id: row.threat})
CREATE (a)-[:HAS_ASSESSMENT]->(s:Assessment:Entity {id: row.id, analysisId: a.id, incidentId: row.incident,
  axis1: row.axis1, axis2: row.axis2, category: row.category, rationale: 'fixture'})
CREATE (s)-[:OF]->(i), (s)-[:CAUSED_BY]->(x)
WITH s, row
UNWIND range(0, size(row.measures) - 1) AS k
MATCH (m:Measure {id: row.measures[k]})
MERGE (s)-[:TREATED_BY]->(tr:Treatment:Entity {id: row.id + '-t' + k})
  ON CREATE SET tr.assessmentId = s.id, tr.measureId = m.id, tr.status = 'IMPLEMENTED', tr.perspective = m.perspective
MERGE (tr)-[:APPLIES]->(m)`, map[string]any{"aid": aid, "rows": rows})
		}
	}
	if _, err := Open(t).RefreshComparisonRefs(ctx, prefix); err != nil { // written past the store
		t.Fatalf("neo4jtest.ComparisonFixture: %v", err)
	}
	return c
}

// SubmitThroughStore makes the analyses of c drafts again and submits each
// through the store (neo4j.DB.SubmitAnalysis), so that their assessments
// keep what they rated (the snapshot property) as real submitted analyses
// do; ComparisonFixture writes them submitted but without it.
func SubmitThroughStore(t testing.TB, c Compared) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, `MATCH (a:Analysis) WHERE a.id IN $ids SET a.status = 'DRAFT'`, map[string]any{"ids": c.AnalysisIDs}); err != nil {
		t.Fatalf("neo4jtest.SubmitThroughStore: %v", err)
	}
	for _, id := range c.AnalysisIDs {
		if _, err := Open(t).SubmitAnalysis(ctx, id); err != nil {
			t.Fatalf("neo4jtest.SubmitThroughStore %s: %v", id, err)
		}
	}
}

// Retitle gives the first analysis of c a new title and counts up the
// target's revision, as a write through the store would, so that the next
// comparison differs for every view (benchmarks that publish changes).
func Retitle(t testing.TB, c Compared, title string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := run(ctx, `
MATCH (a:Analysis {id: $a}) SET a.title = $title
WITH a
MERGE (r:`+model.LabelTargetRevision+` {targetId: $t})
SET r.revision = coalesce(r.revision, 0) + 1`, map[string]any{"a": c.AnalysisIDs[0], "t": c.TargetID, "title": title})
	if err != nil {
		t.Fatalf("neo4jtest.Retitle: %v", err)
	}
}
