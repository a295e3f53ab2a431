package resolvers

import (
	"context"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/dataload"
)

// Page sizes of the list fields.
const (
	defaultPageSize = 50
	maxPageSize     = 500
	maxSearchHits   = 100
)

// visibleAnalysis returns the analysis with the given id when the caller
// may read it, else nil.
func visibleAnalysis(ctx context.Context, id *string) (*model.Analysis, error) {
	a, err := loadNodePtr[model.Analysis](ctx, id)
	if err != nil || a == nil || !a.CanRead(model.PrincipalFrom(ctx)) {
		return nil, err
	}
	return a, nil
}

// readableNode returns the node of type T with the given id when it
// exists and the caller may see it (canSee, the one visibility rule of
// every node), else model.NotFound(field, kind, id): a hidden id and a
// missing one get the same answer. Every path that takes the id of
// something private (an analysis, assessment, feedback, opinion or
// insurance policy) loads it through here before checking write rights,
// so that only callers who may read it can learn they may not change it.
func readableNode[T any](ctx context.Context, field, kind, id string) (*T, error) {
	n, err := visibleNode(ctx, id)
	if err != nil {
		return nil, err
	}
	t, ok := any(n).(*T)
	if !ok || t == nil {
		return nil, model.NotFound(field, kind, id)
	}
	return t, nil
}

// readableAnalysis returns the analysis when the caller may read it, else
// model.NotFound (see readableNode).
func readableAnalysis(ctx context.Context, field, id string) (*model.Analysis, error) {
	return readableNode[model.Analysis](ctx, field, "analysis", id)
}

// readableRelated returns the analyses rel leads to from parent that the
// caller may read.
func readableRelated[P node](ctx context.Context, rel model.Relation, parent P) ([]*model.Analysis, error) {
	as, err := loadRelatedOf[model.Analysis](ctx, rel, parent)
	if err != nil {
		return nil, err
	}
	p := model.PrincipalFrom(ctx)
	out := as[:0:0]
	for _, a := range as {
		if a.CanRead(p) {
			out = append(out, a)
		}
	}
	return out, nil
}

// analysesWithStatus returns the target's analyses the caller may read, in
// the given status if one is given.
func analysesWithStatus(ctx context.Context, target *model.Target, status *model.AnalysisStatus) ([]*model.Analysis, error) {
	as, err := readableRelated(ctx, model.TargetAnalyses, target)
	if err != nil || status == nil {
		return as, err
	}
	out := as[:0]
	for _, a := range as {
		if a.Status == *status {
			out = append(out, a)
		}
	}
	return out, nil
}

// axisLevel returns the level of the given axis and rank in force.
func axisLevel(ctx context.Context, axis, rank int) (*model.AxisLevel, error) {
	s, err := loadersFrom(ctx).loadScales(ctx)
	if err != nil {
		return nil, err
	}
	return levelOf(s, axis, rank), nil
}

// levelOf returns the level of the given axis and rank in the scales s.
func levelOf(s *model.Scales, axis, rank int) *model.AxisLevel {
	if l := s.Level(axis, rank); l != nil {
		return l
	}
	// A curator removed the level after the assessment was made: show the
	// rank rather than fail the whole response.
	return &model.AxisLevel{ID: "", Axis: axis, Rank: rank, LabelEn: "(level no longer on the scale)"}
}

// scaleLevels returns the levels of one axis, by rank.
func scaleLevels(ctx context.Context, axis int) ([]*model.AxisLevel, error) {
	s, err := loadersFrom(ctx).loadScales(ctx)
	if err != nil {
		return nil, err
	}
	var out []*model.AxisLevel
	for _, l := range s.Levels {
		if l.Axis == axis {
			out = append(out, l)
		}
	}
	return out, nil
}

// perspective returns the perspective with the given code.
func perspective(ctx context.Context, code string) (*model.Perspective, error) {
	s, err := loadersFrom(ctx).loadScales(ctx)
	if err != nil {
		return nil, err
	}
	return perspectiveOf(s, code), nil
}

