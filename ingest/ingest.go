// Package ingest loads documents into the graph in three steps: Parse reads
// a file (reporting file, line and field on error), Transform turns it into
// a Batch of nodes and relationships (rejecting bad ids, enum values and
// references before anything is written), and a Loader writes the batch in
// one transaction (graph/neo4j implements it with UNWIND … MERGE). A broken
// file writes nothing; loading the same file twice changes nothing.
//
// Formats: native analysis documents (apiVersion ssfgraph/v1, YAML or JSON),
// STIX 2.1 bundles (MITRE ATT&CK for ICS), OSCAL catalogs, OSCAL mapping
// collections, CSV crosswalks and CISO Assistant library YAML.
package ingest

import (
	"context"
	"fmt"
	"time"
)

// Format names an input format.
type Format string

// The formats ingest reads.
const (
	FormatAuto         Format = "auto"
	FormatNative       Format = "native"
	FormatSTIX         Format = "stix"
	FormatOSCALCatalog Format = "oscal-catalog"
	FormatOSCALMapping Format = "oscal-mapping"
	FormatOSCALProfile Format = "oscal-profile"
	FormatCSVCrosswalk Format = "csv-crosswalk"
	FormatCISOLibrary  Format = "ciso-library"
)

// Limits on input, stated in the README.
const (
	MaxFileBytes = 64 << 20 // 64 MiB per file
	MaxDepth     = 64       // nesting of JSON/YAML objects and arrays
	MaxRecords   = 500_000  // nodes plus relationships per file
)

// Node is one node to create or update, found by Label and ID. Props are
// the node's properties in the storage shape of graph/neo4j/decode.go
// (lowerCamelCase names; references also as id properties). Property values
// are strings, bools, int64, float64, or lists of strings; nil removes the
// property from a stored node.
type Node struct {
	Label string
	ID    string
	Props map[string]any
}

// Rel is one relationship to create or update between two nodes, each
// found by label and id: in the same batch, or stored already. Props take
// the values a Node's do (nil removes a property of a stored relationship).
type Rel struct {
	Type      string
	FromLabel string
	From      string
	ToLabel   string
	To        string
	Props     map[string]any
	// Where says where in the file the relationship comes from, for errors
	// about a missing end (for example "maps[3].targets[0]").
	Where string
	// Hint, if set, names what to load first when an end is missing (for
	// example "the NIST SP 800-53 Rev. 5 catalog (guideline nist-sp800-53r5)").
	Hint string
}

// Batch is everything one document writes.
type Batch struct {
	// Source names the document (its file name, or "request").
	Source string
	Format Format
	Nodes  []Node
	Rels   []Rel
	// Warnings are things the transform skipped or flagged without failing.
	Warnings []Warning
}

// Warning is a non-fatal finding, with where in the document it is.
type Warning struct {
	Location string `json:"location"`
	Message  string `json:"message"`
}

// Counts is what a load did to one label or relationship type.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Report says what loading one document did.
type Report struct {
	Source   string            `json:"source"`
	Format   Format            `json:"format"`
	DryRun   bool              `json:"dryRun"`
	Nodes    map[string]Counts `json:"nodes"`
	Rels     map[string]Counts `json:"relationships"`
	Warnings []Warning         `json:"warnings"`
	Took     time.Duration     `json:"took"`
}

// Loader writes a batch in one transaction: all of it or, on any error,
// nothing. With dryRun it checks everything (references included) and
// counts what it would do, then rolls back. Before it writes, it runs the
// Guard in ctx (WithGuard), if any, inside the same transaction: the rights
// of whoever asked for the load rest on it. Implementations are safe for
// concurrent use.
type Loader interface {
	LoadBatch(ctx context.Context, b *Batch, dryRun bool) (*Report, error)
}

// Error is a problem with an input document, located as precisely as the
// format allows.
type Error struct {
	File    string // the document's name
	Line    int    // 1-based line, or 0 when unknown
	Path    string // JSON/YAML path or CSV column, e.g. "objects[12].external_references"
	Message string
}

// Error implements error as "file:line: path: message".
func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	if e.Path != "" {
		s += ": " + e.Path
	}
	return s + ": " + e.Message
}
