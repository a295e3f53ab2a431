package neo4jtest

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Fixtures for the analysis tests. They write directly in Neo4j, in the
// storage shape the read side expects (labels `:X:Entity`, id properties
// beside the relationships), so that the analysis tests do not depend on
// the people, targets, catalog and insurance mutations.

// AnalysisScene holds the ids of the nodes NewAnalysisScene creates. Every
// id starts with the test's prefix.
type AnalysisScene struct {
	// Org writes the analyses; OtherOrg and ThirdOrg are other
	// organizations, of sectors OtherSector and ThirdSector.
	Org, OtherOrg, ThirdOrg          string
	Sector, OtherSector, ThirdSector string
	// Dept is a department of Org; OtherDept one of OtherOrg.
	Dept, OtherDept string
	// Target has Assets and Incidents; OtherTarget has OtherAsset and
	// OtherIncident.
	Target, OtherTarget       string
	Assets, Incidents         []string
	OtherAsset, OtherIncident string
	Threats                   []string
	Measures                  []string // perspectives P1 and P3
	MeasurePerspectives       []string
	Guideline, Clause         string // Measures[0] satisfies Clause
	ClauseRef                 string
	Policies                  []string // held by Org
	// TargetName is Target's name.
	TargetName string
}

const analysisSceneCypher = `
MERGE (o1:Organization:Entity {id: $org}) SET o1.name = $org, o1.sector = $sector
MERGE (o2:Organization:Entity {id: $org2}) SET o2.name = $org2, o2.sector = $sector2
MERGE (o3:Organization:Entity {id: $org3}) SET o3.name = $org3, o3.sector = $sector3
CREATE (o1)-[:HAS_DEPARTMENT]->(:Department:Entity {id: $dept, name: 'Operations', organizationId: $org})
CREATE (o2)-[:HAS_DEPARTMENT]->(:Department:Entity {id: $dept2, name: 'Quality', organizationId: $org2})
CREATE (t:Target:Entity {id: $target, name: $targetName, sector: $sector, description: 'A test target'})
CREATE (tb:Target:Entity {id: $target2, name: 'Other target', sector: $sector, description: ''})
WITH t, tb, o1
CALL (t) {
  UNWIND $assets AS aid
  CREATE (t)-[:HAS_ASSET]->(:Asset:Entity {id: aid, name: 'Asset ' + aid, kind: 'component', description: '', targetId: t.id})
}
CALL (t) {
  UNWIND $incidents AS iid
  CREATE (t)-[:HAS_INCIDENT]->(:Incident:Entity {id: iid, name: 'Incident ' + iid, consequence: 'property', description: '', targetId: t.id})
}
CREATE (tb)-[:HAS_ASSET]->(:Asset:Entity {id: $asset2, name: 'Other asset', kind: 'component', description: '', targetId: tb.id})
CREATE (tb)-[:HAS_INCIDENT]->(:Incident:Entity {id: $incident2, name: 'Other incident', consequence: 'life-body', description: '', targetId: tb.id})
WITH o1
CALL () {
  UNWIND $threats AS th
  CREATE (:Threat:Entity {id: th, name: 'Threat ' + th, kind: 'cyber-attack', description: ''})
}
CALL () {
  UNWIND $measures AS m
  CREATE (:Measure:Entity {id: m.id, name: 'Measure ' + m.id, description: '', perspective: m.perspective, kind: 'technical'})
}
CREATE (g:Guideline:Entity {id: $guideline, title: 'Guide', publisher: 'Test', version: '1'})
CREATE (g)-[:HAS_CLAUSE]->(c:Clause:Entity {id: $clause, ref: $clauseRef, title: 'Clause', text: '', guidelineId: $guideline})
WITH o1, c
MATCH (m:Measure {id: $measures[0].id})
CREATE (m)-[:SATISFIES {relationship: 'EQUIVALENT_TO'}]->(c)
WITH o1
CALL (o1) {
  UNWIND $policies AS pid
  CREATE (o1)-[:HOLDS]->(p:InsurancePolicy:Entity {id: pid, insurer: 'Insurer', holderId: o1.id, product: 'Cyber',
    periodStart: '2026-01-01', periodEnd: '2026-12-31', aggregateLimitJPY: 100000000.0})
  CREATE (p)-[:HAS_LINE]->(:CoverageLine:Entity {id: pid + '-line', policyId: pid, type: 'business-interruption',
    limitJPY: 50000000.0, deductibleJPY: 0.0, exclusions: []})
}
RETURN count(*) AS n`

