package resolvers

import (
	"context"
	"time"

	"github.com/ssfgraph/ssfgraph/coverage"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/report"
)

// hopsArg reads a maxHops argument: 3 when absent, else 1 to
// coverage.MaxHopsLimit.
func hopsArg(maxHops *int) (int, error) {
	if maxHops == nil {
		return coverage.DefaultMaxHops, nil
	}
	if err := coverage.CheckMaxHops(*maxHops); err != nil {
		return 0, model.FieldErrorf(model.EINVALID, "maxHops", "maxHops %v", err)
	}
	return *maxHops, nil
}

func (r *queryResolver) guidelineCoverage(ctx context.Context, analysisID, guidelineID string, maxHops *int) (*model.GuidelineCoverage, error) {
	hops, err := hopsArg(maxHops)
	if err != nil {
		return nil, err
	}
	if _, err := readableAnalysis(ctx, "analysisId", analysisID); err != nil {
		return nil, err
	}
	return model.ComputeCoverage(ctx, r.Store, analysisID, guidelineID, hops)
}

func (r *queryResolver) crosswalk(ctx context.Context, fromID, toID string, maxHops *int) (*model.Crosswalk, error) {
	hops, err := hopsArg(maxHops)
	if err != nil {
		return nil, err
	}
	from, to, edges, err := r.Store.CrosswalkInput(ctx, fromID, toID, hops)
	if err != nil {
		return nil, err
	}
	res := coverage.Crosswalk(from, to, edges, hops)
	return &model.Crosswalk{FromID: fromID, ToID: toID, MaxHops: res.MaxHops, Mappings: res.Mappings,
		UnmappedFrom: res.UnmappedFrom, UnmappedTo: res.UnmappedTo}, nil
}

// clausesWith returns the clause results in the given status (all when
// status is nil).
func clausesWith(cs []coverage.ClauseResult, status *model.CoverageStatus) []*coverage.ClauseResult {
	out := make([]*coverage.ClauseResult, 0, len(cs))
	for i := range cs {
		if status == nil || string(cs[i].Status) == string(*status) {
			out = append(out, &cs[i])
		}
	}
	return out
}

// relationship spells a coverage relation as the GraphQL enum.
func relationship(r coverage.Relation) model.MappingRelationship {
	return model.MappingRelationship(r)
}

// optional returns nil for an empty string.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (r *queryResolver) dueCareReport(ctx context.Context, analysisID string, guidelineIDs []string, maxHops *int) (*report.Report, error) {
	hops, err := hopsArg(maxHops)
	if err != nil {
		return nil, err
	}
	if r.Reports == nil {
		return nil, model.Errorf(model.EUNAVAILABLE, "this server cannot build reports")
	}
	if _, err := readableAnalysis(ctx, "analysisId", analysisID); err != nil {
		return nil, err
	}
	return report.Build(ctx, r.Reports, analysisID, guidelineIDs, hops, time.Now())
}

// reportFormats maps the GraphQL enum to the renderings.
var reportFormats = map[model.ReportFormat]report.Format{
	model.ReportFormatMarkdown: report.Markdown, model.ReportFormatJSON: report.JSON,
	model.ReportFormatCSV: report.CSV, model.ReportFormatHTML: report.HTML,
}

// reportDocument renders a report.
func reportDocument(r *report.Report, format model.ReportFormat) (string, error) {
	f, ok := reportFormats[format]
	if !ok {
		return "", model.FieldErrorf(model.EINVALID, "format", "unknown format %q", format)
	}
	b, err := r.Bytes(f)
	return string(b), err
}
