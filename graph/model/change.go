package model

import (
	"context"
	"slices"
)

// Change is what one committed write transaction changed, as the store
// reports it to its commit hooks: the effects that must follow a commit
// (recomputing comparisons, clearing caches, telling subscribers) are
// decided from it in one place, so no caller has to remember them.
type Change struct {
	// Targets are the targets whose analyses changed, or whose
	// comparisons show something that changed (an assessment's threat,
	// asset, measure or owning department removed by a cascade).
	Targets []string
	// Nodes are the ids of nodes created, changed or deleted that a
	// cache may hold.
	Nodes []string
	// Feedback is the feedback submitted or answered.
	Feedback []*Feedback
}

// AddTargets adds target ids, skipping empty ones.
func (c *Change) AddTargets(ids ...string) { c.Targets = appendIDs(c.Targets, ids) }

// AddNodes adds node ids, skipping empty ones.
func (c *Change) AddNodes(ids ...string) { c.Nodes = appendIDs(c.Nodes, ids) }

// Empty reports whether c records nothing.
func (c *Change) Empty() bool {
	return len(c.Targets) == 0 && len(c.Nodes) == 0 && len(c.Feedback) == 0
}

// Normalize sorts the ids and drops repeats.
func (c *Change) Normalize() {
	slices.Sort(c.Targets)
	c.Targets = slices.Compact(c.Targets)
	slices.Sort(c.Nodes)
	c.Nodes = slices.Compact(c.Nodes)
}

func appendIDs(dst, ids []string) []string {
	for _, id := range ids {
		if id != "" {
			dst = append(dst, id)
		}
	}
	return dst
}

// CommitHook is told what a write transaction changed, after it
// committed, in the goroutine that wrote and before the write returns. It
// must not block for long and must not write through the store.
type CommitHook func(ctx context.Context, c *Change)

type commitHookKey struct{}

// WithCommitHook returns a context whose writes report their committed
// changes to hook. The GraphQL handler installs its publisher so for every
// operation; writes made without one (the command line) report to nobody.
func WithCommitHook(ctx context.Context, hook CommitHook) context.Context {
	return context.WithValue(ctx, commitHookKey{}, hook)
}

// CommitHookFrom returns the hook in ctx, or nil.
func CommitHookFrom(ctx context.Context) CommitHook {
	h, _ := ctx.Value(commitHookKey{}).(CommitHook)
	return h
}