// NewAnalysisScene creates, with ids starting with prefix, three
// organizations of three sectors (departments for the first two), a target
// with two assets and three incidents, another target with one of each, two
// threats, two measures (P1 and P3, the first satisfying a guideline's
// clause) and two insurance policies held by the first organization.
func NewAnalysisScene(t testing.TB, prefix string) *AnalysisScene {
	t.Helper()
	s := &AnalysisScene{
		Org: prefix + "org", OtherOrg: prefix + "org2", ThirdOrg: prefix + "org3",
		Sector: prefix + "sector-a", OtherSector: prefix + "sector-b", ThirdSector: prefix + "sector-c",
		Dept: prefix + "dept", OtherDept: prefix + "dept2",
		Target: prefix + "target", OtherTarget: prefix + "target-b",
		Assets:     []string{prefix + "asset-1", prefix + "asset-2"},
		Incidents:  []string{prefix + "inc-1", prefix + "inc-2", prefix + "inc-3"},
		OtherAsset: prefix + "asset-b", OtherIncident: prefix + "inc-b",
		Threats:             []string{prefix + "threat-1", prefix + "threat-2"},
		Measures:            []string{prefix + "measure-1", prefix + "measure-2"},
		MeasurePerspectives: []string{"P1", "P3"},
		Guideline:           prefix + "guide", Clause: prefix + "clause-1", ClauseRef: "SR 1.1",
		Policies:   []string{prefix + "policy-1", prefix + "policy-2"},
		TargetName: "Window shutter " + prefix,
	}
	measures := make([]map[string]any, len(s.Measures))
	for i, m := range s.Measures {
		measures[i] = map[string]any{"id": m, "perspective": s.MeasurePerspectives[i]}
	}
	AnalysisExec(t, analysisSceneCypher, map[string]any{
		"org": s.Org, "org2": s.OtherOrg, "org3": s.ThirdOrg,
		"sector": s.Sector, "sector2": s.OtherSector, "sector3": s.ThirdSector,
		"dept": s.Dept, "dept2": s.OtherDept,
		"target": s.Target, "targetName": s.TargetName, "target2": s.OtherTarget,
		"assets": s.Assets, "incidents": s.Incidents, "asset2": s.OtherAsset, "incident2": s.OtherIncident,
		"threats": s.Threats, "measures": measures,
		"guideline": s.Guideline, "clause": s.Clause, "clauseRef": s.ClauseRef,
		"policies": s.Policies,
	})
	return s
}

// AnalysisExec runs one Cypher statement in its own transaction and
// returns its records as maps, failing the test on error.
func AnalysisExec(t testing.TB, cypher string, params map[string]any) []map[string]any {
	t.Helper()
	return execOn(t, URI(), cypher, params)
}

// execOn is AnalysisExec on the Neo4j at uri.
func execOn(t testing.TB, uri, cypher string, params map[string]any) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows, err := queryOn(ctx, uri, cypher, params)
	if err != nil {
		t.Fatalf("neo4jtest: %v\n%s", err, cypher)
	}
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		out[i] = r.AsMap()
	}
	return out
}

// AnalysisBulkSize is the shape of an AnalysisBulk data set.
type AnalysisBulkSize struct {
	// Targets, each with AnalysesPerTarget PUBLIC analyses, each with
	// AssessmentsPerAnalysis assessments (one per incident of the target).
	Targets, AnalysesPerTarget, AssessmentsPerAnalysis int
}

// AnalysisBulk holds what AnalysisBulkCreate made.
type AnalysisBulk struct {
	// Word is in every target's name and nowhere else, for
	// `targets(text: Word)`.
	Word    string
	Targets []string
	// Analyses and Assessments are the totals created.
	Analyses, Assessments int
}

