package model

import (
	"context"

	"github.com/ssfgraph/ssfgraph/coverage"
)

// CoverageReader reads the part of the graph that coverage and crosswalks
// are computed from; package coverage does the computing. Each call is one
// read transaction.
type CoverageReader interface {
	// CoverageInput reads an analysis's claims and not-applicable marks,
	// the clauses of the guideline (or, with guidelineID empty, the listed
	// clauses) and the crosswalk edges within maxHops of the claimed
	// clauses. It returns ENOTFOUND for an unknown analysis or guideline;
	// the caller checks that the viewer may read the analysis.
	CoverageInput(ctx context.Context, analysisID, guidelineID string, clauseIDs []string, maxHops int) (*coverage.Input, error)
	// CrosswalkInput reads the clauses of two guidelines and the crosswalk
	// edges within maxHops of the first one's. It returns ENOTFOUND naming
	// the argument of an unknown guideline.
	CrosswalkInput(ctx context.Context, fromGuidelineID, toGuidelineID string, maxHops int) (from, to []coverage.Clause, edges []coverage.Edge, err error)
}

// GuidelineCoverage is the coverage of one analysis against one guideline.
type GuidelineCoverage struct {
	AnalysisID, GuidelineID string
	MaxHops                 int
	Summary                 coverage.Summary
	Families                []coverage.FamilySummary
	Clauses                 []coverage.ClauseResult
}

// Crosswalk is the inferred mapping from one guideline to another.
type Crosswalk struct {
	FromID, ToID             string
	MaxHops                  int
	Mappings                 []coverage.Mapping
	UnmappedFrom, UnmappedTo []string
}

// ComputeCoverage reads what coverage needs from r and computes the
// coverage of an analysis against a guideline. It does not check who may
// read the analysis: callers do (the GraphQL query with Analysis.CanRead,
// the CLI as the operator).
func ComputeCoverage(ctx context.Context, r CoverageReader, analysisID, guidelineID string, maxHops int) (*GuidelineCoverage, error) {
	in, err := r.CoverageInput(ctx, analysisID, guidelineID, nil, maxHops)
	if err != nil {
		return nil, err
	}
	res := coverage.Compute(*in)
	return &GuidelineCoverage{
		AnalysisID: analysisID, GuidelineID: guidelineID, MaxHops: res.MaxHops,
		Summary: res.Summary, Families: res.Families, Clauses: res.Clauses,
	}, nil
}
