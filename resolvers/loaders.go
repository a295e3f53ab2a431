package resolvers

import (
	"context"
	"errors"
	"sync"

	"github.com/ssfgraph/ssfgraph/compare"
	"github.com/ssfgraph/ssfgraph/graph/model"
)

// loaders batch the reads of one operation: each field that fans out
// (Analysis.assessments, Assessment.treatments, …) asks a loader, and the
// loader turns the many asks of one level into one UNWIND round trip.
// A fresh set is made for every operation (and every subscription event),
// so nothing is cached across requests.
type loaders struct {
	read model.ReadService

	nodes          siblingLoader[model.Node]
	mappingsOut    siblingLoader[[]*model.ClauseMapping]
	mappingsIn     siblingLoader[[]*model.ClauseMapping]
	linksByMeasure siblingLoader[[]*model.MeasureClauseLink]
	linksByClause  siblingLoader[[]*model.MeasureClauseLink]
	clauseCounts   siblingLoader[int]

	mu      sync.Mutex
	related map[model.Relation]siblingLoader[[]model.Node]

	// groups maps each object that a batch or a list page returned to all
	// the objects of that batch (its siblings), for prefetching.
	groupsMu    sync.Mutex
	groups      map[any]*siblingGroup
	comparisons map[*compare.Comparison]bool // recorded by rememberComparison

	scalesOnce sync.Once
	scales     *model.Scales
	scalesErr  error
}

func newLoaders(read model.ReadService) *loaders {
	l := &loaders{read: read, related: map[model.Relation]siblingLoader[[]model.Node]{}, groups: map[any]*siblingGroup{}}
	l.nodes = newSiblingLoader(l, refKey, read.Nodes)
	l.mappingsOut = newSiblingLoader(l, parentKey, func(ctx context.Context, ids []string) (map[string][]*model.ClauseMapping, error) {
		return read.ClauseMappings(ctx, ids, false)
	})
	l.mappingsIn = newSiblingLoader(l, parentKey, func(ctx context.Context, ids []string) (map[string][]*model.ClauseMapping, error) {
		return read.ClauseMappings(ctx, ids, true)
	})
	l.linksByMeasure = newSiblingLoader(l, parentKey, func(ctx context.Context, ids []string) (map[string][]*model.MeasureClauseLink, error) {
		return read.MeasureClauseLinks(ctx, ids, false)
	})
	l.linksByClause = newSiblingLoader(l, parentKey, func(ctx context.Context, ids []string) (map[string][]*model.MeasureClauseLink, error) {
		return read.MeasureClauseLinks(ctx, ids, true)
	})
	l.clauseCounts = newSiblingLoader(l, parentKey, read.ClauseCounts)
	return l
}

// relatedLoader returns the loader for rel, creating it on first use.
func (l *loaders) relatedLoader(rel model.Relation) siblingLoader[[]model.Node] {
	l.mu.Lock()
	defer l.mu.Unlock()
	ld, ok := l.related[rel]
	if !ok {
		ld = newSiblingLoader(l, parentKey, func(ctx context.Context, ids []string) (map[string][]model.Node, error) {
			return l.read.Related(ctx, rel, ids)
		})
		l.related[rel] = ld
	}
	return ld
}

// loadScales reads the scales once per operation.
func (l *loaders) loadScales(ctx context.Context) (*model.Scales, error) {
	l.scalesOnce.Do(func() { l.scales, l.scalesErr = l.read.Scales(ctx) })
	return l.scales, l.scalesErr
}

type loadersKey struct{}

// withLoaders returns ctx carrying a fresh set of loaders.
func withLoaders(ctx context.Context, read model.ReadService) context.Context {
	return context.WithValue(ctx, loadersKey{}, newLoaders(read))
}

// loadersFrom returns the operation's loaders.
func loadersFrom(ctx context.Context) *loaders {
	l, ok := ctx.Value(loadersKey{}).(*loaders)
	if !ok {
		panic("resolvers: no loaders in context (NewHandler installs them per operation)")
	}
	return l
}