const analysisBulkCatalogCypher = `
MERGE (o:Organization:Entity {id: $org}) SET o.name = $org, o.sector = 'bulk'
CREATE (g:Guideline:Entity {id: $guideline, title: 'Bulk guide', publisher: 'Test', version: '1'})
WITH g
UNWIND range(0, 2) AS k
CREATE (th:Threat:Entity {id: $prefix + 'bth-' + k, name: 'Bulk threat ' + k, kind: 'failure', description: ''})
CREATE (m:Measure:Entity {id: $prefix + 'bm-' + k, name: 'Bulk measure ' + k, description: '', perspective: 'P' + (k + 1), kind: 'technical'})
CREATE (g)-[:HAS_CLAUSE]->(c:Clause:Entity {id: $prefix + 'bc-' + k, ref: 'B ' + k, title: 'Bulk clause', text: '', guidelineId: g.id})
CREATE (m)-[:SATISFIES {relationship: 'EQUIVALENT_TO'}]->(c)
RETURN count(*) AS n`

const analysisBulkTargetsCypher = `
UNWIND $targets AS t
CREATE (tn:Target:Entity {id: t.id, name: t.name, sector: 'bulk', description: ''})
CREATE (tn)-[:HAS_ASSET]->(:Asset:Entity {id: t.id + '-asset', name: 'Bulk asset', kind: 'component', description: '', targetId: t.id})
WITH tn, t
UNWIND t.incidents AS iid
CREATE (tn)-[:HAS_INCIDENT]->(:Incident:Entity {id: iid, name: 'Bulk incident', consequence: 'property', description: '', targetId: t.id})
RETURN count(*) AS n`

const analysisBulkAnalysesCypher = `
MATCH (o:Organization {id: $org})
UNWIND $analyses AS a
MATCH (t:Target {id: a.target})
CREATE (o)-[:AUTHORED]->(an:Analysis:Entity {id: a.id, title: 'Bulk analysis', status: 'DRAFT', version: 1, visibility: 'PUBLIC',
  sharedWithOrganizationIds: [], sharedWithSectors: [], organizationId: o.id, targetId: t.id,
  createdAt: datetime(), updatedAt: datetime()})-[:ANALYZES]->(t)
WITH an, a
CALL (an, a) {
  UNWIND a.notApplicable AS cid
  MATCH (c:Clause {id: cid})
  CREATE (an)-[:NOT_APPLICABLE {reason: 'Bulk reason'}]->(c)
}
RETURN count(*) AS n`

const analysisBulkAssessmentsCypher = `
UNWIND $rows AS r
MATCH (a:Analysis {id: r.analysis}), (i:Incident {id: r.incident}), (as:Asset {id: r.asset})
CREATE (a)-[:HAS_ASSESSMENT]->(s:Assessment:Entity {id: r.id, analysisId: a.id, incidentId: i.id, axis1: r.axis1, axis2: r.axis2,
  category: r.category, estimatedLossJPY: 1000000.0, rationale: 'bulk'})
CREATE (s)-[:OF]->(i), (s)-[:THROUGH]->(as)
WITH s, r
CALL (s, r) {
  UNWIND r.threats AS tid
  MATCH (th:Threat {id: tid})
  CREATE (s)-[:CAUSED_BY]->(th)
}
CALL (s, r) {
  UNWIND r.treatments AS tr
  MATCH (m:Measure {id: tr.measure})
  CREATE (s)-[:TREATED_BY]->(:Treatment:Entity {id: tr.id, assessmentId: s.id, measureId: m.id, status: 'IMPLEMENTED', perspective: m.perspective})-[:APPLIES]->(m)
}
RETURN count(*) AS n`

