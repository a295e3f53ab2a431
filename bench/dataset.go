package bench

import (
	"context"
	"fmt"
	"regexp"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Size is the shape of the benchmark's data set.
type Size struct {
	// Targets, each with AnalysesPerTarget PUBLIC analyses, each with
	// AssessmentsPerAnalysis assessments (one per incident of the target;
	// each names two threats and has two treatments whose measures each
	// satisfy a clause).
	Targets, AnalysesPerTarget, AssessmentsPerAnalysis int
}

// DefaultSize is issue 11's data set: 20 targets × 5 analyses × 50 assessments.
var DefaultSize = Size{Targets: 20, AnalysesPerTarget: 5, AssessmentsPerAnalysis: 50}

// String is "20 targets × 5 analyses × 50 assessments".
func (s Size) String() string {
	return fmt.Sprintf("%d targets × %d analyses × %d assessments", s.Targets, s.AnalysesPerTarget, s.AssessmentsPerAnalysis)
}

// Counts are what a nested read of the whole data set holds (or what one
// answer held, see CountAnswer).
type Counts struct {
	Targets, Analyses, Assessments, Treatments, Clauses int
}

// Counts returns what the nested read of all targets holds: each treatment's
// measure satisfies one clause.
func (s Size) Counts() Counts {
	a := s.Targets * s.AnalysesPerTarget
	n := a * s.AssessmentsPerAnalysis
	return Counts{Targets: s.Targets, Analyses: a, Assessments: n, Treatments: 2 * n, Clauses: 2 * n}
}

// Dataset names what Load created.
type Dataset struct {
	Size   Size
	Prefix string
	// Org is the organization that authored every analysis.
	Org string
	// Word is in every target's name and nowhere else, for targets(text:).
	Word string
	// Targets are the target ids, in id order.
	Targets []string
	// Created is false when the data set was there already.
	Created bool
}

// Analyses returns the ids of the first target's analyses, in id order.
func (d *Dataset) Analyses() []string {
	out := make([]string, d.Size.AnalysesPerTarget)
	for i := range out {
		out[i] = analysisID(d.Targets[0], i)
	}
	return out
}

var prefixRE = regexp.MustCompile(`^[a-z][a-z0-9]{0,30}-$`)

// NewDataset names the data set of the given size under prefix (lower-case
// letters and digits ending in "-").
func NewDataset(prefix string, size Size) (*Dataset, error) {
	if !prefixRE.MatchString(prefix) {
		return nil, fmt.Errorf("bench: prefix %q: want lower-case letters and digits ending in '-'", prefix)
	}
	if size.Targets < 1 || size.AnalysesPerTarget < 1 || size.AssessmentsPerAnalysis < 1 {
		return nil, fmt.Errorf("bench: size %s: each must be at least 1", size)
	}
	d := &Dataset{Size: size, Prefix: prefix, Org: prefix + "org", Word: "ssfbench" + prefix[:len(prefix)-1]}
	for ti := range size.Targets {
		d.Targets = append(d.Targets, fmt.Sprintf("%sbt-%04d", prefix, ti))
	}
	return d, nil
}

func analysisID(target string, i int) string { return fmt.Sprintf("%s-an-%02d", target, i) }

const datasetMarkerCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $org}) RETURN o.benchSize AS size`

const datasetDeleteCypher = `
MATCH (n:` + model.LabelEntity + `) WHERE n.id STARTS WITH $p
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS`

const datasetCatalogCypher = `
CREATE (o:` + model.LabelOrganization + `:` + model.LabelEntity + ` {id: $org, name: 'Benchmark organization', sector: 'bench'})
CREATE (g:` + model.LabelGuideline + `:` + model.LabelEntity + ` {id: $prefix + 'bg', title: 'Benchmark guide', publisher: 'ssfbench', version: '1'})
WITH g
UNWIND range(0, 2) AS k
CREATE (:` + model.LabelThreat + `:` + model.LabelEntity + ` {id: $prefix + 'bth-' + k, name: 'Bench threat ' + k, kind: 'failure', description: ''})
CREATE (m:` + model.LabelMeasure + `:` + model.LabelEntity + ` {id: $prefix + 'bm-' + k, name: 'Bench measure ' + k, description: '', perspective: 'P' + (k + 1), kind: 'technical'})
CREATE (g)-[:` + model.RelHasClause + `]->(c:` + model.LabelClause + `:` + model.LabelEntity + ` {id: $prefix + 'bc-' + k, ref: 'B ' + k, title: 'Bench clause', text: '', guidelineId: g.id})
CREATE (m)-[:` + model.RelSatisfies + ` {relationship: 'EQUIVALENT_TO'}]->(c)`

const datasetTargetsCypher = `
UNWIND $targets AS t
CREATE (tn:` + model.LabelTarget + `:` + model.LabelEntity + ` {id: t.id, name: t.name, sector: 'bench', description: ''})
CREATE (tn)-[:` + model.RelHasAsset + `]->(:` + model.LabelAsset + `:` + model.LabelEntity + ` {id: t.id + '-asset', name: 'Bench asset', kind: 'component', description: '', targetId: t.id})
WITH tn, t
UNWIND t.incidents AS iid
CREATE (tn)-[:` + model.RelHasIncident + `]->(:` + model.LabelIncident + `:` + model.LabelEntity + ` {id: iid, name: 'Bench incident', consequence: 'property', description: '', targetId: t.id})`

const datasetAnalysesCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $org})
UNWIND $analyses AS a
MATCH (t:` + model.LabelTarget + ` {id: a.target})
CREATE (o)-[:` + model.RelAuthored + `]->(an:` + model.LabelAnalysis + `:` + model.LabelEntity + ` {id: a.id, title: 'Bench analysis', status: 'DRAFT', version: 1, visibility: 'PUBLIC',
  sharedWithOrganizationIds: [], sharedWithSectors: [], organizationId: o.id, targetId: t.id,
  createdAt: datetime(), updatedAt: datetime()})-[:` + model.RelAnalyzes + `]->(t)
WITH an, a
CALL (an, a) {
  UNWIND a.notApplicable AS cid
  MATCH (c:` + model.LabelClause + ` {id: cid})
  CREATE (an)-[:` + model.RelNotApplicable + ` {reason: 'Bench reason'}]->(c)
}`

