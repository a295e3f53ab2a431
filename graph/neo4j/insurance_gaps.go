package neo4j

import (
	"context"
	"fmt"
	"slices"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/coverage"
	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.InsuranceReader = (*DB)(nil)

// insuranceFactsCypher reads, in one statement, what InsuranceGaps needs
// about analysis $id: the policies it relies on (or, when it names none,
// those its organization holds that the viewer may read,
// model.InsurancePolicy.ReadableBy) with their lines and what each covers and
// requires; its assessments with their incident, threats and treated
// measures; and the top axis-1 rank and the axis-2 upper bounds.
var insuranceFactsCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $id})
CALL (a) {
  OPTIONAL MATCH (a)-[:` + model.RelReliesOn + `]->(p:` + model.LabelInsurancePolicy + `)
  RETURN collect(p) AS relied
}
CALL (a) {
  OPTIONAL MATCH (:` + model.LabelOrganization + ` {id: a.organizationId})-[:` + model.RelHolds + `]->(p:` + model.LabelInsurancePolicy + `)
  WHERE ` + policyReadable("p") + `
  RETURN collect(p) AS held
}
WITH a, size(relied) > 0 AS reliesOn, CASE WHEN size(relied) > 0 THEN relied ELSE held END AS ps
CALL (ps) {
  UNWIND ps AS p
  RETURN collect({policy: p, lines: COLLECT {
    MATCH (p)-[:` + model.RelHasLine + `]->(l:` + model.LabelCoverageLine + `)
    RETURN {line: l,
      incidents: [(l)-[:` + model.RelCovers + `]->(x:` + model.LabelIncident + `) | x.id],
      threats: [(l)-[:` + model.RelCovers + `]->(x:` + model.LabelThreat + `) | x.id],
      measures: [(l)-[:` + model.RelRequires + `]->(x:` + model.LabelMeasure + `) | x],
      clauses: [(l)-[:` + model.RelRequires + `]->(x:` + model.LabelClause + `) | x]}
  }}) AS policies
}
CALL (a) {
  MATCH (a)-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + `)-[:` + model.RelOf + `]->(i:` + model.LabelIncident + `)
  RETURN collect({assessment: s, incident: i,
    threats: [(s)-[:` + model.RelCausedBy + `]->(t:` + model.LabelThreat + `) | t],
    treatments: [(s)-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `)-[:` + model.RelApplies + `]->(m:` + model.LabelMeasure + `) | {status: tr.status, measure: m}]}) AS assessments
}
CALL () {
  OPTIONAL MATCH (l:` + model.LabelAxisLevel + `)
  RETURN max(CASE WHEN l.axis = 1 THEN l.rank END) AS topAxis1,
    collect(CASE WHEN l.axis = 2 AND l.maxJPY IS NOT NULL THEN {rank: l.rank, maxJPY: l.maxJPY} END) AS axis2
}
RETURN a, reliesOn, policies, assessments, topAxis1, axis2`

// InsuranceGaps reads what InsuranceGapsOf needs about the analysis in
// one statement, asks clausesMet about the clauses its lines require, and
// works the report out. It returns ENOTFOUND for an unknown analysis.
func (db *DB) InsuranceGaps(ctx context.Context, analysisID string) (*model.InsuranceGapReport, error) {
	// The viewer is the caller in ctx; an operator (ssfgraph commands)
	// without one reads as an admin.
	params := viewerParams(model.PrincipalFrom(ctx))
	if model.PrincipalFrom(ctx) == nil && model.OperatorFrom(ctx) != "" {
		params["viewerAdmin"] = true
	}
	params["id"] = analysisID
	res, err := db.read(ctx, "neo4j.InsuranceGaps", "analysis "+analysisID, insuranceFactsCypher, params)
	if err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, model.FieldErrorf(model.ENOTFOUND, "analysisId", "no analysis %q", model.Truncate(analysisID, 60))
	}
	f, clauses, err := insuranceFacts(res[0])
	if err != nil {
		return nil, fmt.Errorf("neo4j.InsuranceGaps %s: %w", analysisID, err)
	}
	if f.ClausesMet, err = db.clausesMet(ctx, analysisID, clauses); err != nil {
		return nil, err
	}
	return model.InsuranceGapsOf(f), nil
}

// insuranceFacts decodes the record of insuranceFactsCypher, and lists the
// ids of the clauses the lines require.
func insuranceFacts(rec *neo4j.Record) (*model.InsuranceFacts, []string, error) {
	r := props(rec.AsMap())
	a, ok := nodeAs[model.Analysis](r["a"])
	if !ok {
		return nil, nil, fmt.Errorf("analysis column holds %T", r["a"])
	}
	f := &model.InsuranceFacts{Analysis: a, PolicySource: model.PolicySourceHeld, TopAxis1Rank: r.int("topAxis1"), Axis2UpperJPY: map[int]float64{}}
	if r.bool("reliesOn") {
		f.PolicySource = model.PolicySourceReliedOn
	}
	for _, v := range exportMaps(r["axis2"]) {
		if _, seen := f.Axis2UpperJPY[v.int("rank")]; !seen {
			f.Axis2UpperJPY[v.int("rank")] = v.float("maxJPY")
		}
	}
	var clauses []string
	for _, pv := range exportMaps(r["policies"]) {
		p, ok := nodeAs[model.InsurancePolicy](pv["policy"])
		if !ok {
			continue
		}
		pf := &model.PolicyFacts{Policy: p}
		for _, lv := range exportMaps(pv["lines"]) {
			l, ok := nodeAs[model.CoverageLine](lv["line"])
			if !ok {
				continue
			}
			lf := &model.LineFacts{Line: l, CoversIncidentIDs: lv.strs("incidents"), CoversThreatIDs: lv.strs("threats"),
				RequiresMeasures: nodesAs[model.Measure](lv["measures"]), RequiresClauses: nodesAs[model.Clause](lv["clauses"])}
			for _, c := range lf.RequiresClauses {
				clauses = append(clauses, c.ID)
			}
			pf.Lines = append(pf.Lines, lf)
		}
		f.Policies = append(f.Policies, pf)
	}
	for _, sv := range exportMaps(r["assessments"]) {
		s, ok1 := nodeAs[model.Assessment](sv["assessment"])
		i, ok2 := nodeAs[model.Incident](sv["incident"])
		if !ok1 || !ok2 {
			continue
		}
		af := &model.AssessmentFacts{Assessment: s, Incident: i, Threats: nodesAs[model.Threat](sv["threats"])}
		for _, tv := range exportMaps(sv["treatments"]) {
			if m, ok := nodeAs[model.Measure](tv["measure"]); ok {
				af.Treatments = append(af.Treatments, &model.TreatmentFacts{Measure: m, Status: model.TreatmentStatus(tv.str("status"))})
			}
		}
		f.Assessments = append(f.Assessments, af)
	}
	slices.Sort(clauses)
	return f, slices.Compact(clauses), nil
}

// nodeAs decodes v, a stored node, as a *T.
func nodeAs[T any](v any) (*T, bool) {
	n, ok := v.(neo4j.Node)
	if !ok {
		return nil, false
	}
	t, ok := any(decode(n)).(*T)
	return t, ok
}

// nodesAs decodes v, a list of stored nodes, keeping those that are *T.
func nodesAs[T any](v any) []*T {
	raw, _ := v.([]any)
	out := make([]*T, 0, len(raw))
	for _, x := range raw {
		if t, ok := nodeAs[T](x); ok {
			out = append(out, t)
		}
	}
	return out
}

// clausesMet reports, for each of clauseIDs, whether analysisID meets it.
// It is the one place that rule lives: InsuranceGaps asks it whether a
// coverage line's required clauses are met. A clause is met when the
// coverage engine calls it COVERED for the analysis (an implemented or
// verified measure meets all of it, directly or through crosswalks of at
// most coverage.DefaultMaxHops mappings). A required clause counts even
// when it only groups others or is withdrawn (the insurer named it), and
// the analysis marking it not applicable does not meet it.
func (db *DB) clausesMet(ctx context.Context, analysisID string, clauseIDs []string) (map[string]bool, error) {
	out := make(map[string]bool, len(clauseIDs))
	if len(clauseIDs) == 0 {
		return out, nil
	}
	in, err := db.CoverageInput(ctx, analysisID, "", clauseIDs, coverage.DefaultMaxHops)
	if err != nil {
		return nil, err
	}
	in.NotApplicable = nil // the insurer's condition stands whatever the analysis says
	for _, c := range coverage.Compute(*in).Clauses {
		out[c.Clause] = c.Status == coverage.Covered
	}
	return out, nil
}
