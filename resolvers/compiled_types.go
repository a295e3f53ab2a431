package resolvers

import (
	"io"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// compiledTypes are the object types compiled reads know, with each field
// they compile (compiled.go). A field not listed here makes its root field
// take the resolvers' path. Each entry says the same as the type's
// resolver or bound struct field; TestCompiledReadsEqualResolvers selects
// every one of them and compares the answers byte for byte.
var compiledTypes = map[string]*typeSpec{}

// scalar returns a scalar field of *T that reads the properties props.
func scalar[T any](write func(w io.Writer, t *T), props ...string) *fieldSpec {
	return &fieldSpec{kind: scalarField, props: props, write: func(w io.Writer, n any) { write(w, n.(*T)) }}
}

// related returns a field read through the relation rel, leading to the
// type child (a list of them if list); props are what else it needs of
// its own node.
func related(rel model.Relation, child string, list bool, props ...string) *fieldSpec {
	return &fieldSpec{kind: storeField, rel: rel, child: child, list: list, props: props}
}

// nodeType registers the type name, a Node, with its fields.
func nodeType(name string, always []string, fields map[string]*fieldSpec) *typeSpec {
	t := &typeSpec{name: name, satisfies: []string{name, "Node"}, always: always, fields: fields}
	compiledTypes[name] = t
	return t
}

// objectType registers the type name, not a Node.
func objectType(name string, fields map[string]*fieldSpec) *typeSpec {
	t := &typeSpec{name: name, satisfies: []string{name}, fields: fields}
	compiledTypes[name] = t
	return t
}

func init() {
	nodeType("Organization", nil, map[string]*fieldSpec{
		"id":          scalar(func(w io.Writer, o *model.Organization) { writeID(w, o.ID) }, "id"),
		"name":        scalar(func(w io.Writer, o *model.Organization) { writeString(w, o.Name) }, "name"),
		"sector":      scalar(func(w io.Writer, o *model.Organization) { writeString(w, o.Sector) }, "sector"),
		"departments": related(model.OrganizationDepartments, "Department", true),
		"analyses":    related(model.OrganizationAnalyses, "Analysis", true),
	})
	nodeType("Department", nil, map[string]*fieldSpec{
		"id":           scalar(func(w io.Writer, d *model.Department) { writeID(w, d.ID) }, "id"),
		"name":         scalar(func(w io.Writer, d *model.Department) { writeString(w, d.Name) }, "name"),
		"organization": related(model.ProjDepartmentOrg, "Organization", false),
	})
	nodeType("Target", nil, map[string]*fieldSpec{
		"id":          scalar(func(w io.Writer, t *model.Target) { writeID(w, t.ID) }, "id"),
		"name":        scalar(func(w io.Writer, t *model.Target) { writeString(w, t.Name) }, "name"),
		"sector":      scalar(func(w io.Writer, t *model.Target) { writeString(w, t.Sector) }, "sector"),
		"description": scalar(func(w io.Writer, t *model.Target) { writeString(w, t.Description) }, "description"),
		"owner":       related(model.ProjTargetOwner, "Organization", false),
		"assets":      related(model.TargetAssets, "Asset", true),
		"incidents":   related(model.TargetIncidents, "Incident", true),
		"analyses":    withStatus(related(model.TargetAnalyses, "Analysis", true)),
	})
	nodeType("Asset", nil, map[string]*fieldSpec{
		"id":          scalar(func(w io.Writer, a *model.Asset) { writeID(w, a.ID) }, "id"),
		"name":        scalar(func(w io.Writer, a *model.Asset) { writeString(w, a.Name) }, "name"),
		"kind":        scalar(func(w io.Writer, a *model.Asset) { writeString(w, a.Kind) }, "kind"),
		"description": scalar(func(w io.Writer, a *model.Asset) { writeString(w, a.Description) }, "description"),
		"target":      related(model.ProjAssetTarget, "Target", false),
		"connectsTo":  related(model.AssetConnectsTo, "Asset", true),
	})
	nodeType("Incident", nil, map[string]*fieldSpec{
		"id":          scalar(func(w io.Writer, i *model.Incident) { writeID(w, i.ID) }, "id"),
		"name":        scalar(func(w io.Writer, i *model.Incident) { writeString(w, i.Name) }, "name"),
		"consequence": scalar(func(w io.Writer, i *model.Incident) { writeString(w, i.Consequence) }, "consequence"),
		"description": scalar(func(w io.Writer, i *model.Incident) { writeString(w, i.Description) }, "description"),
		"target":      related(model.ProjIncidentTarget, "Target", false),
	})
	nodeType("Threat", nil, map[string]*fieldSpec{
		"id":            scalar(func(w io.Writer, t *model.Threat) { writeID(w, t.ID) }, "id"),
		"name":          scalar(func(w io.Writer, t *model.Threat) { writeString(w, t.Name) }, "name"),
		"kind":          scalar(func(w io.Writer, t *model.Threat) { writeString(w, t.Kind) }, "kind"),
		"description":   scalar(func(w io.Writer, t *model.Threat) { writeString(w, t.Description) }, "description"),
		"externalId":    scalar(func(w io.Writer, t *model.Threat) { optString(w, t.ExternalID) }, "externalId"),
		"source":        scalar(func(w io.Writer, t *model.Threat) { optString(w, t.Source) }, "source"),
		"revoked":       scalar(func(w io.Writer, t *model.Threat) { writeBool(w, t.Revoked) }, "revoked"),
		"deprecated":    scalar(func(w io.Writer, t *model.Threat) { writeBool(w, t.Deprecated) }, "deprecated"),
		"owner":         related(model.ProjThreatOwner, "Organization", false),
		"mitigatedBy":   related(model.ThreatMitigatedBy, "Measure", true),
		"parent":        related(model.ThreatParent, "Threat", false),
		"subtechniques": related(model.ThreatSubtechniques, "Threat", true),
		"revokedBy":     related(model.ThreatRevokedBy, "Threat", false),
	})
	nodeType("Measure", nil, map[string]*fieldSpec{
		"id":          scalar(func(w io.Writer, m *model.Measure) { writeID(w, m.ID) }, "id"),
		"name":        scalar(func(w io.Writer, m *model.Measure) { writeString(w, m.Name) }, "name"),
		"description": scalar(func(w io.Writer, m *model.Measure) { writeString(w, m.Description) }, "description"),
		"kind":        scalar(func(w io.Writer, m *model.Measure) { writeString(w, m.Kind) }, "kind"),
		"revoked":     scalar(func(w io.Writer, m *model.Measure) { writeBool(w, m.Revoked) }, "revoked"),
		"deprecated":  scalar(func(w io.Writer, m *model.Measure) { writeBool(w, m.Deprecated) }, "deprecated"),
		"perspective": fromScales("Perspective", func(s *model.Scales, m *model.Measure) any { return perspectiveOf(s, m.PerspectiveCode) }, "perspective"),
		"owner":       related(model.ProjMeasureOwner, "Organization", false),
		"clauses":     related(model.ProjMeasureClauses, "MeasureClauseLink", true),
		"mitigates":   related(model.MeasureMitigates, "Threat", true),
		"revokedBy":   related(model.MeasureRevokedBy, "Measure", false),
	})
	objectType("MeasureClauseLink", map[string]*fieldSpec{
		"relationship": scalar(func(w io.Writer, l *model.MeasureClauseLink) { l.Relationship.MarshalGQL(w) }, "relationship"),
		"coverage":     scalar(func(w io.Writer, l *model.MeasureClauseLink) { optFloat(w, l.Coverage) }, "coverage"),
		"rationale":    scalar(func(w io.Writer, l *model.MeasureClauseLink) { optString(w, l.Rationale) }, "rationale"),
		"clause":       related(model.ProjLinkClause, "Clause", false),
	})
	objectType("NotApplicableClause", map[string]*fieldSpec{
		"reason": scalar(func(w io.Writer, n *model.NotApplicableClause) { writeString(w, n.Reason) }, "reason"),
		"clause": related(model.ProjLinkClause, "Clause", false),
	})
	nodeType("Clause", nil, map[string]*fieldSpec{
		"id":               scalar(func(w io.Writer, c *model.Clause) { writeID(w, c.ID) }, "id"),
		"ref":              scalar(func(w io.Writer, c *model.Clause) { writeString(w, c.Ref) }, "ref"),
		"title":            scalar(func(w io.Writer, c *model.Clause) { writeString(w, c.Title) }, "title"),
		"text":             scalar(func(w io.Writer, c *model.Clause) { writeString(w, c.Text) }, "text"),
		"withdrawn":        scalar(func(w io.Writer, c *model.Clause) { writeBool(w, c.Withdrawn) }, "withdrawn"),
		"guideline":        related(model.ProjClauseGuideline, "Guideline", false),
		"incorporatedInto": related(model.ClauseIncorporatedInto, "Clause", true),
		"parent":           related(model.ProjClauseParent, "Clause", false),
		"children":         inForceOnly(related(model.ClauseChildren, "Clause", true)),
	})
	nodeType("Guideline", nil, map[string]*fieldSpec{
		"id":        scalar(func(w io.Writer, g *model.Guideline) { writeID(w, g.ID) }, "id"),
		"title":     scalar(func(w io.Writer, g *model.Guideline) { writeString(w, g.Title) }, "title"),
		"publisher": scalar(func(w io.Writer, g *model.Guideline) { writeString(w, g.Publisher) }, "publisher"),
		"version":   scalar(func(w io.Writer, g *model.Guideline) { writeString(w, g.Version) }, "version"),
		"clauses":   inForceOnly(related(model.GuidelineTopClauses, "Clause", true)),
	})
	analysis := nodeType("Analysis", []string{"visibility", "organizationId", "sharedWithOrganizationIds", "sharedWithSectors"}, map[string]*fieldSpec{
		"id":                scalar(func(w io.Writer, a *model.Analysis) { writeID(w, a.ID) }, "id"),
		"title":             scalar(func(w io.Writer, a *model.Analysis) { writeString(w, a.Title) }, "title"),
		"status":            scalar(func(w io.Writer, a *model.Analysis) { a.Status.MarshalGQL(w) }, "status"),
		"version":           scalar(func(w io.Writer, a *model.Analysis) { writeInt(w, a.Version) }, "version"),
		"visibility":        scalar(func(w io.Writer, a *model.Analysis) { a.Visibility.MarshalGQL(w) }),
		"sharedWithSectors": scalar(func(w io.Writer, a *model.Analysis) { writeStrings(w, a.SharedWithSectors) }),
		"createdAt":         scalar(func(w io.Writer, a *model.Analysis) { writeTime(w, a.CreatedAt) }, "createdAt"),
		"updatedAt":         scalar(func(w io.Writer, a *model.Analysis) { writeTime(w, a.UpdatedAt) }, "updatedAt"),
		"submittedAt":       scalar(func(w io.Writer, a *model.Analysis) { optTime(w, a.SubmittedAt) }, "submittedAt"),
		"organization":      related(model.ProjAnalysisOrganization, "Organization", false),
		"target":            related(model.ProjAnalysisTarget, "Target", false),
		"assessments":       related(model.AnalysisAssessments, "Assessment", true),
		"notApplicable":     related(model.ProjAnalysisNotApplicable, "NotApplicableClause", true),
		"supersedes":        related(model.ProjAnalysisSupersedes, "Analysis", false),
	})
	analysis.readable = func(p *model.Principal, n any) bool { return n.(*model.Analysis).CanRead(p) }
	nodeType("Assessment", nil, map[string]*fieldSpec{
		"id":               scalar(func(w io.Writer, s *model.Assessment) { writeID(w, s.ID) }, "id"),
		"category":         scalar(func(w io.Writer, s *model.Assessment) { writeInt(w, s.Category) }, "category"),
		"estimatedLossJPY": scalar(func(w io.Writer, s *model.Assessment) { optFloat(w, s.EstimatedLossJpy) }, "estimatedLossJPY"),
		"rationale":        scalar(func(w io.Writer, s *model.Assessment) { writeString(w, s.Rationale) }, "rationale"),
		"axis1":            fromScales("AxisLevel", func(s *model.Scales, a *model.Assessment) any { return levelOf(s, 1, a.Axis1Rank) }, "axis1"),
		"axis2":            fromScales("AxisLevel", func(s *model.Scales, a *model.Assessment) any { return levelOf(s, 2, a.Axis2Rank) }, "axis2"),
		"incident": submitted(related(model.ProjAssessmentIncident, "Incident", false, "snapshot"), func(n, _ any) any {
			if was := n.(*model.Assessment).AsSubmitted; was != nil && was.Incident != nil {
				return was.Incident
			}
			return nil
		}),
		"threats": submittedList(related(model.AssessmentThreats, "Threat", true, "snapshot"), func(n any) ([]any, bool) {
			if was := n.(*model.Assessment).AsSubmitted; was != nil {
				return anys(was.Threats), true
			}
			return nil, false
		}),
		"assets": submittedList(related(model.AssessmentAssets, "Asset", true, "snapshot"), func(n any) ([]any, bool) {
			if was := n.(*model.Assessment).AsSubmitted; was != nil {
				return anys(was.Assets), true
			}
			return nil, false
		}),
		// The treatments' measures read the snapshot of their assessment.
		"treatments":      related(model.AssessmentTreatments, "Treatment", true, "snapshot"),
		"ownerDepartment": related(model.ProjAssessmentDepartment, "Department", false),
		"analysis":        related(model.ProjAssessmentAnalysis, "Analysis", false),
	})
	objectType("Treatment", map[string]*fieldSpec{
		"status":      scalar(func(w io.Writer, t *model.Treatment) { t.Status.MarshalGQL(w) }, "status"),
		"perspective": fromScales("Perspective", func(s *model.Scales, t *model.Treatment) any { return perspectiveOf(s, t.PerspectiveCode) }, "perspective"),
		"measure": submitted(related(model.ProjTreatmentMeasure, "Measure", false, "measureId"), func(n, parent any) any {
			s, _ := parent.(*model.Assessment)
			if s == nil || s.AsSubmitted == nil {
				return nil
			}
			if m := s.AsSubmitted.Measure(n.(*model.Treatment).MeasureID); m != nil {
				return m
			}
			return nil
		}),
	})
	nodeType("AxisLevel", nil, map[string]*fieldSpec{
		"id":          scalar(func(w io.Writer, l *model.AxisLevel) { writeID(w, l.ID) }, "id"),
		"rank":        scalar(func(w io.Writer, l *model.AxisLevel) { writeInt(w, l.Rank) }),
		"labelEn":     scalar(func(w io.Writer, l *model.AxisLevel) { writeString(w, l.LabelEn) }),
		"labelJa":     scalar(func(w io.Writer, l *model.AxisLevel) { writeString(w, l.LabelJa) }),
		"description": scalar(func(w io.Writer, l *model.AxisLevel) { writeString(w, l.Description) }),
		"minJPY":      scalar(func(w io.Writer, l *model.AxisLevel) { optFloat(w, l.MinJpy) }),
		"maxJPY":      scalar(func(w io.Writer, l *model.AxisLevel) { optFloat(w, l.MaxJpy) }),
	})
	objectType("Perspective", map[string]*fieldSpec{
		"code":        scalar(func(w io.Writer, p *model.Perspective) { writeString(w, p.Code) }),
		"nameEn":      scalar(func(w io.Writer, p *model.Perspective) { writeString(w, p.NameEn) }),
		"nameJa":      scalar(func(w io.Writer, p *model.Perspective) { writeString(w, p.NameJa) }),
		"description": scalar(func(w io.Writer, p *model.Perspective) { writeString(w, p.Description) }),
	})
}

// fromScales returns a field whose object the scales give for a *T.
func fromScales[T any](child string, of func(s *model.Scales, t *T) any, props ...string) *fieldSpec {
	return &fieldSpec{kind: scalesField, child: child, props: props, fromScales: func(s *model.Scales, n any) any { return of(s, n.(*T)) }}
}

// inForceOnly marks a list of clauses that takes `includeWithdrawn`.
func inForceOnly(f *fieldSpec) *fieldSpec { f.inForce = true; return f }

// withStatus marks a field that takes a `status` argument.
func withStatus(f *fieldSpec) *fieldSpec { f.status = true; return f }

// submitted and submittedList set what a submitted assessment kept.
func submitted(f *fieldSpec, kept func(n, parent any) any) *fieldSpec {
	f.submitted = kept
	return f
}

func submittedList(f *fieldSpec, kept func(n any) ([]any, bool)) *fieldSpec {
	f.submittedList = kept
	return f
}

// anys returns the elements of ts as values of any.
func anys[T any](ts []*T) []any {
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}
