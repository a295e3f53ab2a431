package neo4jtest

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// FeedbackFixtures creates, directly in Neo4j (not through the API under
// test), the targets, analyses, assessments and departments that feedback
// and opinion tests need, in exactly the storage shape that graph/neo4j
// writes and decodes. Each method fails the test on error and returns the
// id it was given. Ids should start with the test's Prefix.
type FeedbackFixtures struct {
	t testing.TB
}

// NewFeedbackFixtures returns the fixtures of test t.
func NewFeedbackFixtures(t testing.TB) FeedbackFixtures { return FeedbackFixtures{t} }

func (f FeedbackFixtures) run(what, cypher string, params map[string]any) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, cypher, params); err != nil {
		f.t.Fatalf("neo4jtest.FeedbackFixtures.%s: %v", what, err)
	}
}

// Target creates a target in sector.
func (f FeedbackFixtures) Target(id, sector string) string {
	f.t.Helper()
	f.run("Target", `CREATE (:Target:Entity {id: $id, name: $id, sector: $sector, description: ''})`,
		map[string]any{"id": id, "sector": sector})
	return id
}

// Incident creates an incident of target.
func (f FeedbackFixtures) Incident(id, target string) string {
	f.t.Helper()
	f.run("Incident", `
MATCH (t:Target {id: $target})
CREATE (i:Incident:Entity {id: $id, targetId: $target, name: $id, consequence: 'property', description: ''})
CREATE (t)-[:HAS_INCIDENT]->(i)`, map[string]any{"id": id, "target": target})
	return id
}

// Threat creates a catalog threat.
func (f FeedbackFixtures) Threat(id string) string {
	f.t.Helper()
	f.run("Threat", `CREATE (:Threat:Entity {id: $id, name: $id, kind: 'cyber', description: ''})`, map[string]any{"id": id})
	return id
}

// Department creates a department of organization org.
func (f FeedbackFixtures) Department(id, org string) string {
	f.t.Helper()
	f.run("Department", `
MATCH (o:Organization {id: $org})
CREATE (d:Department:Entity {id: $id, name: $id, organizationId: $org})
CREATE (o)-[:HAS_DEPARTMENT]->(d)`, map[string]any{"id": id, "org": org})
	return id
}

// FixtureAnalysis describes an analysis for FeedbackFixtures.Analysis.
type FixtureAnalysis struct {
	ID, Org, Target string
	// Version defaults to 1, Status to "DRAFT", Visibility to "PRIVATE".
	Version    int
	Status     string
	Visibility string
	// SharedWithOrgs and SharedWithSectors are for SHARED visibility.
	SharedWithOrgs    []string
	SharedWithSectors []string
}

// Analysis creates an analysis AUTHORED by a.Org that ANALYZES a.Target,
// SHARED_WITH the organizations it names.
func (f FeedbackFixtures) Analysis(a FixtureAnalysis) string {
	f.t.Helper()
	if a.Version == 0 {
		a.Version = 1
	}
	if a.Status == "" {
		a.Status = "DRAFT"
	}
	if a.Visibility == "" {
		a.Visibility = "PRIVATE"
	}
	orgs, sectors := a.SharedWithOrgs, a.SharedWithSectors
	if orgs == nil {
		orgs = []string{}
	}
	if sectors == nil {
		sectors = []string{}
	}
	f.run("Analysis", `
MATCH (o:Organization {id: $org}), (t:Target {id: $target})
CREATE (a:Analysis:Entity {id: $id, title: $id, status: $status, version: $version, visibility: $visibility,
  sharedWithOrganizationIds: $orgs, sharedWithSectors: $sectors, organizationId: $org, targetId: $target,
  createdAt: datetime(), updatedAt: datetime()})
CREATE (o)-[:AUTHORED]->(a)-[:ANALYZES]->(t)
WITH a
UNWIND $orgs AS other
MATCH (x:Organization {id: other})
CREATE (a)-[:SHARED_WITH]->(x)`, map[string]any{"id": a.ID, "org": a.Org, "target": a.Target, "status": a.Status,
		"version": a.Version, "visibility": a.Visibility, "orgs": orgs, "sectors": sectors})
	return a.ID
}

// Assessment creates an assessment (axis 1 and 2 at rank 2, category 2)
// of incident in analysis, OWNED_BY the department ownerDepartment unless
// it is "".
func (f FeedbackFixtures) Assessment(id, analysis, incident, ownerDepartment string) string {
	f.t.Helper()
	var dept any
	if ownerDepartment != "" {
		dept = ownerDepartment
	}
	f.run("Assessment", `
MATCH (a:Analysis {id: $analysis}), (i:Incident {id: $incident})
CREATE (s:Assessment:Entity {id: $id, analysisId: $analysis, incidentId: $incident, axis1: 2, axis2: 2, category: 2,
  rationale: 'fixture', ownerDepartmentId: $dept})
CREATE (a)-[:HAS_ASSESSMENT]->(s)-[:OF]->(i)
WITH s
OPTIONAL MATCH (d:Department {id: $dept})
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | CREATE (s)-[:OWNED_BY]->(d))`,
		map[string]any{"id": id, "analysis": analysis, "incident": incident, "dept": dept})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	storeComparisonRefs(f.t, ctx, id)
	return id
}

// CleanupFeedback deletes, when the test ends, the feedback and opinions
// written by organizations whose ids start with prefix: the API gives them
// generated ids that Prefix's clean-up does not match.
func CleanupFeedback(t testing.TB, prefix string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := run(ctx, `MATCH (n) WHERE (n:Feedback OR n:Opinion) AND n.organizationId STARTS WITH $p DETACH DELETE n`, map[string]any{"p": prefix}); err != nil {
			t.Logf("neo4jtest: cleaning up feedback of %s: %v", prefix, err)
		}
	})
}

// FeedbackSnapshot returns a fingerprint of the feedback and opinions
// written by organizations whose ids start with prefix, with their
// relationships, for tests that check that a failed write changed nothing
// (Snapshot does not see them: their ids are generated).
func FeedbackSnapshot(t testing.TB, prefix string) string {
	t.Helper()
	return fmt.Sprint(value(t, `MATCH (n) WHERE (n:Feedback OR n:Opinion) AND n.organizationId STARTS WITH $p`+fingerprint, map[string]any{"p": prefix}))
}
