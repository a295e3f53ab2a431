package main

import (
	"os"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

// TestMain stops the private Neo4j that tests share (neo4jtest.SharedInstance)
// once they are done.
func TestMain(m *testing.M) { os.Exit(neo4jtest.Main(m)) }
