package model

// The graph's vocabulary: every node label and relationship type, the one
// list that the store (graph/neo4j), ingest and the native document format
// share. Every node carries a unique `id`; references to other nodes are
// kept both as relationships and as id properties (such as
// Assessment.incidentId), so that a node decodes alone.

// Node labels.
const (
	// LabelEntity is on every node the API can find by id; its uniqueness
	// constraint makes a lookup by id an index lookup whatever the kind.
	LabelEntity = "Entity"

	// Catalogs.
	LabelThreat    = "Threat"
	LabelMeasure   = "Measure"
	LabelGuideline = "Guideline"
	LabelClause    = "Clause"
	LabelAssetKind = "AssetKind"

	// Scales.
	LabelAxisScale    = "AxisScale"
	LabelAxisLevel    = "AxisLevel"
	LabelPerspective  = "Perspective"
	LabelCategoryRule = "CategoryRule"

	// Targets.
	LabelTarget   = "Target"
	LabelAsset    = "Asset"
	LabelIncident = "Incident"

	// People.
	LabelOrganization = "Organization"
	LabelDepartment   = "Department"
	LabelUser         = "User"
	LabelAPIToken     = "ApiToken"

	// LabelAuditEvent marks the audit trail: one node per committed write.
	LabelAuditEvent = "AuditEvent"

	// Analyses.
	LabelAnalysis   = "Analysis"
	LabelAssessment = "Assessment"
	LabelTreatment  = "Treatment"
	LabelOpinion    = "Opinion"
	LabelFeedback   = "Feedback"

	// Insurance.
	LabelInsurancePolicy = "InsurancePolicy"
	LabelCoverageLine    = "CoverageLine"

	// LabelSchemaMigration is on the one node that records the schema
	// version applied.
	LabelSchemaMigration = "SchemaMigration"

	// LabelTargetRevision is on the one node per target that counts the
	// committed writes that touched the target's comparisons: its
	// `revision`, keyed by `targetId` (not `id`: it is no API node, and it
	// outlives the target so that a recreated target's revision still
	// grows).
	LabelTargetRevision = "TargetRevision"
)

// Relationship types, each with the labels it goes from and to.
const (
	RelHasDepartment = "HAS_DEPARTMENT" // Organization → Department
	RelAuthored      = "AUTHORED"       // Organization → Analysis
	RelHolds         = "HOLDS"          // Organization → InsurancePolicy
	RelHasAsset      = "HAS_ASSET"      // Target → Asset
	RelHasIncident   = "HAS_INCIDENT"   // Target → Incident
	RelConnectsTo    = "CONNECTS_TO"    // Asset → Asset
	RelMitigatedBy   = "MITIGATED_BY"   // Threat → Measure
	RelTargets       = "TARGETS"        // Threat → AssetKind
	RelHasClause     = "HAS_CLAUSE"     // Guideline → Clause (every level)
	RelPartOf        = "PART_OF"        // Clause → parent Clause
	RelMapsTo        = "MAPS_TO"        // Clause → Clause (a crosswalk)
	RelSatisfies     = "SATISFIES"      // Measure → Clause
	RelAnalyzes      = "ANALYZES"       // Analysis → Target
	RelHasAssessment = "HAS_ASSESSMENT" // Analysis → Assessment
	RelReliesOn      = "RELIES_ON"      // Analysis → InsurancePolicy
	RelSupersedes    = "SUPERSEDES"     // Analysis → its previous version
	RelSharedWith    = "SHARED_WITH"    // Analysis → Organization
	RelNotApplicable = "NOT_APPLICABLE" // Analysis → Clause, {reason}: the clause does not apply to the target
	RelOf            = "OF"             // Assessment → Incident
	RelCausedBy      = "CAUSED_BY"      // Assessment → Threat
	RelThrough       = "THROUGH"        // Assessment → Asset
	RelOwnedBy       = "OWNED_BY"       // Assessment → Department
	RelTreatedBy     = "TREATED_BY"     // Assessment → Treatment
	RelApplies       = "APPLIES"        // Treatment → Measure
	RelHasLine       = "HAS_LINE"       // InsurancePolicy → CoverageLine
	RelCovers        = "COVERS"         // CoverageLine → Incident | Threat
	RelRequires      = "REQUIRES"       // CoverageLine → Measure | Clause
	RelAbout         = "ABOUT"          // Feedback | Opinion → any node
	RelBy            = "BY"             // Feedback | Opinion → Organization
	RelRoutedTo      = "ROUTED_TO"      // Feedback → Organization
	RelAnsweredBy    = "ANSWERED_BY"    // Feedback → Analysis (the later version that answers it)
	RelHasLevel      = "HAS_LEVEL"      // AxisScale → AxisLevel
	RelActsFor       = "ACTS_FOR"       // ApiToken → Organization
	RelForUser       = "FOR_USER"       // ApiToken → User
)

// Relationship types of catalog lineage: where withdrawn clauses and
// revoked or deprecated catalog entries went, and which technique another
// refines.
const (
	// RelIncorporatedInto leads from a withdrawn clause to a clause of the
	// same guideline that took its content; its kind is
	// "incorporated-into" or "moved-to".
	RelIncorporatedInto = "INCORPORATED_INTO" // Clause → Clause
	// RelSubtechniqueOf leads from an ATT&CK sub-technique to its technique.
	RelSubtechniqueOf = "SUBTECHNIQUE_OF" // Threat → Threat
	// RelRevokedBy leads from a revoked catalog entry to the one that
	// replaces it.
	RelRevokedBy = "REVOKED_BY" // Threat → Threat | Measure → Measure
)