const datasetAssessmentsCypher = `
UNWIND $rows AS r
MATCH (a:` + model.LabelAnalysis + ` {id: r.analysis}), (i:` + model.LabelIncident + ` {id: r.incident}), (as:` + model.LabelAsset + ` {id: r.asset})
CREATE (a)-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + `:` + model.LabelEntity + ` {id: r.id, analysisId: a.id, incidentId: i.id, axis1: r.axis1, axis2: r.axis2,
  category: r.category, estimatedLossJPY: 1000000.0, rationale: 'bench'})
CREATE (s)-[:` + model.RelOf + `]->(i), (s)-[:` + model.RelThrough + `]->(as)
WITH s, r
CALL (s, r) {
  UNWIND r.threats AS tid
  MATCH (th:` + model.LabelThreat + ` {id: tid})
  CREATE (s)-[:` + model.RelCausedBy + `]->(th)
}
CALL (s, r) {
  UNWIND r.treatments AS tr
  MATCH (m:` + model.LabelMeasure + ` {id: tr.measure})
  CREATE (s)-[:` + model.RelTreatedBy + `]->(:` + model.LabelTreatment + `:` + model.LabelEntity + ` {id: tr.id, assessmentId: s.id, measureId: m.id, status: 'IMPLEMENTED', perspective: m.perspective})-[:` + model.RelApplies + `]->(m)
}`

const datasetMarkCypher = `MATCH (o:` + model.LabelOrganization + ` {id: $org}) SET o.benchSize = $size`

// Load makes sure the data set is in the database: when its organization
// carries the same size mark it does nothing; otherwise it deletes every
// node whose id starts with the prefix and writes the data set in batches
// of UNWIND rows, marking the organization last (so an interrupted load is
// redone). It touches no node outside the prefix. The ssfgraph schema
// (constraints and indexes: `ssfgraph migrate`) should exist first, or the
// MATCHes by id scan.
func (d *Dataset) Load(ctx context.Context, drv neo4j.DriverWithContext, database string) error {
	mark := d.Size.String()
	exec := func(cypher string, params map[string]any) error {
		_, err := neo4j.ExecuteQuery(ctx, drv, cypher, params, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(database))
		if err != nil {
			return fmt.Errorf("bench.Load %s: %w", d.Prefix, err)
		}
		return nil
	}
	res, err := neo4j.ExecuteQuery(ctx, drv, datasetMarkerCypher, map[string]any{"org": d.Org}, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(database))
	if err != nil {
		return fmt.Errorf("bench.Load %s: %w", d.Prefix, err)
	}
	if len(res.Records) == 1 {
		if got, _ := res.Records[0].Values[0].(string); got == mark {
			return nil
		}
	}
	if err := d.Delete(ctx, drv, database); err != nil {
		return err
	}
	if err := exec(datasetCatalogCypher, map[string]any{"org": d.Org, "prefix": d.Prefix}); err != nil {
		return err
	}
	s, p := d.Size, d.Prefix
	var targets, analyses, rows []map[string]any
	for ti, tid := range d.Targets {
		incidents := make([]string, s.AssessmentsPerAnalysis)
		for k := range incidents {
			incidents[k] = fmt.Sprintf("%s-inc-%03d", tid, k)
		}
		targets = append(targets, map[string]any{"id": tid, "name": fmt.Sprintf("Bench target %d %s", ti, d.Word), "incidents": incidents})
		for ai := range s.AnalysesPerTarget {
			aid := analysisID(tid, ai)
			analyses = append(analyses, map[string]any{"id": aid, "target": tid,
				"notApplicable": []string{p + "bc-" + fmt.Sprint(ai%3), p + "bc-" + fmt.Sprint((ai+1)%3)}})
			for k := range s.AssessmentsPerAnalysis {
				sid := fmt.Sprintf("%s:as-%03d", aid, k)
				a1, a2 := 1+(k+ai)%4, 1+k%4
				rows = append(rows, map[string]any{
					"id": sid, "analysis": aid, "incident": incidents[k], "asset": tid + "-asset",
					"axis1": a1, "axis2": a2, "category": max(a1, a2),
					"threats": []string{p + "bth-" + fmt.Sprint(k%3), p + "bth-" + fmt.Sprint((k+1)%3)},
					"treatments": []map[string]any{
						{"id": sid + ":tr-0", "measure": p + "bm-" + fmt.Sprint(k%3)},
						{"id": sid + ":tr-1", "measure": p + "bm-" + fmt.Sprint((k+2)%3)},
					},
				})
			}
		}
	}
	const batch = 2000
	for _, step := range []struct {
		cypher, key string
		rows        []map[string]any
	}{
		{datasetTargetsCypher, "targets", targets},
		{datasetAnalysesCypher, "analyses", analyses},
		{datasetAssessmentsCypher, "rows", rows},
	} {
		for i := 0; i < len(step.rows); i += batch {
			part := step.rows[i:min(i+batch, len(step.rows))]
			if err := exec(step.cypher, map[string]any{step.key: part, "org": d.Org}); err != nil {
				return err
			}
		}
	}
	d.Created = true
	return exec(datasetMarkCypher, map[string]any{"org": d.Org, "size": mark})
}

// Delete removes every node whose id starts with the data set's prefix.
func (d *Dataset) Delete(ctx context.Context, drv neo4j.DriverWithContext, database string) error {
	sess := drv.NewSession(ctx, neo4j.SessionConfig{DatabaseName: database})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, datasetDeleteCypher, map[string]any{"p": d.Prefix})
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		return fmt.Errorf("bench.Delete %s: %w", d.Prefix, err)
	}
	return nil
}
