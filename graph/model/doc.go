// Package model holds ssfgraph's domain types, the service interfaces that
// resolvers call and graph/neo4j implements, and the one error type. It uses
// the standard library only, so that resolvers compile without the driver.
//
// Types named in schema.graphqls are bound here by gqlgen's autobind;
// models_gen.go holds the ones gqlgen generates.
package model
