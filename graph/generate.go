// Package graph holds the GraphQL executable schema that gqlgen generates from
// ../schema.graphqls. Nothing here is written by hand except this file and
// gqlgen.yml: change the schema and run `go generate ./...`.
package graph

//go:generate go tool gqlgen generate --config gqlgen.yml
