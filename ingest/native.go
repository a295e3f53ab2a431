package ingest

// Native analysis documents (apiVersion ssfgraph/v1, kind AnalysisDocument)
// hold one organization's analysis of one target with everything it names.
// ParseNative reads one (YAML or JSON), checks it against the published
// JSON Schema (native_schema.json, embedded and enforced here) and against
// the rules a schema cannot state, and turns it into a Batch in the storage
// shape the GraphQL mutations write. docs/native-format.md documents it.
//
// This file has the Document types; native_parse.go reads a document
// (native_schema.go validates it against the schema), native_check.go
// checks the rules a schema cannot state and native_transform.go turns it
// into a Batch. export.go writes one back.

import "time"

// NativeAPIVersion and NativeKind are the apiVersion and kind of a native
// analysis document.
const (
	NativeAPIVersion = "ssfgraph/v1"
	NativeKind       = "AnalysisDocument"
)

// Document is a native analysis document. ParseNative reads it and Export
// writes it; graph/neo4j builds one from the stored graph. Lists are in
// document order when parsed; MarshalDocument sorts them.
type Document struct {
	APIVersion   string
	Kind         string
	Organization DocOrganization
	Target       DocTarget
	Analysis     DocAnalysis
	Threats      []DocThreat
	Measures     []DocMeasure
	Policies     []DocPolicy
}

// DocOrganization is the organization that wrote the analysis.
type DocOrganization struct {
	ID, Name, Sector string
	Departments      []DocDepartment
}

// DocDepartment is a department of the organization.
type DocDepartment struct {
	ID, Name string
}

// DocTarget is the system or service analysed.
type DocTarget struct {
	ID, Name, Sector, Description string
	Assets                        []DocAsset
	Incidents                     []DocIncident
}

// DocAsset is an asset of the target; ConnectsTo names assets of the same
// target.
type DocAsset struct {
	ID, Name, Kind, Description string
	ConnectsTo                  []string
}

// DocIncident is an incident of the target.
type DocIncident struct {
	ID, Name, Consequence, Description string
}

// DocAnalysis is the analysis itself. Policies names the insurance
// policies it relies on; NotApplicable the guideline clauses it judges
// not to apply to the target. The times are optional: an export writes the
// stored ones so that a restored analysis keeps them.
type DocAnalysis struct {
	ID, Title                         string
	Status                            string // DRAFT or SUBMITTED
	Version                           int
	Visibility                        string // PRIVATE, SHARED or PUBLIC
	SharedWithOrganizationIDs         []string
	SharedWithSectors                 []string
	Policies                          []string
	CreatedAt, UpdatedAt, SubmittedAt *time.Time
	Assessments                       []DocAssessment
	NotApplicable                     []DocNotApplicable
}

// DocNotApplicable marks a stored guideline clause as not applicable to
// the analysis's target, with the reason (NOT_APPLICABLE).
type DocNotApplicable struct {
	Clause, Reason string
}

// DocAssessment is the analysis's judgment of one incident. Category is
// informative: it is derived from the axis ranks by the category rules.
type DocAssessment struct {
	ID               string
	Incident         string
	Axis1, Axis2     int
	Category         *int
	EstimatedLossJPY *float64
	Rationale        string
	OwnerDepartment  string
	Threats          []string
	Assets           []string
	Treatments       []DocTreatment
}

// DocTreatment is a measure applied to an assessed incident.
type DocTreatment struct {
	ID, Measure, Status, Perspective string
}

// DocThreat is a threat the document defines. ExternalID and Source are
// empty when absent.
type DocThreat struct {
	ID, Name, Kind, Description, ExternalID, Source string
}

// DocMeasure is a measure the document defines, with the clauses it
// satisfies. ExternalID and Source are empty when absent.
type DocMeasure struct {
	ID, Name, Description, Perspective, Kind, ExternalID, Source string
	Clauses                                                      []DocClauseLink
}

// DocClauseLink is a measure's claim to satisfy a clause (SATISFIES).
type DocClauseLink struct {
	Clause       string
	Relationship string // a MappingRelationship; EQUIVALENT_TO by default
	Coverage     *float64
	Rationale    *string
}

// DocPolicy is an insurance policy, as InsurancePolicyInput has it.
// HolderID is the document's organization unless it names another.
type DocPolicy struct {
	ID, Insurer, HolderID, Product string
	PeriodStart, PeriodEnd         string
	AggregateLimitJPY              float64
	// Visibility (PRIVATE by default) and the organizations and sectors a
	// SHARED policy is shared with, as for an analysis.
	Visibility                string
	SharedWithOrganizationIDs []string
	SharedWithSectors         []string
	Lines                     []DocCoverageLine
}

// DocCoverageLine is one coverage line of a policy.
type DocCoverageLine struct {
	ID, Type                                                                  string
	LimitJPY, DeductibleJPY                                                   float64
	Exclusions                                                                []string
	CoversIncidentIDs, CoversThreatIDs, RequiresMeasureIDs, RequiresClauseIDs []string
}