// ignoreNotFound turns a loader's "no such key" into the zero value.
func ignoreNotFound[V any](v V, err error) (V, error) {
	if errors.Is(err, errNotFound) {
		var zero V
		return zero, nil
	}
	return v, err
}

// loadNode returns the node with the given id when it is a *T, else nil.
// It does not check visibility: callers that may reach an analysis or an
// assessment use visibleNode.
func loadNode[T any](ctx context.Context, id string) (*T, error) {
	n, err := ignoreNotFound(loadersFrom(ctx).nodes.Load(ctx, id))
	if err != nil || n == nil {
		return nil, err
	}
	t, _ := any(n).(*T)
	return t, nil
}

// loadNodePtr is loadNode for an optional reference.
func loadNodePtr[T any](ctx context.Context, id *string) (*T, error) {
	if id == nil || *id == "" {
		return nil, nil
	}
	return loadNode[T](ctx, *id)
}

// loadNodes returns the nodes with the given ids that are *T, in order.
func loadNodes[T any](ctx context.Context, ids []string) ([]*T, error) {
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		t, err := loadNode[T](ctx, id)
		if err != nil {
			return nil, err
		}
		if t != nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// loadRelated returns the nodes that rel leads to from id, as *T.
func loadRelated[T any](ctx context.Context, rel model.Relation, id string) ([]*T, error) {
	ns, err := ignoreNotFound(loadersFrom(ctx).relatedLoader(rel).Load(ctx, id))
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(ns))
	for _, n := range ns {
		if t, ok := any(n).(*T); ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// visibleNode returns the node with the given id if the caller may see it:
// an analysis they may read, an assessment or opinion of one, or any other
// node. It returns nil otherwise.
func visibleNode(ctx context.Context, id string) (model.Node, error) {
	n, err := ignoreNotFound(loadersFrom(ctx).nodes.Load(ctx, id))
	if err != nil || n == nil {
		return nil, err
	}
	ok, err := canSee(ctx, n)
	if err != nil || !ok {
		return nil, err
	}
	return n, nil
}

// canSee reports whether the caller may see n.
func canSee(ctx context.Context, n model.Node) (bool, error) {
	switch n := n.(type) {
	case *model.Analysis:
		return n.CanRead(model.PrincipalFrom(ctx)), nil
	case *model.Assessment:
		a, err := loadNode[model.Analysis](ctx, n.AnalysisID)
		return a != nil && a.CanRead(model.PrincipalFrom(ctx)), err
	case *model.Feedback:
		return feedbackReadable(ctx, n)
	case *model.Opinion:
		p := model.PrincipalFrom(ctx)
		if p != nil && (p.Is(model.RoleCurator) || p.OrganizationID == n.OrganizationID) {
			return true, nil
		}
		about, err := ignoreNotFound(loadersFrom(ctx).nodes.Load(ctx, n.AboutID))
		if err != nil || about == nil {
			return false, err
		}
		return canSee(ctx, about)
	case *model.Treatment, *model.CoverageLine:
		return false, nil // not nodes of the API
	}
	return true, nil
}

// feedbackReadable applies model.Feedback.ReadableBy, the one feedback
// visibility rule, loading what f is about.
func feedbackReadable(ctx context.Context, f *model.Feedback) (bool, error) {
	about, err := ignoreNotFound(loadersFrom(ctx).nodes.Load(ctx, f.AboutID))
	if err != nil {
		return false, err
	}
	var analysis *model.Analysis
	switch a := about.(type) {
	case *model.Analysis:
		analysis = a
	case *model.Assessment:
		if analysis, err = loadNode[model.Analysis](ctx, a.AnalysisID); err != nil {
			return false, err
		}
	}
	return f.ReadableBy(model.PrincipalFrom(ctx), about, analysis), nil
}
