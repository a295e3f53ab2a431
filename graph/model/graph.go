package model

import "time"

// The graph's node types. Fields that name other nodes hold their ids; the
// GraphQL layer resolves them through batched loaders. Each type is bound to
// the schema type of the same name by gqlgen's autobind.

// Node is anything with a globally unique id.
type Node interface {
	IsNode()
	GetID() string
}

// Organization is a company, committee or agency.
type Organization struct {
	ID     string
	Name   string
	Sector string
}

// Department is a department of an organization.
type Department struct {
	ID             string
	Name           string
	OrganizationID string
}

// Target is a system or service that organizations analyse.
type Target struct {
	ID          string
	Name        string
	Sector      string
	Description string
	// OwnerID is the organization that owns the target (whose analysts
	// and org-admins edit it, see Principal.EditsShared); nil for a target
	// nobody owns (loaded by an operator), which only curators and admins
	// edit.
	OwnerID *string
}

// Asset is a part of a target.
type Asset struct {
	ID          string
	TargetID    string
	Name        string
	Kind        string
	Description string
}

// Incident is a harm a target can cause in physical space.
type Incident struct {
	ID          string
	TargetID    string
	Name        string
	Consequence string
	Description string
	// PrivateTo names the analyses an incident created inline in a
	// private analysis is private to (see InlineReadable); nil for others.
	PrivateTo []string `json:"-"`
}

// Threat is a catalog entry for a cause of incidents.
type Threat struct {
	ID          string
	Name        string
	Kind        string
	Description string
	ExternalID  *string
	Source      *string
	// Revoked and Deprecated are the flags of the catalog the threat comes
	// from (STIX revoked and x_mitre_deprecated): such entries are kept so
	// that what cites them still resolves.
	Revoked    bool
	Deprecated bool
	// PrivateTo is as for Incident.
	PrivateTo []string `json:"-"`
	// OwnerID is the organization that added the entry (whose analysts and
	// org-admins, with curators and admins, may change it:
	// Principal.EditsShared); nil for an entry loaded by an operator.
	OwnerID *string
}

// Measure is a catalog entry for something done against threats.
type Measure struct {
	ID              string
	Name            string
	Description     string
	PerspectiveCode string
	Kind            string
	// Revoked and Deprecated are the flags of the catalog the measure
	// comes from, as for Threat.
	Revoked    bool
	Deprecated bool
	// PrivateTo is as for Incident.
	PrivateTo []string `json:"-"`
	// OwnerID is as for Threat.
	OwnerID *string
}

// Inline is a node that may have been created inline in an analysis
// (Incident, Threat, Measure): PrivateToIDs returns the analyses it is
// private to, nil when it is readable by everyone.
type Inline interface {
	PrivateToIDs() []string
}

// PrivateToIDs implements Inline.
func (i *Incident) PrivateToIDs() []string { return i.PrivateTo }

// PrivateToIDs implements Inline.
func (t *Threat) PrivateToIDs() []string { return t.PrivateTo }

// PrivateToIDs implements Inline.
func (m *Measure) PrivateToIDs() []string { return m.PrivateTo }

// Guideline is an external standard, regulation or sector guideline.
type Guideline struct {
	ID        string
	Title     string
	Publisher string
	Version   string
	// OwnerID is as for Threat; a guideline's clauses are its owner's too.
	OwnerID *string
}

// Clause is a clause of a guideline.
type Clause struct {
	ID          string
	GuidelineID string
	ParentID    *string
	Ref         string
	Title       string
	Text        string
	// Withdrawn is true for a clause its guideline withdrew (kept so that
	// what cites it still resolves; INCORPORATED_INTO says where it went).
	Withdrawn bool
}

// ClauseMapping is a crosswalk edge from one clause to another.
type ClauseMapping struct {
	SourceID     string
	TargetID     string
	Relationship MappingRelationship
	Rationale    *MappingRationale
	Confidence   *float64
	Coverage     *float64
	Origin       *string
	// Group, when set, names the OSCAL map this edge is one pair of: the
	// map relates its sources as a set to its targets as a set, and
	// GroupSources and GroupTargets are how many items each side lists in
	// the document (resolved or not). All three are nil for a mapping of
	// one pair.
	Group        *string
	GroupSources *int
	GroupTargets *int
}

// MeasureClauseLink is a measure's claim to satisfy a clause.
type MeasureClauseLink struct {
	MeasureID    string
	ClauseID     string
	Relationship MappingRelationship
	Coverage     *float64
	Rationale    *string
}

// AxisScale is a versioned scale for one IoT-SSF axis.
type AxisScale struct {
	ID        string
	Axis      int
	Version   string
	Name      string
	Confirmed bool
	Source    string
}

// AxisLevel is one level of an axis scale.
type AxisLevel struct {
	ID          string
	ScaleID     string
	Axis        int
	Rank        int
	LabelEn     string
	LabelJa     string
	Description string
	MinJpy      *float64
	MaxJpy      *float64
}

// Perspective is an axis-3 perspective, P1 to P4.
type Perspective struct {
	Code        string
	NameEn      string
	NameJa      string
	Description string
}

