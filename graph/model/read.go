package model

import "context"

// Relation names a one-to-many path that the API follows from a node to
// other nodes, for batched loading. graph/neo4j maps each to its Cypher.
type Relation string

// The relations the API follows.
const (
	OrganizationDepartments Relation = "Organization.departments"
	OrganizationAnalyses    Relation = "Organization.analyses"
	OrganizationPolicies    Relation = "Organization.policies"
	TargetAssets            Relation = "Target.assets"
	TargetIncidents         Relation = "Target.incidents"
	TargetAnalyses          Relation = "Target.analyses"
	AssetConnectsTo         Relation = "Asset.connectsTo"
	ThreatMitigatedBy       Relation = "Threat.mitigatedBy"
	ThreatParent            Relation = "Threat.parent"
	ThreatSubtechniques     Relation = "Threat.subtechniques"
	ThreatRevokedBy         Relation = "Threat.revokedBy"
	MeasureRevokedBy        Relation = "Measure.revokedBy"
	MeasureMitigates        Relation = "Measure.mitigates"
	GuidelineTopClauses     Relation = "Guideline.clauses"
	ClauseChildren          Relation = "Clause.children"
	ClauseIncorporatedInto  Relation = "Clause.incorporatedInto"
	AnalysisAssessments     Relation = "Analysis.assessments"
	AnalysisPolicies        Relation = "Analysis.policies"
	AssessmentThreats       Relation = "Assessment.threats"
	AssessmentAssets        Relation = "Assessment.assets"
	AssessmentTreatments    Relation = "Assessment.treatments"
	PolicyLines             Relation = "InsurancePolicy.lines"
	// PolicyReliedOnBy leads from a policy to the analyses that rely on
	// it; it is not a GraphQL field (model.InsurancePolicy.ReadableBy).
	PolicyReliedOnBy     Relation = "InsurancePolicy.reliedOnBy"
	LineCoversIncidents  Relation = "CoverageLine.coversIncidents"
	LineCoversThreats    Relation = "CoverageLine.coversThreats"
	LineRequiresMeasures Relation = "CoverageLine.requiresMeasures"
	LineRequiresClauses  Relation = "CoverageLine.requiresClauses"
)

// ListQuery asks for one page of one kind of node, ordered by id.
type ListQuery struct {
	// Label is the kind: one of the List* constants.
	Label string
	// First is the size of a page from the start of what follows After
	// (the id to start after, "" for the start of the list). Last, if
	// above zero, is the size of a page from the end of what precedes
	// Before (the id to end before, "" for the end) and takes the place of
	// First. The page holds only ids after After and before Before.
	First, Last   int
	After, Before string
	// Filters maps a filter name (sector, kind, perspective, status,
	// organizationId, targetId, holderId, routedToId, since) to the value to
	// match; each kind accepts the filters its GraphQL fields offer. For
	// feedback, targetId keeps what is about the target or anything under
	// it, and since (an RFC 3339 instant) what was given at or after it.
	// Threats and measures also take includeRevoked ("true" or "false"):
	// unless it is "true", revoked and deprecated entries are left out.
	Filters map[string]string
	// Text, if set, keeps only nodes that match it in the full-text index.
	Text string
	// Viewer is the caller, for analyses' and feedback's visibility.
	Viewer *Principal
}

// The kinds List accepts.
const (
	ListOrganizations = "Organization"
	ListTargets       = "Target"
	ListThreats       = "Threat"
	ListMeasures      = "Measure"
	ListGuidelines    = "Guideline"
	ListAnalyses      = "Analysis"
	ListPolicies      = "InsurancePolicy"
	ListFeedback      = "Feedback"
)

// Page is one page of a list. HasNextPage and HasPreviousPage say whether
// the list has nodes after and before the page (beyond the query's cursors
// too).
type Page struct {
	Nodes                        []Node
	Total                        int
	HasNextPage, HasPreviousPage bool
}

// Hit is one full-text search result.
type Hit struct {
	Node  Node
	Score float64
}

// Scales are the axis scales, perspectives and category rules in force.
type Scales struct {
	Axes         []*AxisScale
	Levels       []*AxisLevel // ordered by axis, then rank
	Perspectives []*Perspective
	Rules        []*CategoryRule
}

// Level returns the level of the given axis and rank, or nil.
func (s *Scales) Level(axis, rank int) *AxisLevel {
	for _, l := range s.Levels {
		if l.Axis == axis && l.Rank == rank {
			return l
		}
	}
	return nil
}

// Perspective returns the perspective with the given code, or nil.
func (s *Scales) Perspective(code string) *Perspective {
	for _, p := range s.Perspectives {
		if p.Code == code {
			return p
		}
	}
	return nil
}

// Category returns the category the rules give for the two ranks, and
// whether a rule exists.
func (s *Scales) Category(axis1, axis2 int) (int, bool) {
	for _, r := range s.Rules {
		if r.Axis1Rank == axis1 && r.Axis2Rank == axis2 {
			return r.Category, true
		}
	}
	return 0, false
}

// ReadService reads the graph in batches, for the GraphQL layer's
// dataloaders. Every method makes one round trip to Neo4j whatever the
// number of ids. Its methods are safe for concurrent use.
type ReadService interface {
	// Nodes returns the nodes with the given ids, of any kind; ids that do
	// not exist are missing from the map.
	Nodes(ctx context.Context, ids []string) (map[string]Node, error)
	// Related returns, for each id, the nodes that rel leads to from it, in
	// the relation's order (by id unless the relation says otherwise).
	Related(ctx context.Context, rel Relation, ids []string) (map[string][]Node, error)
	// ClauseMappings returns, for each clause id, its outgoing mappings
	// (ordered by target id) or, when incoming is true, its incoming ones
	// (ordered by source id).
	ClauseMappings(ctx context.Context, ids []string, incoming bool) (map[string][]*ClauseMapping, error)
	// MeasureClauseLinks returns, for each measure id, its clause links
	// (ordered by clause id) or, when byClause is true, for each clause id
	// its measure links (ordered by measure id).
	MeasureClauseLinks(ctx context.Context, ids []string, byClause bool) (map[string][]*MeasureClauseLink, error)
	// NotApplicable returns, for each analysis id, the clauses the
	// analysis marks not applicable, with their reasons, ordered by clause
	// id; an analysis without marks is missing from the map.
	NotApplicable(ctx context.Context, analysisIDs []string) (map[string][]*NotApplicableClause, error)
	// ClauseCounts returns, for each guideline id, how many clauses it has
	// at any level: withdrawn ones only when includeWithdrawn is true.
	ClauseCounts(ctx context.Context, ids []string, includeWithdrawn bool) (map[string]int, error)
	// List returns one page of a list. It returns EINVALID for an unknown
	// kind or filter.
	List(ctx context.Context, q ListQuery) (*Page, error)
	// Search returns the nodes that match text in the full-text index, best
	// first; analyses and their assessments the viewer may not read are
	// left out.
	Search(ctx context.Context, text string, first int, viewer *Principal) ([]Hit, error)
	// FeedbackCounts counts the feedback that filters (the filters of
	// ListFeedback) select and viewer may read, by kind, author sector
	// and status: one cell per combination that has feedback, in no
	// particular order. It returns EINVALID for an unknown filter.
	FeedbackCounts(ctx context.Context, filters map[string]string, viewer *Principal) ([]*FeedbackCount, error)
	// Sectors returns the sectors named by organizations and targets, with
	// counts, ordered by name.
	Sectors(ctx context.Context) ([]*Sector, error)
	// Scales returns the axis scales, perspectives and category rules.
	Scales(ctx context.Context) (*Scales, error)
}
