// Package bench is `make bench`: it loads a generated data set into a
// Neo4j, and measures the same nested reads through ssfgraph, through the
// raw-Cypher floor (Floor: one hand-written query per read) and through the
// @neo4j/graphql peer (bench/peer), each a process of its own on loopback,
// in interleaved rounds (Run). cmd/ssfbench wires it.
//
// It is a tool beside the product, so it imports the Neo4j driver itself
// (the floor is by definition the driver and nothing else); the products'
// packages still reach Neo4j only through graph/neo4j.
package bench
