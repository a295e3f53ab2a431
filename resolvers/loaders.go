package resolvers

import (
	"context"
	"errors"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ssfgraph/ssfgraph/compare"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/dataload"
)

// loaders batch the reads of one operation: each field that fans out
// (Analysis.assessments, Assessment.treatments, …) asks a loader, and the
// loader turns the many asks of one level into one UNWIND round trip.
// A fresh set is made for every operation (and every subscription event),
// so nothing is cached across requests.
//
// The objects each batch returns, each list page and the rows of each
// comparison are recorded as sibling groups (dataload.Siblings): when a
// field of one of them loads through ref, loadRelatedOf or loadOf, the
// same field's keys of all its siblings are queued with it, so a level is
// one batch however gqlgen schedules its resolvers.
type loaders struct {
	read     model.ReadService
	siblings *dataload.Siblings

	nodes          *dataload.Loader[string, model.Node]
	mappingsOut    *dataload.Loader[string, []*model.ClauseMapping]
	mappingsIn     *dataload.Loader[string, []*model.ClauseMapping]
	linksByMeasure *dataload.Loader[string, []*model.MeasureClauseLink]
	linksByClause  *dataload.Loader[string, []*model.MeasureClauseLink]
	clauseCounts   *dataload.Loader[string, int] // without withdrawn clauses
	allClauses     *dataload.Loader[string, int] // with them
	notApplicable  *dataload.Loader[string, []*model.NotApplicableClause]

	mu          sync.Mutex
	related     map[model.Relation]*dataload.Loader[string, []model.Node]
	comparisons map[*compare.Comparison]*sync.Once // prepared by rememberComparison
	shared      map[string]model.Node              // a subscription event's nodes (rememberComparison)

	scalesOnce sync.Once
	scales     *model.Scales
	scalesErr  error
}

func newLoaders(read model.ReadService) *loaders {
	s := dataload.NewSiblings(resolving)
	l := &loaders{read: read, siblings: s, related: map[model.Relation]*dataload.Loader[string, []model.Node]{}, comparisons: map[*compare.Comparison]*sync.Once{}}
	l.nodes = dataload.New(dataload.GroupValues(s, l.fetchNodes), dataload.Limits{})
	l.mappingsOut = listLoader(s, withFlag(read.ClauseMappings, false))
	l.mappingsIn = listLoader(s, withFlag(read.ClauseMappings, true))
	l.linksByMeasure = listLoader(s, withFlag(read.MeasureClauseLinks, false))
	l.linksByClause = listLoader(s, withFlag(read.MeasureClauseLinks, true))
	l.clauseCounts = dataload.New(withFlag(read.ClauseCounts, false), dataload.Limits{})
	l.allClauses = dataload.New(withFlag(read.ClauseCounts, true), dataload.Limits{})
	l.notApplicable = listLoader(s, read.NotApplicable)
	return l
}

// listLoader returns a loader of lists whose elements, batch by batch,
// become sibling groups.
func listLoader[V comparable](s *dataload.Siblings, fetch dataload.Fetch[string, []V]) *dataload.Loader[string, []V] {
	return dataload.New(dataload.GroupLists(s, fetch), dataload.Limits{})
}

// withFlag binds the direction argument of a ReadService batch method.
func withFlag[V any](read func(context.Context, []string, bool) (map[string]V, error), flag bool) dataload.Fetch[string, V] {
	return func(ctx context.Context, ids []string) (map[string]V, error) { return read(ctx, ids, flag) }
}

