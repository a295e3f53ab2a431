// Package coverage answers "how far do our measures reach into a
// guideline, and what is left?" from a crosswalk graph, with the path that
// explains every answer. It has no I/O: graph/neo4j reads the clauses,
// claims and edges, this package composes relationships along paths
// (Compose), keeps OSCAL's set semantics for multi-member mappings, and
// returns per-clause statuses with summaries (Compute) or the inferred
// clause-to-clause mapping between two guidelines (Crosswalk). Results are
// deterministic.
package coverage
