package model

import "context"

// The write services. Each method validates its input (EINVALID with the
// offending field, ENOTFOUND for a dangling reference, ECONFLICT for a
// clash with what is stored), then writes in one transaction: a failed call
// changes nothing. Authorization is the caller's (resolvers') job. Their
// methods are safe for concurrent use.

// PeopleService writes organizations and departments.
type PeopleService interface {
	CreateOrganization(ctx context.Context, in OrganizationInput) (*Organization, error)
	UpdateOrganization(ctx context.Context, id string, in OrganizationInput) (*Organization, error)
	// DeleteOrganization refuses (ECONFLICT) while the organization owns
	// anything, unless cascade is true.
	DeleteOrganization(ctx context.Context, id string, cascade bool) error
	CreateDepartment(ctx context.Context, in DepartmentInput) (*Department, error)
	UpdateDepartment(ctx context.Context, id, name string) (*Department, error)
	DeleteDepartment(ctx context.Context, id string, cascade bool) error
}

// TargetService writes targets, their assets and incidents.
type TargetService interface {
	// CreateTarget creates a target owned by organization owner ("" for
	// none).
	CreateTarget(ctx context.Context, owner string, in TargetInput) (*Target, error)
	UpdateTarget(ctx context.Context, id string, in TargetInput) (*Target, error)
	DeleteTarget(ctx context.Context, id string, cascade bool) error
	CreateAsset(ctx context.Context, in AssetInput) (*Asset, error)
	UpdateAsset(ctx context.Context, id string, in AssetInput) (*Asset, error)
	DeleteAsset(ctx context.Context, id string, cascade bool) error
	ConnectAssets(ctx context.Context, fromID, toID string) (*Asset, error)
	DisconnectAssets(ctx context.Context, fromID, toID string) (*Asset, error)
	CreateIncident(ctx context.Context, in IncidentInput) (*Incident, error)
	UpdateIncident(ctx context.Context, id string, in IncidentInput) (*Incident, error)
	DeleteIncident(ctx context.Context, id string, cascade bool) error
}

// CatalogService writes the shared catalogs: threats, measures, guidelines,
// clauses, crosswalk mappings and measure-to-clause links.
type CatalogService interface {
	CreateThreat(ctx context.Context, in ThreatInput) (*Threat, error)
	UpdateThreat(ctx context.Context, id string, in ThreatInput) (*Threat, error)
	DeleteThreat(ctx context.Context, id string, cascade bool) error
	CreateMeasure(ctx context.Context, in MeasureInput) (*Measure, error)
	UpdateMeasure(ctx context.Context, id string, in MeasureInput) (*Measure, error)
	DeleteMeasure(ctx context.Context, id string, cascade bool) error
	LinkThreatToMeasure(ctx context.Context, threatID, measureID string, rationale *string) (*Threat, error)
	CreateGuideline(ctx context.Context, in GuidelineInput) (*Guideline, error)
	UpdateGuideline(ctx context.Context, id string, in GuidelineInput) (*Guideline, error)
	DeleteGuideline(ctx context.Context, id string, cascade bool) error
	CreateClause(ctx context.Context, in ClauseInput) (*Clause, error)
	UpdateClause(ctx context.Context, id string, in ClauseInput) (*Clause, error)
	DeleteClause(ctx context.Context, id string, cascade bool) error
	MapClauses(ctx context.Context, in ClauseMappingInput) (*ClauseMapping, error)
	UnmapClauses(ctx context.Context, sourceID, targetID string) (bool, error)
	LinkMeasureToClause(ctx context.Context, in MeasureClauseInput) (*MeasureClauseLink, error)
	UnlinkMeasureFromClause(ctx context.Context, measureID, clauseID string) (bool, error)
}

// AnalysisService writes analyses and their assessments.
type AnalysisService interface {
	// CreateAnalysis starts a draft analysis by organization org.
	CreateAnalysis(ctx context.Context, org string, in AnalysisInput) (*Analysis, error)
	// UpdateAnalysis, DeleteAnalysis, AssessIncident, RemoveAssessment,
	// SetAnalysisPolicies, MarkClausesNotApplicable and
	// ClearClausesNotApplicable return ECONFLICT for a submitted analysis.
	UpdateAnalysis(ctx context.Context, id string, in AnalysisUpdateInput) (*Analysis, error)
	DeleteAnalysis(ctx context.Context, id string) error
	AssessIncident(ctx context.Context, in AssessIncidentInput) (*Assessment, error)
	RemoveAssessment(ctx context.Context, id string) error
	SubmitAnalysis(ctx context.Context, id string) (*Analysis, error)
	ReviseAnalysis(ctx context.Context, id string) (*Analysis, error)
	SetAnalysisPolicies(ctx context.Context, id string, policyIDs []string) (*Analysis, error)
	// MarkClausesNotApplicable marks guideline clauses as not applicable
	// to a draft analysis's target, each with its reason (replacing the
	// reason of a clause marked already). It returns EINVALID for bad
	// input (more than MaxMarksPerCall marks, a clause named twice, a
	// reason that is empty or too long) and ENOTFOUND naming every unknown
	// clause; a refused call writes nothing.
	MarkClausesNotApplicable(ctx context.Context, id string, marks []*NotApplicableInput) (*Analysis, error)
	// ClearClausesNotApplicable removes the marks of the given clauses
	// from a draft analysis; clauses it has not marked are skipped. It
	// returns EINVALID for a malformed id or more than MaxMarksPerCall ids.
	ClearClausesNotApplicable(ctx context.Context, id string, clauseIDs []string) (*Analysis, error)
}

// InsuranceService writes insurance policies and their coverage lines.
type InsuranceService interface {
	CreateInsurancePolicy(ctx context.Context, in InsurancePolicyInput) (*InsurancePolicy, error)
	UpdateInsurancePolicy(ctx context.Context, id string, in InsurancePolicyInput) (*InsurancePolicy, error)
	DeleteInsurancePolicy(ctx context.Context, id string, cascade bool) error
}

// FeedbackService writes feedback and opinions.
type FeedbackService interface {
	// SubmitFeedback records feedback by the principal's organization and
	// routes it to the owner of what it is about.
	SubmitFeedback(ctx context.Context, by *Principal, in FeedbackInput) (*Feedback, error)
	RespondToFeedback(ctx context.Context, in FeedbackResponseInput) (*Feedback, error)
	ExpressOpinion(ctx context.Context, by *Principal, in OpinionInput) (*Opinion, error)
	WithdrawOpinion(ctx context.Context, id string) error
}

// ScaleService edits the axis scales and the category rules.
type ScaleService interface {
	UpdateAxisLevel(ctx context.Context, id string, in AxisLevelInput) (*AxisLevel, error)
	SetCategoryRule(ctx context.Context, in CategoryRuleInput) (*CategoryRule, error)
}

// Store is everything the GraphQL layer needs from storage; graph/neo4j's
// DB implements it all.
type Store interface {
	SystemService
	ReadService
	ComparisonReader
	CoverageReader
	TokenService
	PeopleService
	TargetService
	CatalogService
	AnalysisService
	InsuranceService
	InsuranceReader
	FeedbackService
	ScaleService
	AuditReader
}
