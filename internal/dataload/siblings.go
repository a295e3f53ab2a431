package dataload

import (
	"context"
	"maps"
	"slices"
	"sync"
)

// Siblings records which objects came back together, in one batch or one
// list page, so that when a field of one of them is resolved, the keys of
// that field for all of them can be queued at once (see [Prefetch]). Like
// its loaders, it is meant to live for one operation. Its methods are safe
// for concurrent use.
type Siblings struct {
	resolving func(ctx context.Context) (parent any, field string)

	mu     sync.Mutex
	groups map[any]*group // by member
}

// group is objects that are siblings of each other.
type group struct {
	members []any

	mu     sync.Mutex
	queued map[queueKey]chan struct{} // closed once the keys are queued
}

// queueKey names one field of a group's members read through one loader.
type queueKey struct {
	field  string
	loader any
}

// NewSiblings returns a Siblings without groups. resolving reports the
// object whose field is being resolved in ctx and the field's name (such
// as "Assessment.incident"); it returns "" for the field outside a field
// resolver. The resolver side reads them from gqlgen's
// graphql.GetFieldContext: the parent is the Result of the parent
// FieldContext, which is the list element itself (for a list of values,
// where the resolver gets a pointer to a copy) or a pointer to it (for a
// list of pointers).
func NewSiblings(resolving func(ctx context.Context) (parent any, field string)) *Siblings {
	return &Siblings{resolving: resolving, groups: map[any]*group{}}
}

// Group records members as siblings of each other. Members are told apart
// by identity, so they must be pointers (or interfaces holding pointers).
// A member keeps the first group it was recorded in; fewer than two
// members make no group.
func Group[P comparable](s *Siblings, members []P) {
	if len(members) < 2 {
		return
	}
	g := &group{members: make([]any, len(members)), queued: map[queueKey]chan struct{}{}}
	for i, m := range members {
		g.members[i] = m
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range g.members {
		if _, ok := s.groups[m]; !ok {
			s.groups[m] = g
		}
	}
}

// GroupValues returns fetch wrapped so that the values of each batch it
// returns become one group, before any Load of the batch returns.
func GroupValues[K, V comparable](s *Siblings, fetch Fetch[K, V]) Fetch[K, V] {
	return func(ctx context.Context, keys []K) (map[K]V, error) {
		m, err := fetch(ctx, keys)
		if err == nil {
			Group(s, slices.Collect(maps.Values(m)))
		}
		return m, err
	}
}

// GroupLists is GroupValues for a fetch that returns a list per key: the
// elements of all the lists of a batch become one group.
func GroupLists[K, V comparable](s *Siblings, fetch Fetch[K, []V]) Fetch[K, []V] {
	return func(ctx context.Context, keys []K) (map[K][]V, error) {
		m, err := fetch(ctx, keys)
		if err == nil {
			Group(s, slices.Concat(slices.Collect(maps.Values(m))...))
		}
		return m, err
	}
}

// Prefetch queues on l the keys that key gives for the members of type P
// of the group of the object being resolved in ctx, once per group, field
// and loader. key reports false for a member without a key.
//
// The object being resolved is the one that s's resolving function
// reports: a P, or a *P pointing to one. Prefetch does nothing when it is
// neither, when it is in no group, or when key gives it another key than
// parent's (parent is the resolver's own object, which may be a copy).
// Members of another type than P are skipped; with an interface P, every
// member that implements it counts.
//
// A caller that finds the same field's keys being queued by another waits
// until they are (or ctx is done), so that its own Load cannot start a
// batch before the group's keys are in one.
func Prefetch[P comparable, K comparable, V any](ctx context.Context, s *Siblings, l *Loader[K, V], parent P, key func(P) (K, bool)) {
	want, ok := key(parent)
	if !ok {
		return
	}
	self, field, ok := resolvingAs[P](ctx, s)
	if !ok {
		return
	}
	if k, ok := key(self); !ok || k != want {
		return
	}
	s.mu.Lock()
	g := s.groups[self]
	s.mu.Unlock()
	if g == nil {
		return
	}
	qk := queueKey{field: field, loader: l}
	g.mu.Lock()
	done, started := g.queued[qk]
	if !started {
		done = make(chan struct{})
		g.queued[qk] = done
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
	keys := make([]K, 0, len(g.members))
	for _, m := range g.members {
		if p, ok := m.(P); ok {
			if k, ok := key(p); ok {
				keys = append(keys, k)
			}
		}
	}
	l.Prime(ctx, keys...)
}

// LoadFor returns l's value for key(parent), first queuing the same key of
// the siblings of the object being resolved (see [Prefetch]). It returns
// ErrNotFound when key reports no key for parent, and otherwise what
// [Loader.Load] returns.
func LoadFor[P comparable, K comparable, V any](ctx context.Context, s *Siblings, l *Loader[K, V], parent P, key func(P) (K, bool)) (V, error) {
	k, ok := key(parent)
	if !ok {
		var zero V
		return zero, ErrNotFound
	}
	Prefetch(ctx, s, l, parent, key)
	return l.Load(ctx, k)
}

// resolvingAs returns the object being resolved in ctx as a P, and the
// field's name.
func resolvingAs[P comparable](ctx context.Context, s *Siblings) (P, string, bool) {
	var zero P
	parent, field := s.resolving(ctx)
	if field == "" {
		return zero, "", false
	}
	switch p := parent.(type) {
	case P:
		return p, field, true
	case *P:
		if p != nil {
			return *p, field, true
		}
	}
	return zero, "", false
}
