package model

import "context"

// SystemService reports on the store behind the graph.
// Its methods are safe for concurrent use.
type SystemService interface {
	// Neo4jVersion returns the version and edition that Neo4j reports of
	// itself. It returns EUNAVAILABLE when Neo4j cannot be reached.
	Neo4jVersion(ctx context.Context) (version, edition string, err error)
	// Database returns the name of the Neo4j database the graph is kept in.
	Database() string
	// Ready returns nil when Neo4j answers and the schema migrations have
	// run, else an error that says which of the two is missing.
	Ready(ctx context.Context) error
}