// AnalysisBulkCreate creates a data set of the given size with ids starting
// with prefix: one organization, a small shared catalog (three threats,
// three measures each satisfying a clause), the targets with one asset and
// one incident per assessment, and the PUBLIC analyses, each marking two
// of the clauses not applicable, whose assessments each name two threats,
// the asset and two treatments. Everything is
// written with UNWIND in batches, and deleted in batches when the test
// ends (before Prefix's own clean-up).
func AnalysisBulkCreate(t testing.TB, prefix string, size AnalysisBulkSize) *AnalysisBulk {
	t.Helper()
	word := "bulk" + prefix[1:len(prefix)-1] // a prefix is "t" + hex + "-"
	b := &AnalysisBulk{Word: word}
	org := prefix + "bulk-org"
	t.Cleanup(func() { analysisDeleteInBatches(t, prefix) })
	AnalysisExec(t, analysisBulkCatalogCypher, map[string]any{"org": org, "guideline": prefix + "bg", "prefix": prefix})

	var targets, analyses, rows []map[string]any
	flush := func(cypher, key string, list *[]map[string]any, extra map[string]any) {
		if len(*list) == 0 {
			return
		}
		params := map[string]any{key: *list}
		for k, v := range extra {
			params[k] = v
		}
		AnalysisExec(t, cypher, params)
		*list = (*list)[:0]
	}
	const batch = 2000
	for ti := 0; ti < size.Targets; ti++ {
		tid := fmt.Sprintf("%sbt-%04d", prefix, ti)
		b.Targets = append(b.Targets, tid)
		incidents := make([]string, size.AssessmentsPerAnalysis)
		for k := range incidents {
			incidents[k] = fmt.Sprintf("%s-inc-%03d", tid, k)
		}
		targets = append(targets, map[string]any{"id": tid, "name": fmt.Sprintf("Bulk target %d %s", ti, word), "incidents": incidents})
		if len(targets)*max(1, size.AssessmentsPerAnalysis) >= batch {
			flush(analysisBulkTargetsCypher, "targets", &targets, nil)
		}
	}
	flush(analysisBulkTargetsCypher, "targets", &targets, nil)
	for _, tid := range b.Targets {
		for ai := 0; ai < size.AnalysesPerTarget; ai++ {
			aid := fmt.Sprintf("%s-an-%02d", tid, ai)
			analyses = append(analyses, map[string]any{"id": aid, "target": tid,
				"notApplicable": []string{prefix + "bc-" + fmt.Sprint(ai%3), prefix + "bc-" + fmt.Sprint((ai+1)%3)}})
			b.Analyses++
			for k := 0; k < size.AssessmentsPerAnalysis; k++ {
				sid := fmt.Sprintf("%s:as-%03d", aid, k)
				a1, a2 := 1+(k+ai)%4, 1+k%4
				rows = append(rows, map[string]any{
					"id": sid, "analysis": aid, "incident": fmt.Sprintf("%s-inc-%03d", tid, k), "asset": tid + "-asset",
					"axis1": a1, "axis2": a2, "category": max(a1, a2),
					"threats": []string{prefix + "bth-" + fmt.Sprint(k%3), prefix + "bth-" + fmt.Sprint((k+1)%3)},
					"treatments": []map[string]any{
						{"id": sid + ":tr-0", "measure": prefix + "bm-" + fmt.Sprint(k%3)},
						{"id": sid + ":tr-1", "measure": prefix + "bm-" + fmt.Sprint((k+2)%3)},
					},
				})
				b.Assessments++
			}
			if len(analyses) >= batch {
				flush(analysisBulkAnalysesCypher, "analyses", &analyses, map[string]any{"org": org})
			}
		}
	}
	flush(analysisBulkAnalysesCypher, "analyses", &analyses, map[string]any{"org": org})
	for len(rows) > 0 {
		n := min(batch, len(rows))
		part := rows[:n]
		flush(analysisBulkAssessmentsCypher, "rows", &part, nil)
		rows = rows[n:]
	}
	return b
}

// analysisDeleteInBatches deletes the :Entity nodes whose ids start with
// prefix, a few thousand per transaction, so that large fixtures do not
// need one huge transaction.
func analysisDeleteInBatches(t testing.TB, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	d, database, err := driver(ctx, URI())
	if err == nil {
		err = runInTransactions(ctx, d, database, `MATCH (n:Entity) WHERE n.id STARTS WITH $p CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS`,
			map[string]any{"p": prefix})
	}
	if err != nil {
		t.Logf("neo4jtest: cleaning up %s: %v", prefix, err)
	}
}
