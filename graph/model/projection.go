package model

import "context"

// A projection is one read of a tree of nodes: the nodes a root names and,
// below each, the relations a GraphQL selection follows, with only the
// properties it needs. The GraphQL layer compiles a selection into one
// (resolvers/compiled.go) and the store runs it as a single query, so a
// nested read is one round trip instead of one per level.

// Projection says what to read of each node at one level of the tree.
type Projection struct {
	// Props are the node properties to read (besides id, always read).
	Props []string
	// Rels are the relations to follow from each node.
	Rels []*RelProjection
}

// RelProjection follows one relation from each node of a level.
type RelProjection struct {
	// Rel is the relation: a Relation the store knows for projections (see
	// the Proj* constants and the Relation constants it maps).
	Rel Relation
	// Status keeps only analyses in this status (TargetAnalyses only).
	Status *AnalysisStatus
	// Child is what to read of the nodes it leads to.
	Child *Projection
}

// Relations a projection follows beyond the list relations above: single
// references (held as an id property beside the relationship) and edges
// whose properties are part of what they show.
const (
	// ProjAnalysisOrganization and the others named …Of<Kind> lead to the
	// one node an id property of the parent names, or to none.
	ProjAnalysisOrganization Relation = "Analysis.organization"
	ProjAnalysisTarget       Relation = "Analysis.target"
	ProjAssessmentAnalysis   Relation = "Assessment.analysis"
	ProjAssessmentIncident   Relation = "Assessment.incident"
	ProjAssessmentDepartment Relation = "Assessment.ownerDepartment"
	ProjTreatmentMeasure     Relation = "Treatment.measure"
	ProjTargetOwner          Relation = "Target.owner"
	ProjMeasureOwner         Relation = "Measure.owner"
	ProjThreatOwner          Relation = "Threat.owner"
	ProjAssetTarget          Relation = "Asset.target"
	ProjIncidentTarget       Relation = "Incident.target"
	ProjClauseGuideline      Relation = "Clause.guideline"
	ProjDepartmentOrg        Relation = "Department.organization"
	ProjClauseParent         Relation = "Clause.parent"
	ProjAnalysisSupersedes   Relation = "Analysis.supersedes"
	// ProjMeasureClauses leads to a measure's clause links
	// (*MeasureClauseLink), ordered by clause id; follow ProjLinkClause
	// from each for the clause.
	ProjMeasureClauses Relation = "Measure.clauses"
	// ProjAnalysisNotApplicable leads to an analysis's not-applicable
	// marks (*NotApplicableClause), ordered by clause id; follow
	// ProjLinkClause from each for the clause.
	ProjAnalysisNotApplicable Relation = "Analysis.notApplicable"
	// ProjLinkClause leads from a clause link or a not-applicable mark to
	// its clause.
	ProjLinkClause Relation = "Link.clause"
)

// ProjectionRoot names the nodes a projection starts from: one node by id
// (ID and Label set), one node of any label by id (ID and ByLabel set:
// the projection of the node's label applies, and a node of a label
// ByLabel does not name is read as a Projected whose Node is nil), or one
// page of a list (List set).
type ProjectionRoot struct {
	Label   string
	ID      string
	ByLabel map[string]*Projection
	List    *ListQuery
	// Scales asks for the scales in force too (ProjectedPage.Scales), read
	// by the same query.
	Scales bool
}

// Projected is one node of a projection's result with what was read below
// it. Node is a node of the API (*Target, *Analysis, …) or an edge object
// (*MeasureClauseLink, *NotApplicableClause), decoded as the store decodes
// it everywhere; fields that were not read are zero.
type Projected struct {
	// Kind is the label of a node read from a root of any label (ByLabel).
	Kind string
	Node any
	// Rels holds, for each relation of the projection in its order, the
	// nodes it led to, in the relation's order (none for a missing single
	// reference).
	Rels [][]*Projected
}

// ProjectedPage is the result of a projection from a list root, or of one
// from a node (Total 1 or 0).
type ProjectedPage struct {
	Nodes                        []*Projected
	Total                        int
	HasNextPage, HasPreviousPage bool
	// Scales are the scales in force when the root asked for them and
	// found a node (nil otherwise).
	Scales *Scales
}

// Projector runs projections. Visibility is applied inside the query with
// the same rules as everywhere (the Cypher twins of graph/model's): an
// analysis root or TargetAnalyses only yields analyses the viewer may
// read, TargetIncidents only incidents the viewer may read
// (InlineReadable).
type Projector interface {
	Project(ctx context.Context, root ProjectionRoot, p *Projection, viewer *Principal) (*ProjectedPage, error)
}
