// Package bench is the measuring side of `make bench`: the data set's
// shape and rows (Dataset), the requests (the nested reads and writes for
// ssfgraph, the floor and the @neo4j/graphql peer), the load generator
// (Round, Interleave: concurrent clients in interleaved rounds, CPU from
// /proc), percentiles and the Markdown tables. The Neo4j side (writing
// the data set, the raw-Cypher floor) is graph/neo4j/neo4jbench;
// cmd/ssfbench wires both.
package bench
