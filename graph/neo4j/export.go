package neo4j

import (
	"context"
	"fmt"
	"slices"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// exportAnalysisCypher reads one analysis with everything a native
// analysis document holds, in one statement: its organization with the
// departments, its target with every asset (and its connections) and
// incident, its assessments with their edges and treatments, the clauses
// it marks not applicable with the reasons, the policies it relies on with
// their lines, and every threat and measure those name (measures with the
// clauses they satisfy).
const exportAnalysisCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $id})
OPTIONAL MATCH (o:` + model.LabelOrganization + `)-[:` + model.RelAuthored + `]->(a)
OPTIONAL MATCH (a)-[:` + model.RelAnalyzes + `]->(t:` + model.LabelTarget + `)
CALL (a) {
  OPTIONAL MATCH (a)-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + `)
  WITH s WHERE s IS NOT NULL
  RETURN collect(s {.*,
    incident: head([(s)-[:` + model.RelOf + `]->(i:` + model.LabelIncident + `) | i.id]),
    threats: [(s)-[:` + model.RelCausedBy + `]->(x:` + model.LabelThreat + `) | x.id],
    assets: [(s)-[:` + model.RelThrough + `]->(x:` + model.LabelAsset + `) | x.id],
    owner: head([(s)-[:` + model.RelOwnedBy + `]->(d:` + model.LabelDepartment + `) | d.id]),
    treatments: [(s)-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `) | tr {.*,
      measure: head([(tr)-[:` + model.RelApplies + `]->(m:` + model.LabelMeasure + `) | m.id])}]}) AS assessments
}
CALL (a) {
  OPTIONAL MATCH (a)-[:` + model.RelReliesOn + `]->(p:` + model.LabelInsurancePolicy + `)
  WITH p WHERE p IS NOT NULL
  RETURN collect(p {.*,
    holder: head([(h:` + model.LabelOrganization + `)-[:` + model.RelHolds + `]->(p) | h.id]),
    lines: [(p)-[:` + model.RelHasLine + `]->(l:` + model.LabelCoverageLine + `) | l {.*,
      coversIncidentIds: [(l)-[:` + model.RelCovers + `]->(x:` + model.LabelIncident + `) | x.id],
      coversThreatIds: [(l)-[:` + model.RelCovers + `]->(x:` + model.LabelThreat + `) | x.id],
      requiresMeasureIds: [(l)-[:` + model.RelRequires + `]->(x:` + model.LabelMeasure + `) | x.id],
      requiresClauseIds: [(l)-[:` + model.RelRequires + `]->(x:` + model.LabelClause + `) | x.id]}]}) AS policies
}
CALL (a) {
  CALL (a) {
    MATCH (a)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + `)-[:` + model.RelCausedBy + `]->(x:` + model.LabelThreat + `)
    RETURN x
    UNION
    MATCH (a)-[:` + model.RelReliesOn + `]->(:` + model.LabelInsurancePolicy + `)-[:` + model.RelHasLine + `]->(:` + model.LabelCoverageLine + `)-[:` + model.RelCovers + `]->(x:` + model.LabelThreat + `)
    RETURN x
  }
  RETURN collect(DISTINCT x {.*}) AS threats
}
CALL (a) {
  CALL (a) {
    MATCH (a)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + `)-[:` + model.RelTreatedBy + `]->(:` + model.LabelTreatment + `)-[:` + model.RelApplies + `]->(x:` + model.LabelMeasure + `)
    RETURN x
    UNION
    MATCH (a)-[:` + model.RelReliesOn + `]->(:` + model.LabelInsurancePolicy + `)-[:` + model.RelHasLine + `]->(:` + model.LabelCoverageLine + `)-[:` + model.RelRequires + `]->(x:` + model.LabelMeasure + `)
    RETURN x
  }
  RETURN collect(DISTINCT x {.*,
    clauses: [(x)-[r:` + model.RelSatisfies + `]->(c:` + model.LabelClause + `) | {clause: c.id, relationship: r.relationship, coverage: r.coverage, rationale: r.rationale}]}) AS measures
}
RETURN a {.*} AS analysis, o {.*} AS organization, t {.*} AS target,
  [(o)-[:` + model.RelHasDepartment + `]->(d:` + model.LabelDepartment + `) | d {.*}] AS departments,
  [(t)-[:` + model.RelHasAsset + `]->(x:` + model.LabelAsset + `) | x {.*, connectsTo: [(x)-[:` + model.RelConnectsTo + `]->(y:` + model.LabelAsset + `) | y.id]}] AS assets,
  [(t)-[:` + model.RelHasIncident + `]->(x:` + model.LabelIncident + `) | x {.*}] AS incidents,
  [(a)-[:` + model.RelReliesOn + `]->(p:` + model.LabelInsurancePolicy + `) | p.id] AS policyIds,
  [(a)-[r:` + model.RelNotApplicable + `]->(c:` + model.LabelClause + `) | {clause: c.id, reason: r.reason}] AS notApplicable,
  assessments, policies, threats, measures`

// ExportAnalysis reads the analysis with the given id, with everything a
// native analysis document holds, in one round trip, and returns it as an
// ingest.Document (ingest.MarshalDocument writes it). The document is
// self-contained except for guideline clauses (those its measures satisfy
// and those it marks not applicable): it defines the analysis's
// organization (with every department), its target (with every asset and
// incident), every threat and measure that its assessments and the
// policies it relies on name, and those policies. It returns ENOTFOUND for
// an unknown analysis. It does not check who may read the analysis: it is
// for the command line, which has the database's credentials.
func (db *DB) ExportAnalysis(ctx context.Context, id string) (*ingest.Document, error) {
	if err := model.ValidID("id", id); err != nil {
		return nil, err
	}
	res, err := db.read(ctx, "neo4j.ExportAnalysis", "analysis "+id, exportAnalysisCypher, map[string]any{"id": id})
	if err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, model.FieldErrorf(model.ENOTFOUND, "id", "no analysis %q", id)
	}
	r := props(res[0].AsMap())
	a := exportMap(r["analysis"])
	o, t := exportMap(r["organization"]), exportMap(r["target"])
	if o == nil {
		return nil, fmt.Errorf("neo4j.ExportAnalysis %s: the analysis has no AUTHORED organization", id)
	}
	if t == nil {
		return nil, fmt.Errorf("neo4j.ExportAnalysis %s: the analysis has no ANALYZES target", id)
	}
	doc := &ingest.Document{
		APIVersion:   ingest.NativeAPIVersion,
		Kind:         ingest.NativeKind,
		Organization: ingest.DocOrganization{ID: o.str("id"), Name: o.str("name"), Sector: o.str("sector")},
		Target:       ingest.DocTarget{ID: t.str("id"), Name: t.str("name"), Sector: t.str("sector"), Description: t.str("description")},
		Analysis: ingest.DocAnalysis{ID: a.str("id"), Title: a.str("title"), Status: a.str("status"), Version: a.int("version"),
			Visibility: a.str("visibility"), SharedWithOrganizationIDs: a.strs("sharedWithOrganizationIds"),
			SharedWithSectors: a.strs("sharedWithSectors"), Policies: r.strs("policyIds"),
			CreatedAt: a.timePtr("createdAt"), UpdatedAt: a.timePtr("updatedAt"), SubmittedAt: a.timePtr("submittedAt")},
	}
	for _, d := range exportMaps(r["departments"]) {
		doc.Organization.Departments = append(doc.Organization.Departments, ingest.DocDepartment{ID: d.str("id"), Name: d.str("name")})
	}
	for _, x := range exportMaps(r["assets"]) {
		doc.Target.Assets = append(doc.Target.Assets, ingest.DocAsset{ID: x.str("id"), Name: x.str("name"), Kind: x.str("kind"),
			Description: x.str("description"), ConnectsTo: x.strs("connectsTo")})
	}
	for _, x := range exportMaps(r["incidents"]) {
		doc.Target.Incidents = append(doc.Target.Incidents, ingest.DocIncident{ID: x.str("id"), Name: x.str("name"),
			Consequence: x.str("consequence"), Description: x.str("description")})
	}
	for _, s := range exportMaps(r["assessments"]) {
		// A node loaded under a derived id shows its natural key
		// (idKey), which loading the document again resolves to it.
		as := ingest.DocAssessment{ID: cmpStr(s.str("idKey"), s.str("id")), Incident: cmpStr(s.str("incident"), s.str("incidentId")),
			Axis1: s.int("axis1"), Axis2: s.int("axis2"), Category: s.intPtr("category"), EstimatedLossJPY: s.floatPtr("estimatedLossJPY"),
			Rationale: s.str("rationale"), OwnerDepartment: cmpStr(s.str("owner"), s.str("ownerDepartmentId")),
			Threats: s.strs("threats"), Assets: s.strs("assets")}
		for _, tr := range exportMaps(s["treatments"]) {
			as.Treatments = append(as.Treatments, ingest.DocTreatment{ID: cmpStr(tr.str("idKey"), tr.str("id")), Measure: cmpStr(tr.str("measure"), tr.str("measureId")),
				Status: tr.str("status"), Perspective: tr.str("perspective")})
		}
		doc.Analysis.Assessments = append(doc.Analysis.Assessments, as)
	}
	for _, m := range exportMaps(r["notApplicable"]) {
		doc.Analysis.NotApplicable = append(doc.Analysis.NotApplicable, ingest.DocNotApplicable{Clause: m.str("clause"), Reason: m.str("reason")})
	}
	for _, p := range exportMaps(r["policies"]) {
		pol := ingest.DocPolicy{ID: p.str("id"), Insurer: p.str("insurer"), HolderID: cmpStr(p.str("holder"), p.str("holderId")), Product: p.str("product"),
			PeriodStart: p.str("periodStart"), PeriodEnd: p.str("periodEnd"), AggregateLimitJPY: p.float("aggregateLimitJPY"),
			Visibility: p.str("visibility"), SharedWithOrganizationIDs: p.strs("sharedWithOrganizationIds"), SharedWithSectors: p.strs("sharedWithSectors")}
		for _, l := range exportMaps(p["lines"]) {
			pol.Lines = append(pol.Lines, ingest.DocCoverageLine{ID: l.str("id"), Type: l.str("type"), LimitJPY: l.float("limitJPY"),
				DeductibleJPY: l.float("deductibleJPY"), Exclusions: l.strs("exclusions"),
				CoversIncidentIDs: l.strs("coversIncidentIds"), CoversThreatIDs: l.strs("coversThreatIds"),
				RequiresMeasureIDs: l.strs("requiresMeasureIds"), RequiresClauseIDs: l.strs("requiresClauseIds")})
		}
		doc.Policies = append(doc.Policies, pol)
	}
	for _, x := range exportMaps(r["threats"]) {
		doc.Threats = append(doc.Threats, ingest.DocThreat{ID: x.str("id"), Name: x.str("name"), Kind: x.str("kind"),
			Description: x.str("description"), ExternalID: x.str("externalId"), Source: x.str("source")})
	}
	for _, x := range exportMaps(r["measures"]) {
		m := ingest.DocMeasure{ID: x.str("id"), Name: x.str("name"), Description: x.str("description"), Perspective: x.str("perspective"),
			Kind: x.str("kind"), ExternalID: x.str("externalId"), Source: x.str("source")}
		for _, c := range exportMaps(x["clauses"]) {
			m.Clauses = append(m.Clauses, ingest.DocClauseLink{Clause: c.str("clause"), Relationship: c.str("relationship"),
				Coverage: c.floatPtr("coverage"), Rationale: c.strPtr("rationale")})
		}
		doc.Measures = append(doc.Measures, m)
	}
	slices.SortFunc(doc.Threats, func(x, y ingest.DocThreat) int { return cmpStrings(x.ID, y.ID) })
	slices.SortFunc(doc.Measures, func(x, y ingest.DocMeasure) int { return cmpStrings(x.ID, y.ID) })
	return doc, nil
}

// exportMap reads a map value of a record, or nil.
func exportMap(v any) props {
	m, _ := v.(map[string]any)
	return m
}

// exportMaps reads a list of maps.
func exportMaps(v any) []props {
	raw, _ := v.([]any)
	out := make([]props, 0, len(raw))
	for _, x := range raw {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// cmpStr returns a, or b when a is empty.
func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// cmpStrings orders two strings.
func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