// perspectiveOf returns the perspective with the given code in the scales
// s (one with the code as its name if there is none).
func perspectiveOf(s *model.Scales, code string) *model.Perspective {
	if p := s.Perspective(code); p != nil {
		return p
	}
	return &model.Perspective{Code: code, NameEn: code}
}

// viewer returns the caller, or nil for an anonymous one.
func viewer(ctx context.Context) (*model.Viewer, error) {
	p := model.PrincipalFrom(ctx)
	if p == nil {
		return nil, nil
	}
	org, err := loadNode[model.Organization](ctx, p.OrganizationID)
	if err != nil {
		return nil, err
	}
	if org == nil {
		org = &model.Organization{ID: p.OrganizationID}
	}
	return &model.Viewer{UserID: p.UserID, Organization: org, Role: string(p.Role)}, nil
}

// filters are a list field's optional filter arguments, by name.
type filters map[string]*string

// targetFilters and analysisFilters are the filters of the `targets` and
// `analyses` fields (their resolvers and compiled reads alike).
func targetFilters(sector *string) filters { return filters{"sector": sector} }

func analysisFilters(targetID, organizationID, status, sector *string) filters {
	return filters{"targetId": targetID, "organizationId": organizationID, "status": status, "sector": sector}
}

// conn is one page of a list field: what its connection shows.
type conn[T, E any] struct {
	nodes []*T
	edges []E
	info  *model.PageInfo
	total int
}

// list reads one page of a list field (nodes of type T, the kind label),
// checking the paging arguments, with its edges (made by edge).
func list[T, E any](ctx context.Context, read model.ReadService, label string, pg paging, f filters, text *string, edge func(string, *T) E) (conn[T, E], error) {
	q, err := listQuery(ctx, label, pg, f, text)
	if err != nil {
		return conn[T, E]{}, err
	}
	page, err := read.List(ctx, q)
	if err != nil {
		return conn[T, E]{}, err
	}
	dataload.Group(loadersFrom(ctx).siblings, page.Nodes)
	c := conn[T, E]{nodes: nodesAs[T](page), total: page.Total}
	c.edges = edgesOf(label, c.nodes, nodeKey, edge)
	c.info = pageInfoOf(label, page.HasPreviousPage, page.HasNextPage, page.Nodes, nodeKey)
	return c, nil
}

// listQuery checks a list field's paging arguments and returns its query.
func listQuery(ctx context.Context, label string, pg paging, f filters, text *string) (model.ListQuery, error) {
	q := model.ListQuery{Label: label, Filters: map[string]string{}, Viewer: model.PrincipalFrom(ctx)}
	var err error
	if q.First, q.Last, err = pg.pageSizes(); err != nil {
		return q, err
	}
	if q.After, q.Before, err = pg.cursors(label); err != nil {
		return q, err
	}
	for name, v := range f {
		if v != nil {
			q.Filters[name] = *v
		}
	}
	if text != nil {
		q.Text = strings.TrimSpace(*text)
	}
	return q, nil
}

// nodesAs returns a page's nodes as *T.
func nodesAs[T any](page *model.Page) []*T {
	if page == nil {
		return nil
	}
	out := make([]*T, 0, len(page.Nodes))
	for _, n := range page.Nodes {
		if t, ok := any(n).(*T); ok {
			out = append(out, t)
		}
	}
	return out
}

// search runs a full-text search and keeps what the caller may see.
func search(ctx context.Context, read model.ReadService, text string, first *int) ([]*model.SearchHit, error) {
	n := 20
	if first != nil {
		if *first < 1 || *first > maxSearchHits {
			return nil, model.FieldErrorf(model.EINVALID, "first", "first must be between 1 and %d, got %d", maxSearchHits, *first)
		}
		n = *first
	}
	if strings.TrimSpace(text) == "" {
		return nil, model.FieldErrorf(model.EINVALID, "text", "search text is empty")
	}
	if len(text) > 1000 {
		return nil, model.FieldErrorf(model.EINVALID, "text", "search text has %d bytes; the limit is 1000", len(text))
	}
	hits, err := read.Search(ctx, text, n, model.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]*model.SearchHit, 0, len(hits))
	for _, h := range hits {
		out = append(out, &model.SearchHit{Node: h.Node, Score: h.Score})
	}
	return out, nil
}
