package neo4j

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.ComparisonReader = (*DB)(nil)

// snapshotProjection returns, for an analysis `a`, its assessments with the
// ids they refer to: everything a comparison reads, in one pass.
const snapshotProjection = `[(a)-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + `) | s {
  .id, .incidentId, .axis1, .axis2, .category, .ownerDepartmentId, .rationale, .snapshot,
  threats: [(s)-[:` + model.RelCausedBy + `]->(x:` + model.LabelThreat + `) | x.id],
  assets: [(s)-[:` + model.RelThrough + `]->(x:` + model.LabelAsset + `) | x.id],
  treatments: [(s)-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `) | tr {.measureId, .perspective, .status}]
}]`

const targetAnalysesCypher = `
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

const analysisSnapshotsCypher = `
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

// snapshots decodes rows of (analysis node, assessments list).
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
		snap := &model.AnalysisSnapshot{Analysis: a, Assessments: make([]model.AssessmentSnapshot, 0, len(rows))}
		for _, row := range rows {
			p := props(row.(map[string]any))
			s := model.AssessmentSnapshot{
				ID: p.str("id"), IncidentID: p.str("incidentId"), Axis1: p.int("axis1"), Axis2: p.int("axis2"), Category: p.int("category"),
				OwnerDepartmentID: p.str("ownerDepartmentId"), Rationale: p.str("rationale"),
				ThreatIDs: p.strs("threats"), AssetIDs: p.strs("assets"), AsSubmitted: p.asSubmitted("snapshot"),
			}
			trs, _ := p["treatments"].([]any)
			for _, tr := range trs {
				tp := props(tr.(map[string]any))
				s.Treatments = append(s.Treatments, model.TreatmentRef{MeasureID: tp.str("measureId"), Perspective: tp.str("perspective"), Status: model.TreatmentStatus(tp.str("status"))})
			}
			snap.Assessments = append(snap.Assessments, s)
		}
		out = append(out, snap)
	}
	return out
}
