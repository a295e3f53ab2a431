// Package neo4j is the one package that talks to Neo4j: it owns the driver,
// every Cypher statement, the schema (constraints and indexes) and the
// mapping of driver errors to model errors. No other package imports the
// driver (a test enforces it).
//
// # Storage shape
//
// Every node carries a unique `id` (a uniqueness constraint per label, created
// at start-up by Migrate). The labels and relationship types are constants
// of graph/model (vocabulary.go), the one list that ingest shares; Cypher
// names them only through those constants. The labels:
//
//	catalogs  Threat, Measure, Guideline, Clause, AssetKind
//	scales    AxisScale, AxisLevel, Perspective, CategoryRule
//	targets   Target, Asset, Incident
//	people    Organization, Department, User, ApiToken
//	analyses  Analysis, Assessment, Treatment, Opinion, Feedback
//	insurance InsurancePolicy, CoverageLine
//
// plus one SchemaMigration node that records the schema version applied, and
// the audit trail: one AuditEvent per committed write, with no relationships
// (it names what it touched by id; indexes on `at` and on
// `organizationId, at`), written by inTx (tx.go, audit.go); one
// TargetRevision {targetId, revision} per target, the revision of its
// comparisons, counted up by inTx in every write that touches the target
// (revision.go).
// Every API node also carries the label Entity, whose uniqueness constraint
// makes a lookup by id an index lookup whatever the kind. References to
// other nodes are stored both as relationships and as id properties (such
// as Assessment.incidentId), so that a node decodes alone (decode.go).
//
// Relationships:
//
//	Organization -HAS_DEPARTMENT-> Department, -AUTHORED-> Analysis, -HOLDS-> InsurancePolicy
//	Target -HAS_ASSET-> Asset -CONNECTS_TO-> Asset; Target -HAS_INCIDENT-> Incident
//	Threat -MITIGATED_BY-> Measure; Threat -TARGETS-> AssetKind; Threat -SUBTECHNIQUE_OF-> Threat
//	Threat -REVOKED_BY-> Threat; Measure -REVOKED_BY-> Measure
//	Guideline -HAS_CLAUSE-> Clause -PART_OF-> Clause; Clause -MAPS_TO-> Clause; Measure -SATISFIES-> Clause
//	Clause (withdrawn) -INCORPORATED_INTO {kind}-> Clause (same guideline)
//	Analysis -ANALYZES-> Target, -HAS_ASSESSMENT-> Assessment, -RELIES_ON-> InsurancePolicy, -SUPERSEDES-> Analysis
//	Analysis -NOT_APPLICABLE {reason}-> Clause (a clause the analysis judges not to apply to its target)
//	Assessment -OF-> Incident, -CAUSED_BY-> Threat, -THROUGH-> Asset, -OWNED_BY-> Department, -TREATED_BY-> Treatment -APPLIES-> Measure
//	InsurancePolicy -HAS_LINE-> CoverageLine -COVERS-> Incident|Threat, -REQUIRES-> Measure|Clause
//	Feedback|Opinion -ABOUT-> any node, -BY-> Organization; Feedback -ROUTED_TO-> Organization, -ANSWERED_BY-> Analysis
//	ApiToken -ACTS_FOR-> Organization, -FOR_USER-> User; AxisScale -HAS_LEVEL-> AxisLevel
//
// An ApiToken's id is the SHA-256 (hex) of its secret, which is never
// stored; its first 16 hex digits are the id that lists and revocations use.
// It keeps userId, role, createdAt, expiresAt (absent: never) and, once
// revoked, revoked = true and revokedAt.
//
// A Target keeps ownerId, the organization whose analysts edit it (absent:
// none, curators and admins only; model.Principal.EditsShared). An
// Assessment of a submitted analysis keeps snapshot, JSON of
// model.AsSubmitted: its incident, threats, assets and treatments'
// measures as they were at submission (snapshotAssessments). Every
// Assessment keeps comparisonRefs, the ids its CAUSED_BY, THROUGH and
// TREATED_BY relationships name (with each treatment's perspective and
// status), so that a comparison reads it without leaving the node
// (comparison.go). An Incident,
// Threat or Measure created inline in a PRIVATE analysis keeps privateTo,
// the ids of the analyses (that one and its later versions) whose readers
// alone may read it (model.InlineReadable).
//
// Names and texts carry the full-text index `ssf_text`, with the cjk
// analyzer (Japanese is found inside longer names; see fulltextAnalyzer and
// luceneQuery); MAPS_TO carries an
// index on `group` (the pairs of one OSCAL map share it).
package neo4j
