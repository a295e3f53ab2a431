package model

import "time"

// ServerInfo describes a running ssfgraph server and the Neo4j database behind it.
type ServerInfo struct {
	Version      string
	Neo4jVersion string
	Neo4jEdition string
	Database     string
}

// Tick is one event of the ticks subscription.
type Tick struct {
	N  int
	At time.Time
}
