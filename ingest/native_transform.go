package ingest

// Native documents: a checked Document turned into the Batch of nodes and
// relationships the GraphQL mutations would have written.

import (
	"fmt"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// batch turns a checked document into the nodes and relationships the
// GraphQL mutations would have written.
func (c *nativeCheck) batch(doc *Document) *Batch {
	b := &Batch{Source: c.file, Format: FormatNative}
	node := func(label, id string, props map[string]any) {
		b.Nodes = append(b.Nodes, Node{Label: label, ID: id, Props: props})
	}
	rel := func(typ, fromLabel, from, toLabel, to, where string, props map[string]any) {
		r := Rel{Type: typ, FromLabel: fromLabel, From: from, ToLabel: toLabel, To: to, Props: props, Where: where}
		if !c.is(from, fromLabel) {
			r.Hint = nativeHint(fromLabel, from)
		}
		if !c.is(to, toLabel) {
			r.Hint = nativeHint(toLabel, to)
		}
		b.Rels = append(b.Rels, r)
	}
	o, t, a := doc.Organization, doc.Target, doc.Analysis
	node(model.LabelOrganization, o.ID, map[string]any{"name": o.Name, "sector": o.Sector})
	for i, d := range o.Departments {
		node(model.LabelDepartment, d.ID, map[string]any{"name": d.Name, "organizationId": o.ID})
		rel(model.RelHasDepartment, model.LabelOrganization, o.ID, model.LabelDepartment, d.ID, fmt.Sprintf("organization.departments[%d]", i), nil)
	}
	node(model.LabelTarget, t.ID, map[string]any{"name": t.Name, "sector": t.Sector, "description": t.Description})
	for i, x := range t.Assets {
		node(model.LabelAsset, x.ID, map[string]any{"targetId": t.ID, "name": x.Name, "kind": x.Kind, "description": x.Description})
		rel(model.RelHasAsset, model.LabelTarget, t.ID, model.LabelAsset, x.ID, fmt.Sprintf("target.assets[%d]", i), nil)
	}
	for i, x := range t.Assets {
		for j, to := range x.ConnectsTo {
			rel(model.RelConnectsTo, model.LabelAsset, x.ID, model.LabelAsset, to, fmt.Sprintf("target.assets[%d].connectsTo[%d]", i, j), nil)
		}
	}
	for i, x := range t.Incidents {
		node(model.LabelIncident, x.ID, map[string]any{"targetId": t.ID, "name": x.Name, "consequence": x.Consequence, "description": x.Description})
		rel(model.RelHasIncident, model.LabelTarget, t.ID, model.LabelIncident, x.ID, fmt.Sprintf("target.incidents[%d]", i), nil)
	}
	for _, x := range doc.Threats {
		node(model.LabelThreat, x.ID, nativeCatalogProps(map[string]any{"name": x.Name, "kind": x.Kind, "description": x.Description},
			x.ExternalID, x.Source))
	}
	for i, m := range doc.Measures {
		node(model.LabelMeasure, m.ID, nativeCatalogProps(map[string]any{"name": m.Name, "description": m.Description, "perspective": m.Perspective, "kind": m.Kind},
			m.ExternalID, m.Source))
		for j, l := range m.Clauses {
			lp := map[string]any{"relationship": l.Relationship}
			if l.Coverage != nil {
				lp["coverage"] = *l.Coverage
			}
			if l.Rationale != nil {
				lp["rationale"] = *l.Rationale
			}
			rel(model.RelSatisfies, model.LabelMeasure, m.ID, model.LabelClause, l.Clause, fmt.Sprintf("measures[%d].clauses[%d]", i, j), lp)
		}
	}
	for i, pol := range doc.Policies {
		p := fmt.Sprintf("policies[%d]", i)
		node(model.LabelInsurancePolicy, pol.ID, map[string]any{"insurer": pol.Insurer, "holderId": pol.HolderID, "product": pol.Product,
			"periodStart": pol.PeriodStart, "periodEnd": pol.PeriodEnd, "aggregateLimitJPY": pol.AggregateLimitJPY,
			"visibility": pol.Visibility, "sharedWithOrganizationIds": nativeList(pol.SharedWithOrganizationIDs), "sharedWithSectors": nativeList(pol.SharedWithSectors)})
		rel(model.RelHolds, model.LabelOrganization, pol.HolderID, model.LabelInsurancePolicy, pol.ID, p+".holderId", nil)
		for j, l := range pol.Lines {
			lp := fmt.Sprintf("%s.lines[%d]", p, j)
			node(model.LabelCoverageLine, l.ID, map[string]any{"policyId": pol.ID, "type": l.Type, "limitJPY": l.LimitJPY,
				"deductibleJPY": l.DeductibleJPY, "exclusions": nativeList(l.Exclusions)})
			rel(model.RelHasLine, model.LabelInsurancePolicy, pol.ID, model.LabelCoverageLine, l.ID, lp, nil)
			for _, refs := range []struct {
				typ, label, field string
				ids               []string
			}{
				{model.RelCovers, model.LabelIncident, "coversIncidentIds", l.CoversIncidentIDs},
				{model.RelCovers, model.LabelThreat, "coversThreatIds", l.CoversThreatIDs},
				{model.RelRequires, model.LabelMeasure, "requiresMeasureIds", l.RequiresMeasureIDs},
				{model.RelRequires, model.LabelClause, "requiresClauseIds", l.RequiresClauseIDs},
			} {
				for k, id := range refs.ids {
					rel(refs.typ, model.LabelCoverageLine, l.ID, refs.label, id, fmt.Sprintf("%s.%s[%d]", lp, refs.field, k), nil)
				}
			}
		}
	}
	ap := map[string]any{"title": a.Title, "status": a.Status, "version": int64(a.Version), "visibility": a.Visibility,
		"sharedWithOrganizationIds": nativeList(a.SharedWithOrganizationIDs), "sharedWithSectors": nativeList(a.SharedWithSectors),
		"organizationId": o.ID, "targetId": t.ID}
	// Times the document omits are left as they are (the load gives a new
	// analysis its own, as createAnalysis does: graph/neo4j's
	// ingestNodeCypher), and loading the same document again changes
	// nothing.
	for k, v := range map[string]*time.Time{"createdAt": a.CreatedAt, "updatedAt": a.UpdatedAt, "submittedAt": a.SubmittedAt} {
		if v != nil {
			ap[k] = v.In(nativeUTC) // stored as datetime() stores them: offset Z
		}
	}
	node(model.LabelAnalysis, a.ID, ap)
	rel(model.RelAuthored, model.LabelOrganization, o.ID, model.LabelAnalysis, a.ID, "analysis", nil)
	rel(model.RelAnalyzes, model.LabelAnalysis, a.ID, model.LabelTarget, t.ID, "analysis", nil)
	for i, id := range a.Policies {
		rel(model.RelReliesOn, model.LabelAnalysis, a.ID, model.LabelInsurancePolicy, id, fmt.Sprintf("analysis.policies[%d]", i), nil)
	}
	for i, na := range a.NotApplicable {
		rel(model.RelNotApplicable, model.LabelAnalysis, a.ID, model.LabelClause, na.Clause, fmt.Sprintf("analysis.notApplicable[%d]", i),
			map[string]any{"reason": na.Reason})
	}
	for i, s := range a.Assessments {
		p := fmt.Sprintf("analysis.assessments[%d]", i)
		props := map[string]any{"analysisId": a.ID, "incidentId": s.Incident, "axis1": int64(s.Axis1), "axis2": int64(s.Axis2),
			"category": int64(*s.Category), "rationale": s.Rationale, "estimatedLossJPY": nil, "ownerDepartmentId": nativeOpt(s.OwnerDepartment)}
		if s.EstimatedLossJPY != nil {
			props["estimatedLossJPY"] = *s.EstimatedLossJPY
		}
		if c.derived[s.ID] {
			props["idKey"] = s.ID
		}
		node(model.LabelAssessment, s.ID, props)
		rel(model.RelHasAssessment, model.LabelAnalysis, a.ID, model.LabelAssessment, s.ID, p, nil)
		rel(model.RelOf, model.LabelAssessment, s.ID, model.LabelIncident, s.Incident, p+".incident", nil)
		for j, th := range s.Threats {
			rel(model.RelCausedBy, model.LabelAssessment, s.ID, model.LabelThreat, th, fmt.Sprintf("%s.threats[%d]", p, j), nil)
		}
		for j, x := range s.Assets {
			rel(model.RelThrough, model.LabelAssessment, s.ID, model.LabelAsset, x, fmt.Sprintf("%s.assets[%d]", p, j), nil)
		}
		if s.OwnerDepartment != "" {
			rel(model.RelOwnedBy, model.LabelAssessment, s.ID, model.LabelDepartment, s.OwnerDepartment, p+".ownerDepartment", nil)
		}
		for j, tr := range s.Treatments {
			tp := fmt.Sprintf("%s.treatments[%d]", p, j)
			tprops := map[string]any{"assessmentId": s.ID, "measureId": tr.Measure, "status": tr.Status, "perspective": tr.Perspective}
			if c.derived[tr.ID] {
				tprops["idKey"] = tr.ID
			}
			node(model.LabelTreatment, tr.ID, tprops)
			rel(model.RelTreatedBy, model.LabelAssessment, s.ID, model.LabelTreatment, tr.ID, tp, nil)
			rel(model.RelApplies, model.LabelTreatment, tr.ID, model.LabelMeasure, tr.Measure, tp+".measure", nil)
		}
	}
	return b
}

// nativeUTC is the zone times are stored in: a fixed offset of zero, which
// the driver sends as an offset (like Cypher's datetime()), not as a zone
// name.
var nativeUTC = time.FixedZone("Offset", 0)

// nativeCatalogProps adds a threat's or measure's optional external id and
// source when the document gives them. Threats and measures are shared
// with other analyses and catalogs, so one the document leaves out is left
// as it is stored (unlike an assessment's, see nativeOpt).
func nativeCatalogProps(p map[string]any, externalID, source string) map[string]any {
	if externalID != "" {
		p["externalId"] = externalID
	}
	if source != "" {
		p["source"] = source
	}
	return p
}

// nativeOpt is s, or nil (which removes the property) for "": a document
// states every property of the assessments it defines.
func nativeOpt(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nativeList returns s, or an empty list for nil, so that list properties are
// stored as [] like the mutations store them.
func nativeList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// nativeHint says what to load first when a native document names a node
// it does not define and the graph does not hold; the loader says "ingest
// HINT first".
func nativeHint(label, id string) string {
	ns, _, _ := strings.Cut(id, ":")
	switch label {
	case model.LabelClause:
		switch {
		case ns == "ciso":
			if parts := strings.Split(id, ":"); len(parts) > 4 && parts[3] == "req_node" {
				return fmt.Sprintf("the CISO Assistant library of framework %s (guideline ciso:%s)", parts[4], parts[4])
			}
			return "the CISO Assistant library that defines the clause"
		case ns == "nist-sp800-53r5":
			return "the NIST SP 800-53 Rev. 5 OSCAL catalog (guideline nist-sp800-53r5)"
		case ns == "nist-csf-2.0":
			return "the NIST CSF 2.0 OSCAL catalog (guideline nist-csf-2.0)"
		}
		return "the guideline that defines the clause"
	case model.LabelThreat, model.LabelMeasure:
		what := strings.ToLower(label)
		switch ns {
		case "mitre-attack-ics":
			return "the MITRE ATT&CK for ICS STIX bundle"
		case "ciso":
			return "the CISO Assistant reference-controls library that defines the " + what
		}
		return fmt.Sprintf("the catalog that defines the %s (or define it under %ss in this document)", what, what)
	case model.LabelInsurancePolicy:
		return "a document that defines the policy (or define it under policies in this document)"
	case model.LabelOrganization:
		return "a document that defines the organization (or create it through the API)"
	case model.LabelIncident:
		return "the document of the incident's target"
	}
	return "a document that defines it"
}
