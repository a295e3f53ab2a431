package neo4jtest

import (
	"cmp"
	"context"
	"testing"
	"time"
)

// PeopleAnalysis describes an analysis that PeopleAnalysisFixture writes
// straight into Neo4j, in the storage shape graph/neo4j/decode.go reads,
// for tests of deletes that must respect submitted analyses without going
// through the analysis mutations. The organization, target, incidents,
// assets, departments and policies it names must exist.
type PeopleAnalysis struct {
	ID, Org, Target string
	// Status is "DRAFT" (the default) or "SUBMITTED".
	Status string
	// PolicyIDs are the insurance policies it RELIES_ON.
	PolicyIDs   []string
	Assessments []PeopleAssessment
}

// PeopleAssessment is one assessment of a PeopleAnalysis.
type PeopleAssessment struct {
	ID, Incident string
	// AssetIDs are the assets it goes THROUGH.
	AssetIDs []string
	// OwnerDepartment is the department that owns it ("" for none).
	OwnerDepartment string
	// MeasureIDs get a treatment each; the measures are created (MERGE)
	// with these ids.
	MeasureIDs []string
}

const peopleAnalysisCypher = `
MATCH (o:Organization {id: $org}), (t:Target {id: $target})
CREATE (a:Analysis:Entity {id: $id, title: $id, status: $status, version: 1, visibility: 'PRIVATE',
  sharedWithOrganizationIds: [], sharedWithSectors: [], organizationId: $org, targetId: $target,
  createdAt: datetime(), updatedAt: datetime()})
CREATE (o)-[:AUTHORED]->(a), (a)-[:ANALYZES]->(t)
FOREACH (_ IN CASE WHEN $status = 'SUBMITTED' THEN [1] ELSE [] END | SET a.submittedAt = datetime())
WITH a
CALL (a) {
  UNWIND $policies AS pid
  MATCH (p:InsurancePolicy {id: pid})
  CREATE (a)-[:RELIES_ON]->(p)
}
CALL (a) {
  UNWIND $assessments AS x
  MATCH (i:Incident {id: x.incident})
  CREATE (a)-[:HAS_ASSESSMENT]->(s:Assessment:Entity {id: x.id, analysisId: a.id, incidentId: x.incident,
    axis1: 2, axis2: 2, category: 2, rationale: 'fixture'})-[:OF]->(i)
  FOREACH (_ IN CASE WHEN x.dept = '' THEN [] ELSE [1] END | SET s.ownerDepartmentId = x.dept)
  WITH s, x
  CALL (s, x) {
    UNWIND x.assets AS xid
    MATCH (as:Asset {id: xid})
    CREATE (s)-[:THROUGH]->(as)
  }
  CALL (s, x) {
    MATCH (d:Department {id: x.dept})
    CREATE (s)-[:OWNED_BY]->(d)
  }
  CALL (s, x) {
    UNWIND x.measures AS mid
    MERGE (m:Measure:Entity {id: mid})
      ON CREATE SET m.name = mid, m.description = '', m.perspective = 'P1', m.kind = 'technical'
    CREATE (s)-[:TREATED_BY]->(:Treatment:Entity {id: s.id + '-' + mid, assessmentId: s.id, measureId: mid,
      status: 'IMPLEMENTED', perspective: 'P1'})-[:APPLIES]->(m)
  }
}
RETURN a.id AS id`

// PeopleAnalysisFixture creates the analysis a describes and returns its id.
// It fails the test on error.
func PeopleAnalysisFixture(t testing.TB, a PeopleAnalysis) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	assessments := make([]map[string]any, 0, len(a.Assessments))
	for _, s := range a.Assessments {
		assessments = append(assessments, map[string]any{"id": s.ID, "incident": s.Incident, "dept": s.OwnerDepartment,
			"assets": peopleNonNil(s.AssetIDs), "measures": peopleNonNil(s.MeasureIDs)})
	}
	err := run(ctx, peopleAnalysisCypher, map[string]any{"id": a.ID, "org": a.Org, "target": a.Target,
		"status": cmp.Or(a.Status, "DRAFT"), "policies": peopleNonNil(a.PolicyIDs), "assessments": assessments})
	if err != nil {
		t.Fatalf("neo4jtest.PeopleAnalysisFixture %s: %v", a.ID, err)
	}
	for _, x := range a.Assessments {
		storeComparisonRefs(t, ctx, x.ID)
	}
	return a.ID
}

