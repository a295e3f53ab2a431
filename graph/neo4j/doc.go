// Package neo4j is the one package that talks to Neo4j: it owns the driver,
// every Cypher statement, the schema (constraints and indexes) and the
// mapping of driver errors to model errors. No other package imports the
// driver (a test enforces it).
//
// # Storage shape
//
// Every node carries a unique `id` (a uniqueness constraint per label, created
// at start-up by Migrate). The labels, from ../../DESIGN.md §4 of the shared
// design notes:
//
//	catalogs  Threat, Measure, Guideline, Clause, AssetKind
//	scales    AxisScale, AxisLevel, Perspective, CategoryRule
//	targets   Target, Asset, Incident
//	people    Organization, Department, User, ApiToken
//	analyses  Analysis, Assessment, Treatment, Opinion, Feedback
//	insurance InsurancePolicy, CoverageLine
//
// plus one SchemaMigration node that records the schema version applied.
// Names and texts carry the full-text index `ssf_text`.
package neo4j
