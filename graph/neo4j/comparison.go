package neo4j

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.ComparisonReader = (*DB)(nil)

// An assessment keeps, in its property comparisonRefs, the ids a
// comparison reads through its relationships, so that a comparison reads
// each assessment without leaving the node (reading 10,000 assessments
// through their relationships took four times as long in Neo4j as reading
// one list property of each). It is one list of strings:
//
//	threat ids (CAUSED_BY), sorted, then "",
//	asset ids (THROUGH), sorted, then "",
//	measureId, perspective, status of each treatment (TREATED_BY), sorted by them
//
// (ids are never empty, so "" ends a part; one list because Neo4j reads
// one list property markedly faster than several). comparisonRefsOf
// computes it from the relationships; every write that changes an
// assessment's relationships or treatments records the assessment with
// txn.touchAssessments, and inTx stores the new value of each before the
// transaction commits (storeComparisonRefs). Migrate fills it in where it
// is missing (schema version 7), and the snapshot read falls back to the
// relationships where it still is.

// comparisonRefsOf returns the Cypher expression of the comparison refs of
// the assessment s (a variable name, a constant) from its relationships.
func comparisonRefsOf(s string) string {
	return `COLLECT { MATCH (` + s + `)-[:` + model.RelCausedBy + `]->(x:` + model.LabelThreat + `) RETURN x.id AS v ORDER BY v } + [''] +
  COLLECT { MATCH (` + s + `)-[:` + model.RelThrough + `]->(x:` + model.LabelAsset + `) RETURN x.id AS v ORDER BY v } + [''] +
  reduce(refs = [], tr IN COLLECT { MATCH (` + s + `)-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `)
    WITH [coalesce(tr.measureId, ''), coalesce(tr.perspective, ''), coalesce(tr.status, '')] AS v ORDER BY v[0], v[1], v[2] RETURN v } | refs + tr)`
}

// storeComparisonRefsCypher stores the comparison refs of the assessments
// with the given ids, and of those treated by the treatments with the
// given ids (a load may change a treatment alone).
var storeComparisonRefsCypher = `
CALL () {
  UNWIND $ids AS id
  MATCH (s:` + model.LabelAssessment + ` {id: id})
  RETURN s
  UNION
  UNWIND $ids AS id
  MATCH (s:` + model.LabelAssessment + `)-[:` + model.RelTreatedBy + `]->(:` + model.LabelTreatment + ` {id: id})
  RETURN s
}
WITH DISTINCT s
SET s.comparisonRefs = ` + comparisonRefsOf("s")

// touchAssessments records that the relationships or treatments of these
// assessments (or the assessments treated by these treatments) changed, so
// that inTx stores their comparison refs before the commit.
func (t *txn) touchAssessments(ids ...string) { t.refs = append(t.refs, ids...) }

// storeComparisonRefs stores the comparison refs of the assessments the
// transaction touched (touchAssessments), once, after its work.
func (t *txn) storeComparisonRefs(ctx context.Context) error {
	if len(t.refs) == 0 {
		return nil
	}
	if _, err := t.run(ctx, storeComparisonRefsCypher, map[string]any{"ids": dedupe(t.refs)}); err != nil {
		return fmt.Errorf("comparison refs of %s: %w", t.op, err)
	}
	return nil
}

// backfillComparisonRefsCypher stores the comparison refs of the
// assessments that have none (written before schema version 7).
var backfillComparisonRefsCypher = `
MATCH (s:` + model.LabelAssessment + `) WHERE s.comparisonRefs IS NULL
SET s.comparisonRefs = ` + comparisonRefsOf("s")

const refreshComparisonRefsCypher = `
MATCH (s:` + model.LabelAssessment + `) WHERE s.id STARTS WITH $prefix
RETURN collect(s.id) AS ids`

// RefreshComparisonRefs recomputes the comparison refs that the
// assessments whose ids start with prefix (every assessment, for "") keep,
// for a repair after writes that bypassed the store (a fixture, a manual
// Cypher edit). It returns how many it stored.
func (db *DB) RefreshComparisonRefs(ctx context.Context, prefix string) (int, error) {
	return writeTx(ctx, db, "neo4j.RefreshComparisonRefs", "assessments "+prefix, func(t *txn) (int, error) {
		rec, err := t.single(ctx, refreshComparisonRefsCypher, map[string]any{"prefix": prefix})
		if err != nil {
			return 0, err
		}
		ids := recordStrings(rec, "ids")
		t.touchAssessments(ids...)
		t.wrote(ids...)
		t.summarize(fmt.Sprintf("comparison refs of %d assessments", len(ids)))
		return len(ids), nil
	})
}

var staleComparisonRefsCypher = `
MATCH (s:` + model.LabelAssessment + `) WHERE s.id STARTS WITH $prefix
WITH s, ` + comparisonRefsOf("s") + ` AS want
WHERE s.comparisonRefs IS NULL OR s.comparisonRefs <> want
RETURN s.id AS id ORDER BY id`

// StaleComparisonRefs returns the ids of the assessments, among those
// whose ids start with prefix, whose stored comparison refs are missing or
// disagree with their relationships: none, when every write kept them
// true (a consistency check for tests and operators).
func (db *DB) StaleComparisonRefs(ctx context.Context, prefix string) ([]string, error) {
	recs, err := db.read(ctx, "neo4j.StaleComparisonRefs", "assessments "+prefix, staleComparisonRefsCypher, map[string]any{"prefix": prefix})
	if err != nil {
		return nil, err
	}
	return firstColumn(recs), nil
}

// snapshotProjection returns, for an analysis `a`, its assessments with the
// ids they refer to (their comparison refs): everything a comparison
// reads, in one pass, without leaving the assessment nodes.
var snapshotProjection = `[(a)-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + `) |
  [s.id, s.incidentId, s.axis1, s.axis2, s.category, s.ownerDepartmentId, s.rationale, s.snapshot,
   coalesce(s.comparisonRefs, ` + comparisonRefsOf("s") + `)]]`

var targetAnalysesCypher = `
MATCH (t:` + model.LabelTarget + ` {id: $target})
OPTIONAL MATCH (r:` + model.LabelTargetRevision + ` {targetId: $target})
WITH t, coalesce(r.revision, 0) AS revision
OPTIONAL MATCH (t)<-[:` + model.RelAnalyzes + `]-(a:` + model.LabelAnalysis + `)
WITH revision, a ORDER BY a.id
RETURN a, CASE WHEN a IS NULL THEN [] ELSE ` + snapshotProjection + ` END AS assessments, revision`

// TargetAnalyses returns every analysis of the target with its assessments,
// and the target's revision (revision.go), read together.
func (db *DB) TargetAnalyses(ctx context.Context, targetID string) ([]*model.AnalysisSnapshot, int, error) {
	res, err := db.read(ctx, "neo4j.TargetAnalyses", "target "+targetID, targetAnalysesCypher, map[string]any{"target": targetID})
	if err != nil {
		return nil, 0, err
	}
	if len(res) == 0 {
		return nil, 0, model.FieldErrorf(model.ENOTFOUND, "targetId", "no target %q", targetID)
	}
	rev, _ := res[0].Values[2].(int64)
	return snapshots(res), int(rev), nil
}

var analysisSnapshotsCypher = `
UNWIND range(0, size($ids) - 1) AS i
MATCH (a:` + model.LabelAnalysis + ` {id: $ids[i]})
WITH i, a ORDER BY i
RETURN a, ` + snapshotProjection + ` AS assessments`

// AnalysisSnapshots returns the analyses with the given ids, in order.
func (db *DB) AnalysisSnapshots(ctx context.Context, ids []string) ([]*model.AnalysisSnapshot, error) {
	res, err := db.read(ctx, "neo4j.AnalysisSnapshots", fmt.Sprint(ids), analysisSnapshotsCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return snapshots(res), nil
}

// snapshots decodes rows of (analysis node, assessments list), each
// assessment a list in snapshotProjection's order.
func snapshots(records []*neo4j.Record) []*model.AnalysisSnapshot {
	out := make([]*model.AnalysisSnapshot, 0, len(records))
	for _, r := range records {
		n, ok := r.Values[0].(neo4j.Node)
		if !ok {
			continue // a target without analyses
		}
		a, _ := decode(n).(*model.Analysis)
		if a == nil {
			continue
		}
		rows, _ := r.Values[1].([]any)
		snap := &model.AnalysisSnapshot{Analysis: a, Assessments: make([]model.AssessmentSnapshot, len(rows))}
		for i, row := range rows {
			decodeSnapshot(&snap.Assessments[i], row.([]any))
		}
		out = append(out, snap)
	}
	return out
}

// decodeSnapshot fills s from v, one assessment of snapshotProjection.
func decodeSnapshot(s *model.AssessmentSnapshot, v []any) {
	str := func(x any) string { s, _ := x.(string); return s }
	num := func(x any) int { n, _ := x.(int64); return int(n) }
	s.ID, s.IncidentID = str(v[0]), str(v[1])
	s.Axis1, s.Axis2, s.Category = num(v[2]), num(v[3]), num(v[4])
	s.OwnerDepartmentID, s.Rationale = str(v[5]), str(v[6])
	if raw, ok := v[7].(string); ok {
		s.Submitted = model.NewSubmittedJSON(raw) // decoded if a field shows it
	}
	refs, _ := v[8].([]any)
	// part returns the ids up to the next "", consumed; the threats and
	// the assets share one allocation.
	ids := make([]string, 0, len(refs))
	part := func() []string {
		start := len(ids)
		for len(refs) > 0 {
			id := str(refs[0])
			refs = refs[1:]
			if id == "" {
				break
			}
			ids = append(ids, id)
		}
		return ids[start:len(ids):len(ids)]
	}
	s.ThreatIDs, s.AssetIDs = part(), part()
	if len(refs) >= 3 {
		s.Treatments = make([]model.TreatmentRef, 0, len(refs)/3)
	}
	for ; len(refs) >= 3; refs = refs[3:] {
		s.Treatments = append(s.Treatments, model.TreatmentRef{MeasureID: str(refs[0]), Perspective: str(refs[1]), Status: model.TreatmentStatus(str(refs[2]))})
	}
}