// relatedLoader returns the loader for rel, creating it on first use.
func (l *loaders) relatedLoader(rel model.Relation) *dataload.Loader[string, []model.Node] {
	l.mu.Lock()
	defer l.mu.Unlock()
	ld, ok := l.related[rel]
	if !ok {
		ld = listLoader(l.siblings, func(ctx context.Context, ids []string) (map[string][]model.Node, error) {
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

// fetchNodes is the node loader's batch: the nodes the operation was given
// (a subscription event's, see rememberComparison) without a round trip,
// the rest in one.
func (l *loaders) fetchNodes(ctx context.Context, ids []string) (map[string]model.Node, error) {
	l.mu.Lock()
	shared := l.shared
	l.mu.Unlock()
	if shared == nil {
		return l.read.Nodes(ctx, ids)
	}
	out := make(map[string]model.Node, len(ids))
	var rest []string
	for _, id := range ids {
		if n, ok := shared[id]; ok {
			out[id] = n
		} else {
			rest = append(rest, id)
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	more, err := l.read.Nodes(ctx, rest)
	if err != nil {
		return nil, err
	}
	for id, n := range more {
		out[id] = n
	}
	return out, nil
}

// rememberComparison prepares the loaders for the fields of a comparison.
// It records the rows, their entries and the measures of those (and the
// analyses, hotspots and partial rows) as sibling groups, so that
// resolving the objects they name (incidents, organizations, measures)
// takes one batch per kind; and for a subscription event it takes those
// objects from the event's shared nodes (model.TargetComparison.Shared),
// so that a thousand receivers of one event read them once between them.
// The comparison's field resolvers call it before returning what they
// resolve, so it is done before any of its objects' fields load.
func (l *loaders) rememberComparison(ctx context.Context, tc *model.TargetComparison) {
	c := &tc.Comparison
	l.mu.Lock()
	once, ok := l.comparisons[c]
	if !ok {
		once = new(sync.Once)
		l.comparisons[c] = once
	}
	l.mu.Unlock()
	// Sibling fields of the comparison wait for the first to finish.
	once.Do(func() {
		if tc.Shared != nil {
			// Without them (the load failed or ctx ended), each receiver
			// reads its own, as a query does.
			if nodes, err := tc.Shared.Nodes(ctx, l.read.Nodes); err == nil {
				l.mu.Lock()
				l.shared = nodes
				l.mu.Unlock()
			}
		}
		rows := ptrs(c.Incidents)
		var entries []*compare.Entry
		for _, row := range rows {
			entries = append(entries, ptrs(row.Entries)...)
		}
		var measures []*compare.MeasureRef
		for _, e := range entries {
			measures = append(measures, ptrs(e.Measures)...)
		}
		dataload.Group(l.siblings, rows)
		dataload.Group(l.siblings, entries)
		dataload.Group(l.siblings, measures)
		dataload.Group(l.siblings, ptrs(c.Analyses))
		dataload.Group(l.siblings, ptrs(c.Hotspots))
		dataload.Group(l.siblings, ptrs(c.Partial))
	})
}

// resolving tells dataload.Siblings which object's field ctx resolves: the
// Result of the parent FieldContext, which gqlgen sets to the object a
// field returned, or to a pointer to a list's element (so the element
// itself for a list of values, whose resolvers get a pointer to a copy).
func resolving(ctx context.Context) (parent any, field string) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Parent == nil {
		return nil, ""
	}
	return fc.Parent.Result, fc.Object + "." + fc.Field.Name
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
	if errors.Is(err, dataload.ErrNotFound) {
		var zero V
		return zero, nil
	}
	return v, err
}

// ref returns the id that id reads from parent, the object whose
// reference field is being resolved, having first queued on the node
// loader the same reference of parent's siblings, so that their loads make
// one batch. An empty or nil id is no reference. Field resolvers pass what
// it returns to loadNode, loadNodePtr, visibleNode or visibleAnalysis:
//
//	return loadNode[model.Incident](ctx, ref(ctx, obj, func(a *model.Assessment) string { return a.IncidentID }))
func ref[P comparable, K string | *string](ctx context.Context, parent P, id func(P) K) K {
	l := loadersFrom(ctx)
	dataload.Prefetch(ctx, l.siblings, l.nodes, parent, func(p P) (string, bool) { return nodeID(id(p)) })
	return id(parent)
}

// nodeID returns the node loader's key for a reference, and whether there
// is one.
func nodeID[K string | *string](id K) (string, bool) {
	switch id := any(id).(type) {
	case string:
		return id, id != ""
	case *string:
		if id != nil && *id != "" {
			return *id, true
		}
	}
	return "", false
}

// node is the type of an object whose own id keys a loader.
type node interface {
	comparable
	model.Node
}

// ownID is the key of loaders keyed by the parent's own id.
func ownID[P node](parent P) (string, bool) { return parent.GetID(), true }

// loadOf returns ld's value for parent's own id (the zero value when it
// has none), having first queued the ids of parent's siblings.
func loadOf[P node, V any](ctx context.Context, ld *dataload.Loader[string, V], parent P) (V, error) {
	return ignoreNotFound(dataload.LoadFor(ctx, loadersFrom(ctx).siblings, ld, parent, ownID[P]))
}

// loadNode returns the node with the given id when it is a *T, else nil
// (nil without a read for an empty id). It does not check visibility:
// callers that may reach an analysis or an assessment use visibleNode.
func loadNode[T any](ctx context.Context, id string) (*T, error) {
	if id == "" {
		return nil, nil
	}
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
// The ids are queued together, so they take one batch.
func loadNodes[T any](ctx context.Context, ids []string) ([]*T, error) {
	loadersFrom(ctx).nodes.Prime(ctx, ids...)
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

// loadRelatedOf returns the nodes that rel leads to from parent (the
// object whose field is being resolved), as *T; it first queues the ids of
// parent's siblings, so that one level of a query is one round trip.
func loadRelatedOf[T any, P node](ctx context.Context, rel model.Relation, parent P) ([]*T, error) {
	return nodesOf[T](loadOf(ctx, loadersFrom(ctx).relatedLoader(rel), parent))
}

// nodesOf returns the nodes of ns that are *T, unless err is set.
func nodesOf[T any](ns []model.Node, err error) ([]*T, error) {
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

// maxNodeIDs caps the ids of one `nodes(ids:)`.
const maxNodeIDs = 100

// visibleNodes returns, for each id, the node visibleNode returns (nil
// where there is none the caller may see): the nodes in one batch, then
// the nodes their visibility rests on (an assessment's analysis, an
// opinion's subject) in one more. It returns EINVALID naming ids for more
// than maxNodeIDs ids.
func visibleNodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > maxNodeIDs {
		return nil, model.FieldErrorf(model.EINVALID, "ids", "nodes takes at most %d ids, got %d", maxNodeIDs, len(ids))
	}
	ld := loadersFrom(ctx).nodes
	ld.Prime(ctx, ids...)
	ns := make([]model.Node, len(ids))
	var under []string
	for i, id := range ids {
		n, err := ignoreNotFound(ld.Load(ctx, id))
		if err != nil {
			return nil, err
		}
		ns[i] = n
		switch n := n.(type) {
		case *model.Assessment:
			under = append(under, n.AnalysisID)
		case *model.Opinion:
			under = append(under, n.AboutID)
		}
	}
	ld.Prime(ctx, under...)
	for i, n := range ns {
		if n == nil {
			continue
		}
		ok, err := canSee(ctx, n)
		if err != nil {
			return nil, err
		}
		if !ok {
			ns[i] = nil
		}
	}
	return ns, nil
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
		if n.ReadableBy(model.PrincipalFrom(ctx), false) {
			return true, nil
		}
		about, err := ignoreNotFound(loadersFrom(ctx).nodes.Load(ctx, n.AboutID))
		if err != nil || about == nil {
			return false, err
		}
		ok, err := canSee(ctx, about)
		return n.ReadableBy(model.PrincipalFrom(ctx), ok), err
	case *model.InsurancePolicy:
		return policyReadable(ctx, n)
	case *model.Treatment, *model.CoverageLine:
		return false, nil // not nodes of the API
	case model.Inline:
		return inlineReadable(ctx, n)
	}
	return true, nil
}

// inlineReadable applies model.InlineReadable to an incident, threat or
// measure, loading the analyses it is private to (batched) only when there
// are any.
func inlineReadable(ctx context.Context, n model.Inline) (bool, error) {
	p, ids := model.PrincipalFrom(ctx), n.PrivateToIDs()
	if model.InlineReadable(p, ids, nil) {
		return true, nil
	}
	as, err := loadNodes[model.Analysis](ctx, ids)
	if err != nil {
		return false, err
	}
	return model.InlineReadable(p, ids, as), nil
}

// readableInline returns the nodes of ns that the caller may read
// (model.InlineReadable), the analyses they are private to loaded in one
// batch.
func readableInline[T any, PT interface {
	*T
	model.Inline
}](ctx context.Context, ns []*T) ([]*T, error) {
	var ids []string
	for _, n := range ns {
		ids = append(ids, PT(n).PrivateToIDs()...)
	}
	loadersFrom(ctx).nodes.Prime(ctx, ids...)
	return readableOf(ctx, ns, func(ctx context.Context, n *T) (bool, error) { return inlineReadable(ctx, PT(n)) })
}

// readableOf returns the items of ns for which ok says the caller may
// read them, in order. Callers queue what ok loads first, so that the
// checks share a batch.
func readableOf[T any](ctx context.Context, ns []*T, ok func(context.Context, *T) (bool, error)) ([]*T, error) {
	out := make([]*T, 0, len(ns))
	for _, n := range ns {
		yes, err := ok(ctx, n)
		if err != nil {
			return nil, err
		}
		if yes {
			out = append(out, n)
		}
	}
	return out, nil
}

// policyReadable applies model.InsurancePolicy.ReadableBy, loading the
// analyses that rely on ip only when the caller is not its holder.
func policyReadable(ctx context.Context, ip *model.InsurancePolicy) (bool, error) {
	p := model.PrincipalFrom(ctx)
	if ip.ReadableBy(p, nil) {
		return true, nil
	}
	relying, err := loadRelatedOf[model.Analysis](ctx, model.PolicyReliedOnBy, ip)
	if err != nil {
		return false, err
	}
	return ip.ReadableBy(p, relying), nil
}

// visiblePolicies returns the policies rel leads to from parent that the
// caller may read, the analyses relying on those it does not hold loaded
// in one batch.
func visiblePolicies[P node](ctx context.Context, rel model.Relation, parent P) ([]*model.InsurancePolicy, error) {
	ps, err := loadRelatedOf[model.InsurancePolicy](ctx, rel, parent)
	if err != nil {
		return nil, err
	}
	var unheld []string
	for _, ip := range ps {
		if !ip.ReadableBy(model.PrincipalFrom(ctx), nil) {
			unheld = append(unheld, ip.ID)
		}
	}
	loadersFrom(ctx).relatedLoader(model.PolicyReliedOnBy).Prime(ctx, unheld...)
	return readableOf(ctx, ps, policyReadable)
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