// PeopleFeedbackFixture creates feedback by organization org about node
// about, as the feedback mutations store it, and returns its id.
func PeopleFeedbackFixture(t testing.TB, id, org, about string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, `
MATCH (o:Organization {id: $org}), (x:Entity {id: $about})
CREATE (f:Feedback:Entity {id: $id, kind: 'NEW_RISK', text: 'fixture', status: 'OPEN', aboutId: $about,
  organizationId: $org, sector: o.sector, createdAt: datetime()})
CREATE (f)-[:ABOUT]->(x), (f)-[:BY]->(o)`, map[string]any{"id": id, "org": org, "about": about})
	if err != nil {
		t.Fatalf("neo4jtest.PeopleFeedbackFixture %s: %v", id, err)
	}
	return id
}

// PeopleExists reports whether a node with the given id exists.
func PeopleExists(t testing.TB, id string) bool {
	t.Helper()
	return peopleCount(t, id) > 0
}

// PeopleRelated returns the ids of the nodes that node id reaches over
// relationships of type rel (outgoing), sorted.
func PeopleRelated(t testing.TB, id, rel string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := peopleQuery(ctx, `MATCH (n:Entity {id: $id})-[r]->(m) WHERE type(r) = $rel WITH m.id AS id ORDER BY id RETURN collect(id) AS ids`,
		map[string]any{"id": id, "rel": rel})
	if err != nil {
		t.Fatalf("neo4jtest.PeopleRelated %s %s: %v", id, rel, err)
	}
	var out []string
	for _, v := range rows[0]["ids"].([]any) {
		out = append(out, v.(string))
	}
	return out
}

// PeopleProperty returns a property of the node with the given id (nil when
// the node or the property is missing).
func PeopleProperty(t testing.TB, id, key string) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := peopleQuery(ctx, `OPTIONAL MATCH (n:Entity {id: $id}) RETURN n[$key] AS v`, map[string]any{"id": id, "key": key})
	if err != nil {
		t.Fatalf("neo4jtest.PeopleProperty %s.%s: %v", id, key, err)
	}
	return rows[0]["v"]
}

func peopleCount(t testing.TB, id string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := peopleQuery(ctx, `MATCH (n:Entity {id: $id}) RETURN count(n) AS n`, map[string]any{"id": id})
	if err != nil {
		t.Fatalf("neo4jtest.PeopleExists %s: %v", id, err)
	}
	n, _ := rows[0]["n"].(int64)
	return int(n)
}

func peopleNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// peopleQuery runs one statement and returns its rows as maps.
func peopleQuery(ctx context.Context, cypher string, params map[string]any) ([]map[string]any, error) {
	records, err := query(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	rows := make([]map[string]any, 0, len(records))
	for _, r := range records {
		rows = append(rows, r.AsMap())
	}
	return rows, nil
}

// PeopleCatalogFixture creates a threat, a measure, and a guideline with one
// clause, with the given ids, as the catalog mutations store them.
func PeopleCatalogFixture(t testing.TB, threat, measure, guideline, clause string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, `
CREATE (:Threat:Entity {id: $threat, name: $threat, kind: 'cyber-attack', description: ''})
CREATE (:Measure:Entity {id: $measure, name: $measure, description: '', perspective: 'P1', kind: 'technical'})
CREATE (g:Guideline:Entity {id: $guideline, title: $guideline, publisher: 'fixture', version: '1'})
CREATE (g)-[:HAS_CLAUSE]->(:Clause:Entity {id: $clause, guidelineId: $guideline, ref: '1', title: $clause, text: ''})`,
		map[string]any{"threat": threat, "measure": measure, "guideline": guideline, "clause": clause})
	if err != nil {
		t.Fatalf("neo4jtest.PeopleCatalogFixture: %v", err)
	}
}
