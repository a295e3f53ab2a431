package neo4jtest

import (
	"context"
	"testing"
	"time"
)

// CatalogUse is what AnalysisUsing created: an analysis of a new target
// whose one assessment names a threat and applies a measure.
type CatalogUse struct {
	AnalysisID, AssessmentID, TreatmentID, TargetID, IncidentID string
}

// AnalysisUsing creates, directly in Neo4j (not through the API under
// test), a target with an incident and an analysis of it by organization
// org in the given status ("DRAFT" or "SUBMITTED") and PUBLIC visibility,
// whose one assessment is CAUSED_BY the threat and TREATED_BY a treatment
// that APPLIES the measure. Every id starts with id. It is for tests of
// catalog deletes that must respect analyses.
func AnalysisUsing(t testing.TB, id, org, status, threatID, measureID string) CatalogUse {
	t.Helper()
	u := CatalogUse{AnalysisID: id + "-analysis", AssessmentID: id + "-assessment", TreatmentID: id + "-treatment",
		TargetID: id + "-target", IncidentID: id + "-incident"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, `
MATCH (o:Organization {id: $org})
MATCH (th:Threat {id: $threat})
MATCH (me:Measure {id: $measure})
CREATE (tg:Target:Entity {id: $u.TargetID, name: $u.TargetID, sector: 'test', description: ''})
CREATE (inc:Incident:Entity {id: $u.IncidentID, targetId: $u.TargetID, name: $u.IncidentID, consequence: 'property', description: ''})
CREATE (tg)-[:HAS_INCIDENT]->(inc)
CREATE (a:Analysis:Entity {id: $u.AnalysisID, title: $u.AnalysisID, status: $status, version: 1, visibility: 'PUBLIC',
  sharedWithOrganizationIds: [], sharedWithSectors: [], organizationId: $org, targetId: $u.TargetID,
  createdAt: datetime('2024-01-01T00:00:00Z'), updatedAt: datetime('2024-01-01T00:00:00Z')})
CREATE (o)-[:AUTHORED]->(a)-[:ANALYZES]->(tg)
CREATE (s:Assessment:Entity {id: $u.AssessmentID, analysisId: $u.AnalysisID, incidentId: $u.IncidentID,
  axis1: 2, axis2: 2, category: 2, rationale: 'fixture'})
CREATE (a)-[:HAS_ASSESSMENT]->(s)-[:OF]->(inc)
CREATE (s)-[:CAUSED_BY]->(th)
CREATE (tr:Treatment:Entity {id: $u.TreatmentID, assessmentId: $u.AssessmentID, measureId: $measure, status: 'IMPLEMENTED', perspective: me.perspective})
CREATE (s)-[:TREATED_BY]->(tr)-[:APPLIES]->(me)`,
		map[string]any{"org": org, "threat": threatID, "measure": measureID, "status": status, "u": map[string]any{
			"TargetID": u.TargetID, "IncidentID": u.IncidentID, "AnalysisID": u.AnalysisID, "AssessmentID": u.AssessmentID, "TreatmentID": u.TreatmentID,
		}})
	if err != nil {
		t.Fatalf("neo4jtest.AnalysisUsing %s: %v", id, err)
	}
	storeComparisonRefs(t, ctx, u.AssessmentID)
	return u
}

// CoverageLineUsing creates, directly in Neo4j, an insurance policy held by
// organization org with one coverage line (ids policyID and policyID+"-line")
// that COVERS the threat and REQUIRES the measure and the clause (each
// skipped when ""). It returns the line's id.
func CoverageLineUsing(t testing.TB, policyID, org, threatID, measureID, clauseID string) string {
	t.Helper()
	line := policyID + "-line"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, `
MATCH (o:Organization {id: $org})
CREATE (p:InsurancePolicy:Entity {id: $policy, insurer: 'fixture', holderId: $org, product: 'cyber', periodStart: '2024-01-01', periodEnd: '2024-12-31', aggregateLimitJPY: 1.0e8})
CREATE (o)-[:HOLDS]->(p)
CREATE (l:CoverageLine:Entity {id: $line, policyId: $policy, type: 'first-party', limitJPY: 1.0e7, deductibleJPY: 0.0, exclusions: []})
CREATE (p)-[:HAS_LINE]->(l)
WITH l
OPTIONAL MATCH (th:Threat {id: $threat})
FOREACH (_ IN CASE WHEN th IS NULL THEN [] ELSE [1] END | CREATE (l)-[:COVERS]->(th))
WITH l
OPTIONAL MATCH (me:Measure {id: $measure})
FOREACH (_ IN CASE WHEN me IS NULL THEN [] ELSE [1] END | CREATE (l)-[:REQUIRES]->(me))
WITH l
OPTIONAL MATCH (c:Clause {id: $clause})
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END | CREATE (l)-[:REQUIRES]->(c))`,
		map[string]any{"org": org, "policy": policyID, "line": line, "threat": threatID, "measure": measureID, "clause": clauseID})
	if err != nil {
		t.Fatalf("neo4jtest.CoverageLineUsing %s: %v", policyID, err)
	}
	return line
}

// FeedbackAbout creates, directly in Neo4j, feedback with the given id by
// organization org ABOUT the node with id about.
func FeedbackAbout(t testing.TB, id, org, about string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, `
MATCH (o:Organization {id: $org})
MATCH (x:Entity {id: $about})
CREATE (f:Feedback:Entity {id: $id, kind: 'REVISION_REQUEST', text: 'fixture', status: 'OPEN', aboutId: $about, organizationId: $org,
  sector: o.sector, createdAt: datetime()})
CREATE (f)-[:ABOUT]->(x)
CREATE (f)-[:BY]->(o)`, map[string]any{"id": id, "org": org, "about": about})
	if err != nil {
		t.Fatalf("neo4jtest.FeedbackAbout %s: %v", id, err)
	}
}