// CategoryRule maps an axis-1 rank and an axis-2 rank to a category.
type CategoryRule struct {
	Axis1Rank int
	Axis2Rank int
	Category  int
}

// Analysis is one organization's analysis of one target, in one version.
type Analysis struct {
	ID                        string
	Title                     string
	Status                    AnalysisStatus
	Version                   int
	Visibility                Visibility
	SharedWithOrganizationIDs []string
	SharedWithSectors         []string
	OrganizationID            string
	TargetID                  string
	SupersedesID              *string
	CreatedAt                 time.Time
	UpdatedAt                 time.Time
	SubmittedAt               *time.Time
}

// Assessment is an analysis's judgment of one incident.
type Assessment struct {
	ID                string
	AnalysisID        string
	IncidentID        string
	Axis1Rank         int
	Axis2Rank         int
	Category          int
	EstimatedLossJpy  *float64
	Rationale         string
	OwnerDepartmentID *string
	// AsSubmitted is what it rated as it was at submission; nil for an
	// assessment of a draft (and of an analysis submitted before the
	// store kept it).
	AsSubmitted *AsSubmitted
}

// NotApplicableClause is an analysis's judgment that a guideline clause
// does not apply to its target, with the reason (stored as the analysis's
// NOT_APPLICABLE relationship to the clause). A coverage report counts
// such a clause as not applicable instead of as a gap.
type NotApplicableClause struct {
	ClauseID string
	Reason   string
}

// Treatment is a measure applied to an assessed incident.
type Treatment struct {
	ID              string
	AssessmentID    string
	MeasureID       string
	Status          TreatmentStatus
	PerspectiveCode string
}

// InsurancePolicy is an insurance policy held by an organization.
type InsurancePolicy struct {
	ID                string
	Insurer           string
	HolderID          string
	Product           string
	PeriodStart       string
	PeriodEnd         string
	AggregateLimitJpy float64
	// Visibility, SharedWithOrganizationIDs and SharedWithSectors share the
	// policy as an analysis is shared (see ReadableBy); an empty
	// Visibility is PRIVATE.
	Visibility                Visibility
	SharedWithOrganizationIDs []string
	SharedWithSectors         []string
}

// CoverageLine is one coverage line of a policy.
type CoverageLine struct {
	ID            string
	PolicyID      string
	Type          string
	LimitJpy      float64
	DeductibleJpy float64
	Exclusions    []string
}

// Feedback is feedback on a node, routed to its owner.
type Feedback struct {
	ID                   string
	Kind                 FeedbackKind
	Text                 string
	Status               FeedbackStatus
	Answer               *string
	AboutID              string
	AboutVersion         *int
	OrganizationID       string
	Sector               string
	RoutedToID           *string
	RoutedToDepartmentID *string
	CreatedAt            time.Time
	RespondedAt          *time.Time
	// AnsweredByID is the later analysis version that its owner said
	// answers it, if any.
	AnsweredByID *string
}

// Opinion is an organization's agreement or disagreement with a judgment.
type Opinion struct {
	ID             string
	Stance         Stance
	Rationale      string
	AboutID        string
	OrganizationID string
	CreatedAt      time.Time
}

func (Organization) IsNode()    {}
func (Department) IsNode()      {}
func (Target) IsNode()          {}
func (Asset) IsNode()           {}
func (Incident) IsNode()        {}
func (Threat) IsNode()          {}
func (Measure) IsNode()         {}
func (Guideline) IsNode()       {}
func (Clause) IsNode()          {}
func (AxisScale) IsNode()       {}
func (AxisLevel) IsNode()       {}
func (Analysis) IsNode()        {}
func (Assessment) IsNode()      {}
func (InsurancePolicy) IsNode() {}
func (Feedback) IsNode()        {}
func (Opinion) IsNode()         {}

// GetID returns the node's id.
func (n Organization) GetID() string    { return n.ID }
func (n Department) GetID() string      { return n.ID }
func (n Target) GetID() string          { return n.ID }
func (n Asset) GetID() string           { return n.ID }
func (n Incident) GetID() string        { return n.ID }
func (n Threat) GetID() string          { return n.ID }
func (n Measure) GetID() string         { return n.ID }
func (n Guideline) GetID() string       { return n.ID }
func (n Clause) GetID() string          { return n.ID }
func (n AxisScale) GetID() string       { return n.ID }
func (n AxisLevel) GetID() string       { return n.ID }
func (n Analysis) GetID() string        { return n.ID }
func (n Assessment) GetID() string      { return n.ID }
func (n InsurancePolicy) GetID() string { return n.ID }
func (n Feedback) GetID() string        { return n.ID }
func (n Opinion) GetID() string         { return n.ID }

// Treatment and CoverageLine are stored as nodes of their own but are not
// Nodes of the API (they have no `node(id)` entry); these methods let the
// loaders handle them like the rest.
func (Treatment) IsNode()            {}
func (CoverageLine) IsNode()         {}
func (n Treatment) GetID() string    { return n.ID }
func (n CoverageLine) GetID() string { return n.ID }
