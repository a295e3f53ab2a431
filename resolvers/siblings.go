package resolvers

import (
	"context"
	"reflect"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ssfgraph/ssfgraph/compare"
	"github.com/ssfgraph/ssfgraph/graph/model"
)

// A siblingLoader makes one level of a query one batch however the
// resolvers are scheduled. Timing alone cannot promise that: on a busy
// machine the resolvers of one level start over tens of milliseconds. So
// when a field of an object first loads, the loader also queues the keys of
// the same field of all the object's siblings (the objects that came back
// in the same batch or list page); their own loads then find their values
// cached or in flight. (Idea and first version: the analysis area's
// round-trip test, which found the split batches.)
type siblingLoader[V any] struct {
	l   *loaders
	ld  *batchLoader[V]
	key func(parent any, field string) (string, bool)
}

func newSiblingLoader[V any](l *loaders, key func(any, string) (string, bool), fetch func(context.Context, []string) (map[string]V, error)) siblingLoader[V] {
	ld := newBatchLoader(func(ctx context.Context, ids []string) (map[string]V, error) {
		m, err := fetch(ctx, ids)
		if err == nil {
			l.rememberResult(m)
		}
		return m, err
	})
	return siblingLoader[V]{l: l, ld: ld, key: key}
}

// Load returns the value for key, first queuing the keys of the same field
// of the siblings of the object being resolved.
func (s siblingLoader[V]) Load(ctx context.Context, key string) (V, error) {
	s.l.prefetch(ctx, s.ld, s.key, func(keys []string) { s.ld.Prime(ctx, keys) })
	return s.ld.Load(ctx, key)
}

// Clear forgets the value for key.
func (s siblingLoader[V]) Clear(key string) { s.ld.Clear(key) }

// Put caches value for key.
func (s siblingLoader[V]) Put(key string, value V) { s.ld.Put(key, value) }

// siblingGroup is the objects one batch or page returned.
type siblingGroup struct {
	members []any
	mu      sync.Mutex
	primed  map[primeKey]chan struct{} // closed once the field's keys are queued
}

type primeKey struct {
	field  string
	loader any
}

// rememberResult records the objects of a batch's result (a map of
// objects or of lists of objects) as one sibling group.
func (l *loaders) rememberResult(result any) {
	var members []any
	for it := reflect.ValueOf(result).MapRange(); it.Next(); {
		switch v := it.Value(); v.Kind() {
		case reflect.Slice:
			for i := range v.Len() {
				members = append(members, v.Index(i).Interface())
			}
		case reflect.Pointer, reflect.Interface:
			members = append(members, v.Interface())
		}
	}
	l.rememberGroup(members)
}

// rememberGroup records members as siblings of each other. An object keeps
// the first group it was seen in.
func (l *loaders) rememberGroup(members []any) {
	if len(members) < 2 {
		return
	}
	g := &siblingGroup{members: members, primed: map[primeKey]chan struct{}{}}
	l.groupsMu.Lock()
	defer l.groupsMu.Unlock()
	for _, m := range members {
		if reflect.ValueOf(m).Kind() != reflect.Pointer {
			continue
		}
		if _, ok := l.groups[m]; !ok {
			l.groups[m] = g
		}
	}
}

// prefetch queues (with queue), once per sibling group, field and loader,
// the keys of the field being resolved for every sibling of its parent
// object of the same type. Other siblings resolving the same field wait
// until that is done, so that none of their loads can start a batch of
// its own before the group's keys are queued.
func (l *loaders) prefetch(ctx context.Context, loader any, key func(any, string) (string, bool), queue func([]string)) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Parent == nil {
		return
	}
	parent := deref(fc.Parent.Result)
	if parent == nil {
		return
	}
	l.groupsMu.Lock()
	g := l.groups[parent]
	l.groupsMu.Unlock()
	if g == nil {
		return
	}
	pk := primeKey{field: fc.Object + "." + fc.Field.Alias, loader: loader}
	g.mu.Lock()
	done, started := g.primed[pk]
	if !started {
		done = make(chan struct{})
		g.primed[pk] = done
	}
	g.mu.Unlock()
	if started {
		select {
		case <-done:
		case <-ctx.Done():
		}
		return
	}
	defer close(done)
	t := reflect.TypeOf(parent)
	keys := make([]string, 0, len(g.members))
	for _, m := range g.members {
		if reflect.TypeOf(m) != t {
			continue
		}
		if k, ok := key(m, fc.Field.Name); ok && k != "" {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		queue(keys)
	}
}

// deref turns a list element's **T into *T.
func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil
	}
	return rv.Interface()
}

// parentKey is the key of loaders keyed by the parent's own id.
func parentKey(parent any, _ string) (string, bool) {
	n, ok := parent.(model.Node)
	if !ok {
		return "", false
	}
	return n.GetID(), true
}

// refFields names the Go field that holds a reference where the naming
// rule of refKey does not find it.
var refFields = map[reflect.Type]map[string]string{
	reflect.TypeFor[compare.MeasureRef]():      {"measure": "ID"},
	reflect.TypeFor[compare.AnalysisSummary](): {"analysis": "ID"},
}

// refKey is the key of the node loader for a reference field: by the
// model's naming rule, the parent's <Field>ID, such as
// Assessment.IncidentID for `incident`, or else a string field <Field>
// (compare's rows name incidents so).
func refKey(parent any, field string) (string, bool) {
	rv := reflect.ValueOf(parent)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct || field == "" {
		return "", false
	}
	name := strings.ToUpper(field[:1]) + field[1:]
	f := rv.Elem().FieldByName(name + "ID")
	if !f.IsValid() {
		f = rv.Elem().FieldByName(name)
	}
	if other, ok := refFields[rv.Elem().Type()][field]; ok {
		f = rv.Elem().FieldByName(other)
	}
	switch {
	case !f.IsValid():
		return "", false
	case f.Kind() == reflect.String:
		return f.String(), true
	case f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String:
		return f.Elem().String(), true
	}
	return "", false
}

// rememberComparison records the rows of a comparison, their entries and
// the measures of those as sibling groups, so that resolving the objects
// they name (incidents, organizations, measures) takes one batch per kind.
func (l *loaders) rememberComparison(c *compare.Comparison) {
	l.groupsMu.Lock()
	seen := l.comparisons[c]
	if l.comparisons == nil {
		l.comparisons = map[*compare.Comparison]bool{}
	}
	l.comparisons[c] = true
	l.groupsMu.Unlock()
	if seen {
		return
	}
	var rows, entries, measures, summaries, hotspots, partial []any
	for i := range c.Incidents {
		row := &c.Incidents[i]
		rows = append(rows, row)
		for j := range row.Entries {
			e := &row.Entries[j]
			entries = append(entries, e)
			for k := range e.Measures {
				measures = append(measures, &e.Measures[k])
			}
		}
	}
	for i := range c.Analyses {
		summaries = append(summaries, &c.Analyses[i])
	}
	for i := range c.Hotspots {
		hotspots = append(hotspots, &c.Hotspots[i])
	}
	for i := range c.Partial {
		partial = append(partial, &c.Partial[i])
	}
	for _, g := range [][]any{rows, entries, measures, summaries, hotspots, partial} {
		l.rememberGroup(g)
	}
}
